"""Writing the sessions' pages on every CPU: they are independent of each other.

Most of an atlas's time goes to its session pages (each map's positions, its draft
rendered twice), and each session's pages depend on nothing but its own map. On a
machine with several CPUs :func:`each` runs them in forked worker processes: a fork
shares the maps already in memory, so nothing is pickled but a session's number
and, back, what went wrong. Where forking is not safe or not worth it (one CPU, few
sessions, no ``fork`` on the platform, other threads in the process, which a fork
would copy mid-step), the work runs here, one session after another. The pages are
the same bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from ..errors import ConceptMapError, FileError

__all__ = ["each", "workers_for"]

#: fewer sessions than this are written here: starting workers costs more
MIN_SESSIONS = 4
_job: Callable[[int], None] | None = None


def workers_for(count: int) -> int:
    """How many processes to write ``count`` sessions with (1: here, no workers).

    >>> workers_for(1)
    1
    """
    if count < MIN_SESSIONS or threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, count))


def _run(i: int) -> tuple[str, str, int | None] | None:
    """In a worker: job ``i``, and what went wrong as plain data (errors' own
    constructors do not all survive pickling)."""
    if _job is None:  # pragma: no cover - only a worker forked by each() runs this
        raise RuntimeError("no job: _run runs in workers forked by each()")
    try:
        _job(i)
    except FileError as exc:
        return exc.path, exc.reason, exc.line
    except ConceptMapError as exc:
        return "", str(exc), None
    return None


def each(job: Callable[[int], None], count: int) -> None:
    """``job(0)``, ..., ``job(count - 1)``, on every CPU where that is safe and worth it.

    The first :class:`~conceptmap.errors.ConceptMapError` of a job is raised here.

    >>> done = []
    >>> each(done.append, 3)
    >>> done
    [0, 1, 2]
    """
    global _job
    workers = workers_for(count)
    if workers == 1:
        for i in range(count):
            job(i)
        return
    _job = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            problems = list(pool.map(_run, range(count)))
    finally:
        _job = None
    for problem in problems:
        if problem is not None:
            path, reason, line = problem
            if path:
                raise FileError(path, reason, line)
            raise ConceptMapError(reason)
