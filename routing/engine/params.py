"""What goes into a solve besides the problem: the search settings, recorded in plan.json."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SolveParams"]


@dataclass(frozen=True)
class SolveParams:
    """Search settings, recorded in plan.json. Compared by value.

    ``deterministic=True`` stops on ``solution_limit`` (search steps) instead of wall time, so
    the same input and seed give the same plan on any machine; ``time_limit_s`` then caps the
    whole solve as a safety net only (a plan it ends says so: ``stats["search_capped"]``). In
    anytime mode the whole solve uses the time.
    """

    time_limit_s: float = 10.0
    seed: int = 0
    deterministic: bool = False
    solution_limit: int = 2000
    first_solution: str = "auto"
    metaheuristic: str = "guided_local_search"
    minimise_vans_first: bool = False
    log_search: bool = False
    # Warm start: "auto" (deterministic: VROOM and PyVRP, the cheaper start wins; anytime:
    # PyVRP), "vroom", "pyvrp" or "none" (see ``engine.warm_start``). PyVRP gets
    # ``warm_share`` of the time in anytime mode (``None``: 0.85 when it sees the whole problem,
    # no breaks or precedences, 0.95 above 200 visits, else 0.5), ``warm_iterations`` in
    # deterministic mode (``None``: by the day's size, ``engine.warm_start.pyvrp_iterations_for``).
    # ``vroom_level`` is VROOM's exploration level (1–5; its work limit); ``None`` picks it by
    # the day's size (``engine.warm_start.vroom_level_for``).
    warm_start: str = "auto"
    warm_share: float | None = None
    warm_iterations: int | None = None
    vroom_level: int | None = None
