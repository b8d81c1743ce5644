"""Ctrl-C reaches the searches: the PyVRP stopping rule raises once a stop is requested."""

from __future__ import annotations

import pytest

from bookvan.data import interrupt
from bookvan.routing.engine.stop_watch import WatchedStop


@pytest.fixture(autouse=True)
def _clean():
    interrupt.clear()
    yield
    interrupt.clear()


def test_watched_stop_asks_the_inner_rule_until_a_stop_is_requested() -> None:
    seen: list[float] = []

    def inner(cost: float) -> bool:
        seen.append(cost)
        return cost < 10

    stop = WatchedStop(inner)
    assert stop(12.0) is False and stop(9.0) is True
    assert seen == [12.0, 9.0]
    interrupt.request_stop()
    with pytest.raises(interrupt.Interrupted):
        stop(8.0)
    assert seen == [12.0, 9.0]
