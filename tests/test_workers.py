"""Forked workers: results in chunk order, a clean end when the chunks run out, one line when a worker fails."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator

import pytest

from kg.workers import WorkerError, ordered_map


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A worker that never ends fails the test instead of hanging the suite."""
    def fail(signum: int, frame: object) -> None:
        raise TimeoutError("ordered_map did not return")
    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _scaled(factor: int, chunk: list[int]) -> list[int]:
    return [factor * x for x in chunk]


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_consumed_to_the_end_in_order_and_every_worker_exits(processes: int) -> None:
    chunks = [[i, i + 1] for i in range(0, 14, 2)]
    assert list(ordered_map(_scaled, 10, iter(chunks), processes)) == [_scaled(10, c) for c in chunks]
    assert multiprocessing.active_children() == []


def test_fewer_chunks_than_workers() -> None:
    assert list(ordered_map(_scaled, 2, [[1]], 3)) == [[2]]
    assert multiprocessing.active_children() == []


def test_stopping_early_kills_the_workers() -> None:
    results = ordered_map(_scaled, 1, ([i] for i in range(100)), 2)
    assert next(results) == [0]
    results.close()
    assert multiprocessing.active_children() == []


def test_a_raising_function_is_one_error_line() -> None:
    def broken(state: None, chunk: list[int]) -> list[int]:
        raise ValueError(f"bad chunk {chunk}")
    with pytest.raises(WorkerError, match=r"worker process 0 failed: ValueError: bad chunk \[0\]"):
        list(ordered_map(broken, None, [[0], [1]], 2))
    assert multiprocessing.active_children() == []
