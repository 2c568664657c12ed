"""Work shared out among threads: every item once, the calling thread working too, errors raised,
helper threads kept (and a child made by fork starting its own)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from cityanalytics.cores import in_threads, share_out


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_item_is_done_once_and_counted_once(threads):
    done, counted = [], []
    share_out(done.append, range(50), threads, lambda: counted.append(1))
    assert sorted(done) == list(range(50)) and len(counted) == 50
    share_out(done.append, [], threads)  # nothing to do
    assert len(done) == 50


def test_the_calling_thread_works_beside_the_others():
    arrived = threading.Barrier(2, timeout=10)  # each item waits for another to run at the same time
    workers = []

    def work(item):
        workers.append(threading.get_ident())
        arrived.wait()

    share_out(work, range(4), 2)
    assert threading.get_ident() in workers and len(set(workers)) == 2


def test_the_first_error_stops_the_handing_out_and_is_raised():
    started = []

    def work(item):
        started.append(item)
        if item == 3:
            raise ValueError("item 3 is bad")
        time.sleep(0.01)

    for threads in (1, 2):
        started.clear()
        with pytest.raises(ValueError, match="item 3 is bad"):
            share_out(work, range(100), threads)
        assert 3 in started and len(started) < 10


def test_ranges_in_threads_give_their_results_in_order_with_the_first_run_here():
    ran_in = {}
    arrived = threading.Barrier(3, timeout=10)  # all three ranges run at the same time

    def kernel(start, end):
        ran_in[start] = threading.get_ident()
        arrived.wait()
        return list(range(start, end))

    assert in_threads(kernel, [(0, 2), (2, 5), (5, 6)]) == [[0, 1], [2, 3, 4], [5]]
    assert ran_in[0] == threading.get_ident() and len(set(ran_in.values())) == 3
    arrived = threading.Barrier(1)
    assert in_threads(kernel, [(0, 3)]) == [[0, 1, 2]] and ran_in[0] == threading.get_ident()


def test_helper_threads_are_kept_for_later_calls():
    arrived = threading.Barrier(2, timeout=10)
    ran_in = set()

    def work(item):
        ran_in.add(threading.current_thread())
        arrived.wait()

    share_out(work, range(2), 2)
    helpers = ran_in - {threading.current_thread()}
    assert len(helpers) == 1 and all(helper.is_alive() for helper in helpers)


def _shared_out_in_a_child() -> list[int]:
    done = []
    share_out(done.append, range(20), 2)
    return sorted(done)


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="no fork on this system")
@pytest.mark.timeout(60)
def test_a_child_made_by_fork_starts_helper_threads_of_its_own():
    share_out(lambda item: None, range(4), 2)  # this process keeps a helper thread now, which a child lacks
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_shared_out_in_a_child) == list(range(20))
