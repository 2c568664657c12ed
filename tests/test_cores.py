"""Work shared out among threads: every item once, the calling thread working too, the first error
(an interruption included) stopping every thread, helper threads kept and shared safely by
callers in several threads or nested calls, and a child made by fork starting its own."""

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


@pytest.mark.parametrize("failing", ["calling", "helper"])
def test_an_error_in_either_thread_stops_both_and_is_raised_once_no_item_runs(failing):
    calling = threading.current_thread()
    both_at_work = threading.Barrier(2, timeout=10)  # each thread's first item waits for the other's
    lock = threading.Lock()
    first_items, running, done = set(), [0], []

    def work(item):
        me = threading.current_thread()
        with lock:
            running[0] += 1
            first = me not in first_items
            first_items.add(me)
        try:
            if first:
                both_at_work.wait()
            if first and (me is calling) == (failing == "calling"):
                raise ValueError(f"the {failing} thread fails")
            time.sleep(0.002)
            done.append(item)
        finally:
            with lock:
                running[0] -= 1

    with pytest.raises(ValueError, match=f"the {failing} thread fails"):
        share_out(work, range(1000), 2)
    assert running[0] == 0 and len(done) < 50  # the other thread stopped after the item it was on


def test_an_error_alone_stops_the_handing_out():
    done = []

    def work(item):
        if item == 3:
            raise ValueError("item 3 is bad")
        done.append(item)

    with pytest.raises(ValueError, match="item 3 is bad"):
        share_out(work, range(100), 1)
    assert done == [0, 1, 2]


def test_an_interruption_in_the_progress_callback_stops_the_other_thread_too():
    done, interrupted = [], []

    def after_each():
        if len(done) >= 5 and not interrupted:  # one thread is interrupted, once
            interrupted.append(threading.current_thread())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        share_out(lambda item: (time.sleep(0.002), done.append(item)), range(500), 2, after_each)
    assert len(done) < 100


def test_ranges_in_threads_give_their_results_in_order_with_the_first_run_here():
    ran_in = {}
    arrived = threading.Barrier(3, timeout=10)  # all three ranges run at the same time

    def kernel(start, end):
        ran_in[start] = threading.get_ident()
        arrived.wait()
        return list(range(start, end))

    assert in_threads(kernel, [(0, 2), (2, 5), (5, 6)]) == [[0, 1], [2, 3, 4], [5]]
    assert ran_in[0] == threading.get_ident() and len(set(ran_in.values())) == 3
    assert in_threads(lambda start, end: (threading.get_ident(), end - start), [(0, 3)]) == [(threading.get_ident(), 3)]


def test_helper_threads_are_kept_for_later_calls():
    def helper_of_a_call() -> threading.Thread:
        arrived = threading.Barrier(2, timeout=10)  # the calling thread and a helper, each with an item
        ran_in = set()

        def work(item):
            ran_in.add(threading.current_thread())
            arrived.wait()

        share_out(work, range(2), 2)
        (helper,) = ran_in - {threading.current_thread()}
        return helper

    first = helper_of_a_call()
    time.sleep(0.05)  # the helper back among the idle ones
    alive_before = set(threading.enumerate())
    second = helper_of_a_call()
    assert first.is_alive() and second in alive_before


@pytest.mark.timeout(60)
def test_callers_in_several_threads_share_the_helpers_safely():
    errors = []

    def caller(sizes):
        for n in sizes:  # ever more ranges: the helpers' pool is replaced by bigger ones meanwhile
            try:
                assert in_threads(lambda start, end: end - start, [(i, i + 1) for i in range(n)]) == [1] * n
            except BaseException as error:
                errors.append(error)

    callers = [threading.Thread(target=caller, args=(range(first, 120, 2),)) for first in (2, 3)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()
    assert errors == []


@pytest.mark.timeout(60)
def test_a_call_nested_in_a_helpers_item_does_not_wait_for_itself():
    sums = []
    share_out(lambda item: sums.append(sum(in_threads(lambda start, end: end - start, [(0, 1), (1, 3)]))),
              range(4), 2)
    assert sums == [3, 3, 3, 3]


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
