"""Worker processes that map a function over chunks in order and stop at once when the run is interrupted.

spaCy's ``nlp.pipe(n_process=N)`` lets Ctrl-C reach its workers (each prints a traceback) and can hang at exit
on its queues' feeder threads. Here each worker, forked with the state it needs, ignores SIGINT and has one
chunk in flight over its own pipe: the parent alone is interrupted, and stopping is killing the workers.
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from kg.errors import KGError

S = TypeVar("S")
C = TypeVar("C")
R = TypeVar("R")

_END = object()


class WorkerError(KGError):
    """A worker process died or its function raised."""


class _Crash:
    """What a worker sends back when its function raised: the traceback's last line."""

    def __init__(self, message: str) -> None:
        self.message = message


def _serve(conn: Connection, parent_end: Connection, function: Callable[[S, C], R], state: S) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    parent_end.close()  # the fork's copy: with it open, the parent closing its end would not end the input
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        try:
            result: R | _Crash = function(state, chunk)
        except Exception:  # noqa: BLE001 - reported by the parent as one line
            result = _Crash(traceback.format_exc().strip().splitlines()[-1])
        conn.send(result)


class _Worker:
    def __init__(self, index: int, function: Callable[[Any, Any], Any], state: object) -> None:
        context = multiprocessing.get_context("fork")  # the state (a loaded pipeline) is inherited, not pickled
        self.index = index
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, self.conn, function, state),
                                                    daemon=True, name=f"kg-worker-{index}")
        self.process.start()
        child.close()

    def result(self) -> Any:
        try:
            result = self.conn.recv()
        except EOFError:
            self.process.join(timeout=5)
            raise WorkerError(f"worker process {self.index} died (exit code {self.process.exitcode}); "
                              "if the machine ran out of memory, use fewer processes (--processes)") from None
        if isinstance(result, _Crash):
            raise WorkerError(f"worker process {self.index} failed: {result.message}")
        return result


def ordered_map(function: Callable[[S, C], R], state: S, chunks: Iterable[C], processes: int) -> Iterator[R]:
    """``function(state, chunk)`` for every chunk, computed by ``processes`` forked workers, in chunk order.

    Chunk ``i`` goes to worker ``i % processes``; each worker gets its next chunk as soon as its result is
    taken, so it works while the caller uses that result. When the caller stops early or anything is raised
    (KeyboardInterrupt included), the workers are killed before this generator returns.

    Raises:
        WorkerError: a worker died or ``function`` raised in it.
    """
    source = iter(chunks)
    workers: list[_Worker] = []
    finished = False
    try:
        for index in range(processes):
            chunk = next(source, _END)
            if chunk is _END:
                break
            workers.append(_Worker(index, function, state))
            workers[-1].conn.send(chunk)
        busy = len(workers)
        position = 0
        while busy:
            worker = workers[position % len(workers)]
            result = worker.result()
            chunk = next(source, _END)
            if chunk is _END:
                busy -= 1
            else:
                worker.conn.send(chunk)
            position += 1
            yield result
        finished = True
    finally:
        _stop(workers, kill=not finished)


def _stop(workers: list[_Worker], *, kill: bool) -> None:
    """Close every pipe before waiting for any worker: a worker holds copies of the pipes of the workers forked
    before it, so those see the end of their input only when it has exited."""
    for worker in workers:
        worker.conn.close()
        if kill:
            worker.process.kill()
    for worker in workers:
        worker.process.join()
