"""Let Ctrl-C reach the searches: an OR-Tools limit and a PyVRP stopping rule on the stop flag.

OR-Tools holds the interpreter while it searches, so a signal handler only runs when the
search calls back into Python: the limit below is that call (about 200,000 a second, a few
per cent of the search's speed). Once a stop is requested the search ends at its next check
and the solve raises :class:`~bookvan.data.interrupt.Interrupted` instead of returning a
partial plan that would be written.
"""

from __future__ import annotations

from collections.abc import Callable

from bookvan.data.interrupt import raise_if_stopped, stop_requested

__all__ = ["WatchedStop", "watch_routing"]


def _poll() -> bool:
    # a Python frame on purpose: signal handlers run only while Python code runs
    return stop_requested()


def watch_routing(routing: object) -> None:
    """Add a search limit to an OR-Tools RoutingModel that ends every search on a stop request.

    Call it before the model is closed; it holds for every later solve of the model.
    """
    routing.AddSearchMonitor(routing.solver().CustomLimit(_poll))  # type: ignore[attr-defined]


class WatchedStop:
    """A PyVRP stopping criterion that raises ``Interrupted`` on a stop request, else asks ``inner``."""

    def __init__(self, inner: Callable[[float], bool]) -> None:
        self.inner = inner

    def __call__(self, best_cost: float) -> bool:
        raise_if_stopped()
        return self.inner(best_cost)
