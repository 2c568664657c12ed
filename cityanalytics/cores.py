"""How many cores a step may use, and compiled kernels run side by side in threads.

The compiled kernels release the GIL, so threads run them truly in parallel without copying
their inputs into other processes: a step splits its rows into ranges of about equal work and
gives each thread one, or lets its threads take items of work one after another. The calling
thread always works as one of them rather than waiting for the others: a thread that only
hands out work wakes for every item and takes the GIL and a core from those that do it. The
other threads are started once and kept for the life of the process: a thread started for
each call pays every time for its start, its stack and fresh memory for its allocator. They
wait idle between calls; a child process made by fork has none of them and starts its own
(Python 3.12 and later warn when a process with threads forks).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import numpy as np


def worker_count(n_jobs: int) -> int:
    """Processes or threads for ``n_jobs``: -1 means every core this process may run on; 0 or less
    otherwise is an error."""
    if n_jobs == -1:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of processes or -1 for every core, not {n_jobs}")
    return n_jobs


def even_ranges(work: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Split items 0..len(work) into at most ``parts`` contiguous ranges [start, end) of about
    equal total work (``work[i]`` is item i's)."""
    if parts <= 1 or len(work) <= 1:
        return [(0, len(work))]
    done = np.cumsum(work)
    middles = done - np.asarray(work) / 2  # an item goes to the part its middle falls in
    cuts = np.searchsorted(middles, done[-1] * np.arange(1, parts) / parts)
    bounds = np.unique(np.r_[0, cuts, len(work)])
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


def equal_ranges(n_items: int, parts: int) -> list[tuple[int, int]]:
    """Split items 0..n_items into ``parts`` contiguous ranges [start, end) of sizes that differ by
    at most one (fewer ranges if there are fewer items; one empty range if there are none)."""
    parts = max(1, min(parts, n_items))
    bounds = [n_items * part // parts for part in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def in_threads(kernel: Callable, ranges: list[tuple[int, int]]) -> list:
    """``kernel(start, end)`` for each range, in a thread each (the first in this one), results in order."""
    if len(ranges) == 1:
        return [kernel(*ranges[0])]
    return _with_helpers([partial(kernel, *bounds) for bounds in ranges[1:]], partial(kernel, *ranges[0]))


_NO_MORE = object()


def share_out(function: Callable[[object], None], items: Iterable, threads: int,
              after_each: Callable[[], None] | None = None) -> None:
    """``function(item)`` for every item, in ``threads`` threads (this one and ``threads - 1`` more)
    that each take the next item as soon as they are done with their last, so the items start in
    order and uneven ones even out. ``after_each()`` runs after every item, one at a time (a
    progress bar). The first error in any thread (an interruption included) stops the handing
    out and is raised here once every thread has finished the item it was on."""
    items = iter(items)
    lock = threading.Lock()
    failed = threading.Event()
    errors: list[BaseException] = []  # in the order they were raised

    def work() -> None:
        try:
            while not failed.is_set():
                with lock:
                    item = next(items, _NO_MORE)
                if item is _NO_MORE:
                    return
                function(item)
                if after_each is not None:
                    with lock:
                        after_each()
        except BaseException as error:
            with lock:
                errors.append(error)
            failed.set()

    if threads <= 1:
        work()
    else:
        _with_helpers([work] * (threads - 1), work)
    if errors:
        raise errors[0]


def _with_helpers(tasks: list[Callable[[], object]], here: Callable[[], object]) -> list:
    """``here()`` in this thread while each task runs in a helper thread; the results, this
    thread's first. A task that no helper has started once ``here()`` is done (every helper busy
    with other calls, or with the very task that waits for it) runs here instead, so a call never
    waits for a helper that is not coming. Errors are raised once no task runs any more."""
    others = _submit_to_helpers(tasks)
    try:
        first = here()
    finally:
        not_started = [other.cancel() for other in others]
        for other, cancelled in zip(others, not_started):
            if not cancelled:
                other.exception()  # waits for it to finish; an error of its own is raised below
    return [first, *(task() if cancelled else other.result() for task, other, cancelled in zip(tasks, others, not_started))]


_helpers: tuple[ThreadPoolExecutor, int] | None = None  # the process's helper threads and how many there can be
_helpers_lock = threading.Lock()


def _submit_to_helpers(tasks: list[Callable[[], object]]) -> list[Future]:
    """Each task handed to the process's helper threads, of which there are at least as many as
    tasks: the pool is started, or replaced by a bigger one, here. Submitting under the lock keeps
    another caller from replacing the pool in between; a replaced pool's threads finish the tasks
    they were given, then end."""
    global _helpers
    with _helpers_lock:
        if _helpers is None or _helpers[1] < len(tasks):
            if _helpers is not None:
                _helpers[0].shutdown(wait=False)
            _helpers = (ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="cityanalytics-helper"),
                        len(tasks))
        return [_helpers[0].submit(task) for task in tasks]


def _forget_helpers() -> None:
    """In a child process made by fork, which has none of its parent's threads: start new ones when needed."""
    global _helpers, _helpers_lock
    _helpers, _helpers_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helpers)
