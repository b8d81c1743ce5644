"""Let Ctrl-C reach the searches: an OR-Tools limit and a PyVRP stopping rule on the stop flag.

OR-Tools holds the interpreter while it searches, so a signal handler only runs when the
search calls back into Python: the limit below is that call (about 200,000 a second, a few
per cent of the search's speed). Once a stop is requested the search ends at its next check
and the solve raises :class:`~bookvan.data.interrupt.Interrupted` instead of returning a
partial plan that would be written.
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.constraint_solver import pywrapcp

from bookvan.data.interrupt import raise_if_stopped, stop_requested

__all__ = ["WatchedStop", "watch_routing"]


def _poll() -> bool:
    # a Python frame on purpose: signal handlers run only while Python code runs
    return stop_requested()


class _StopFilter(pywrapcp.IntVarLocalSearchFilter):
    """Rejects every move once a stop is requested; polled for each candidate move.

    The search limit alone is checked between accepted moves, which on a day with breaks
    came 20 s apart; candidate moves are checked many times a second.
    """

    def Accept(self, delta, deltadelta, objective_min, objective_max) -> bool:
        return not stop_requested()

    def IsIncremental(self) -> bool:
        return False

    def OnSynchronize(self, delta) -> None:
        pass


def watch_routing(routing: object) -> None:
    """Add a search limit and a move filter to an OR-Tools RoutingModel that end every search
    on a stop request.

    Call it before the model is closed; it holds for every later solve of the model.
    """
    routing.AddSearchMonitor(routing.solver().CustomLimit(_poll))  # type: ignore[attr-defined]
    f = _StopFilter([routing.NextVar(i) for i in range(routing.Size())])  # type: ignore[attr-defined]
    routing._bookvan_stop_filter = f  # type: ignore[attr-defined]  # keep it alive with the model
    routing.AddLocalSearchFilter(f)  # type: ignore[attr-defined]


class WatchedStop:
    """A PyVRP stopping criterion that raises ``Interrupted`` on a stop request, else asks ``inner``."""

    def __init__(self, inner: Callable[[float], bool]) -> None:
        self.inner = inner

    def __call__(self, best_cost: float) -> bool:
        raise_if_stopped()
        return self.inner(best_cost)
