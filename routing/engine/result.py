"""What the engine returns: routes per van with service times, and what was left out.

The search settings that went in are :class:`~bookvan.routing.engine.params.SolveParams`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RouteResult", "SolveResult"]


@dataclass(frozen=True)
class RouteResult:
    """One van's day: visit indices in order (depot start/end excluded) and their times.

    ``starts_s[i]`` is when service of ``visits[i]`` starts; ``arrivals_s[i]`` when the van
    got there (earlier if it waited for opening). ``breaks`` are (start_s, duration_s).

    Multi-trip vans (``VanSpec.max_trips > 1``): ``reload_after`` lists positions ``i`` such
    that the van drove back to its start location (the depot) right after ``visits[i]`` and
    went out again, so runs are ``visits[:reload_after[0] + 1]``, then the next slice, and so
    on. ``reload_s[k]`` is (arrival at the depot, time it may leave again, i.e. after the
    depot's stop time) for ``reload_after[k]``. Only real :class:`Visit` indices appear in
    ``visits``; the solver's internal reload nodes never do.
    """

    van: int
    visits: tuple[int, ...]
    arrivals_s: tuple[int, ...]
    starts_s: tuple[int, ...]
    depart_s: int
    return_s: int
    breaks: tuple[tuple[int, int], ...] = ()
    reload_after: tuple[int, ...] = ()
    reload_s: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SolveResult:
    """The solver's answer: routes of every van (empty ones included), dropped requests.

    ``status`` is one of ``"optimal"``, ``"feasible"`` (search stopped on its limit),
    ``"infeasible"`` (a request with ``penalty=None`` had to be left out: it is listed in
    ``dropped`` so the caller can explain it) or ``"no_solution"``. ``stats`` holds
    ``distance`` (sum of matrix distances driven), ``seed`` and search counters.
    """

    routes: tuple[RouteResult, ...]
    dropped: tuple[int, ...]  # request indices left out
    objective: int
    status: str
    wall_s: float
    solver: str = "ortools"
    solver_version: str = ""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def vans_used(self) -> int:
        return sum(1 for r in self.routes if r.visits)
