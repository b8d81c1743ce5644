"""The routing engine: a generic :class:`RoutingProblem` in, routes out (OR-Tools at the heart).

Files, one job each: ``problem`` (the frozen input values), ``params`` (search settings),
``model`` (the OR-Tools model of a problem), ``search`` (search parameters and
:func:`solve`), ``warm_start`` with ``warm_vroom``, ``warm_pyvrp`` and ``warm_repair``
(other solvers' routes as the first assignment), ``extract`` (assignment → results), ``result`` (what a
solve returns). The adapters that build problems live beside the engine:
:mod:`bookvan.routing.day_adapter` (the library's day) and
:mod:`bookvan.routing.bench.adapter` (public benchmark instances).
"""

from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Break, Precedence, Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.result import RouteResult, SolveResult

__all__ = [
    "Break",
    "Precedence",
    "Request",
    "RouteResult",
    "RoutingProblem",
    "SolveParams",
    "SolveResult",
    "VanSpec",
    "Visit",
    "search_parameters",
    "solve",
    "solve_plain",
]


def __getattr__(name: str):
    """``solve``, ``solve_plain`` and ``search_parameters`` load OR-Tools on first use only.

    The problem and parameter values are light; the CLI imports them before it knows whether
    the command will solve anything.
    """
    if name in ("solve", "solve_plain", "search_parameters"):
        from bookvan.routing.engine import search

        return getattr(search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
