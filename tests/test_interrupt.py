"""The shared stop flag: set by Ctrl-C's handler, polled by searches, cleared per command."""

from __future__ import annotations

import pytest

from bookvan.data import interrupt


@pytest.fixture(autouse=True)
def _clean():
    interrupt.clear()
    yield
    interrupt.clear()


def test_flag_is_clear_until_a_stop_is_requested() -> None:
    assert not interrupt.stop_requested()
    interrupt.raise_if_stopped()  # nothing to raise
    interrupt.request_stop()
    assert interrupt.stop_requested()
    with pytest.raises(interrupt.Interrupted, match="stopped by the user"):
        interrupt.raise_if_stopped()
    interrupt.clear()
    assert not interrupt.stop_requested()


def test_interrupted_passes_through_except_exception() -> None:
    interrupt.request_stop()
    with pytest.raises(interrupt.Interrupted):
        try:
            interrupt.raise_if_stopped()
        except Exception:  # a day's error report must not swallow a stop
            pytest.fail("Interrupted was caught as an Exception")
