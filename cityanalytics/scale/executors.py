"""Where chunks are counted: in this process, in a pool of local threads or processes, or on a Dask cluster.

Every executor is a ``submit(function, *args) -> future`` with a window of calls in flight;
:func:`in_order` feeds it and hands the results back in submission order. The window bounds
memory (at most that many chunks and their counts exist at once) and the order makes the
merged result the same whichever executor ran it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice

from cityanalytics.cores import worker_count

EXECUTORS = ("local", "dask")


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` consecutive items (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def in_order(submit: Callable, function: Callable, items: Iterable, window: int, *args) -> Iterator:
    """``function(item, *args)`` for each item, submitted with at most ``window`` in flight, in item order."""
    pending: deque = deque()
    for item in items:
        pending.append(submit(function, item, *args))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _run_here(function: Callable, *args) -> Future:
    """Call ``function`` now, in this process, and wrap its result as a finished future."""
    future: Future = Future()
    future.set_result(function(*args))
    return future


@contextmanager
def open_executor(kind: str = "local", n_jobs: int = 1, scheduler: str | None = None, *,
                  threads: bool = False) -> Iterator[tuple[Callable, int]]:
    """``(submit, window)`` for ``kind``: "local" (``n_jobs`` processes, or threads of this process
    with ``threads``, for work whose heavy part releases the GIL; 1 runs here) or "dask".

    For "dask", ``scheduler`` is the address of a running scheduler (``tcp://host:8786``) or a
    ``distributed.Client``; without one a local cluster of ``n_jobs`` single-threaded worker
    processes (-1: one per core) is started and closed again.
    """
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {kind!r}")
    workers = worker_count(n_jobs)
    if kind == "dask":
        with _dask_client(scheduler, workers) as client:
            client.wait_for_workers(1)  # a scheduler whose workers have not joined yet would give a window of 0
            yield (lambda function, *args: client.submit(function, *args, pure=False)), \
                max(2, 2 * sum(client.nthreads().values()))
    elif workers == 1:
        yield _run_here, 1
    else:
        with (ThreadPoolExecutor if threads else ProcessPoolExecutor)(max_workers=workers) as pool:
            yield pool.submit, 2 * workers


@contextmanager
def _dask_client(scheduler, workers: int):
    """A Dask client on ``scheduler`` (an address or a Client), or on a local cluster it starts and stops."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError('executor="dask" needs Dask: pip install "cityanalytics[dask]"') from None
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client
