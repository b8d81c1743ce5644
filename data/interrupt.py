"""A stop flag that Ctrl-C sets and long searches poll, so an interrupt ends them in a second.

The command line installs the signal handler (it alone decides what Ctrl-C means); the
library only polls :func:`stop_requested` from its search loops (OR-Tools search limits,
PyVRP stopping criteria, simulation day loops) and raises :class:`Interrupted` where it
must unwind without writing anything.
"""

from __future__ import annotations

import threading

__all__ = ["Interrupted", "clear", "raise_if_stopped", "request_stop", "stop_requested"]

_STOP = threading.Event()


class Interrupted(BaseException):
    """The user asked to stop: unwind, write nothing, leave earlier outputs as they were.

    A ``BaseException`` like ``KeyboardInterrupt``, so that no ``except Exception`` on the way
    (a simulation day's error report, a reader's fallback) turns a stop into a failure.
    """


def request_stop() -> None:
    """Ask every running search to stop as soon as it next looks (signal-handler safe)."""
    _STOP.set()


def stop_requested() -> bool:
    """True once a stop was requested (cheap: searches call it thousands of times a second)."""
    return _STOP.is_set()


def clear() -> None:
    """Forget an earlier request (a new command, or a test, starts clean)."""
    _STOP.clear()


def raise_if_stopped() -> None:
    """Raise :class:`Interrupted` when a stop was requested."""
    if _STOP.is_set():
        raise Interrupted("stopped by the user")
