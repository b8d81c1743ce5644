"""Problem data for the routing engine: locations, visits, requests, vans. Pure values.

One engine serves the daily van plan and the public benchmarks (Solomon VRPTW, Li & Lim
PDPTW, CVRPLIB), so the data here is generic: the daily plan translates network, fleet and
transfers into a :class:`RoutingProblem`; the benchmark readers translate instance files.
Like PyVRP's ``ProblemData`` it is frozen and checked on construction, so bad values show up
here and not inside an OR-Tools callback.

Units: times are whole seconds from midnight of the plan's date (benchmarks: their own time
unit); distances are whole units of ``distance_unit`` (metres for the daily plan; for
benchmarks with fractional distances, the instance distance × a scale).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Break", "Precedence", "Request", "RoutingProblem", "VanSpec", "Visit", "request_kind"]


@dataclass(frozen=True)
class Visit:
    """One service at one location: pick up or drop off ``load`` units (positive = on board).

    ``window`` bounds the *start* of service. ``service_s`` is this visit's own handling time
    (e.g. per crate); the location's fixed stop time is charged once per stop
    (see :attr:`RoutingProblem.stop_service_s`).
    """

    location: int
    window: tuple[int, int]
    service_s: int = 0
    load: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        if self.window[0] > self.window[1]:
            raise ValueError(f"visit {self.label!r}: window {self.window} ends before it starts")
        if self.service_s < 0:
            raise ValueError(f"visit {self.label!r}: negative service time")


@dataclass(frozen=True)
class Request:
    """A job: a pickup visit and its delivery visit (same van, pickup first), or one visit.

    ``delivery=None`` is a single-visit job (a VRPTW/CVRP customer: its ``load`` counts against
    capacity as if loaded at the depot). ``penalty=None`` means it must be served; otherwise
    leaving it out costs ``penalty`` in the objective's units.
    """

    pickup: int
    delivery: int | None = None
    penalty: int | None = None
    label: str = ""
    vehicle: int | None = None  # pinned to this van (index into ``vans``); None: any van


@dataclass(frozen=True)
class Precedence:
    """Visit ``second`` starts at least ``gap_s`` after visit ``first`` starts (hub sorting).

    If ``first`` is left out, ``second`` is left out too.
    """

    first: int
    second: int
    gap_s: int = 0


@dataclass(frozen=True)
class Break:
    """A driver break of ``duration_s`` starting within [earliest_s, latest_s]."""

    earliest_s: int
    latest_s: int
    duration_s: int


@dataclass(frozen=True)
class VanSpec:
    """A van: where it starts and ends, capacity, shift, breaks, runs and fixed cost.

    ``max_trips > 1`` lets the van come back through its start location (the depot) and go
    out again; each return to the depot location ends a run. ``depot`` is that depot
    location when the van starts elsewhere (a re-plan from where a van stands mid-run);
    ``None`` means the start location is the depot.
    """

    start: int
    end: int
    capacity: int
    shift: tuple[int, int]
    breaks: tuple[Break, ...] = ()
    max_trips: int = 1
    fixed_cost: int = 0
    label: str = ""
    depot: int | None = None
    max_span_s: int | None = None  # route control: longest time out, leaving the start to coming back
    max_stops: int | None = None  # route control: most stops (locations served) in one run

    @property
    def home(self) -> int:
        """The depot location: where reloads happen and runs end."""
        return self.start if self.depot is None else self.depot

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"van {self.label!r}: negative capacity")
        if self.shift[0] > self.shift[1]:
            raise ValueError(f"van {self.label!r}: shift ends before it starts")
        if self.max_trips < 1:
            raise ValueError(f"van {self.label!r}: max_trips must be ≥ 1")


@dataclass(frozen=True)
class RoutingProblem:
    """Everything the solver needs, nothing it does not.

    ``distance`` and ``duration`` are square integer matrices over locations. The arc cost is
    ``cost_per_distance * distance + cost_per_second * duration`` (integers, in the objective's
    units, e.g. 1/10,000 NT$ for the daily plan, ``day_adapter.COST_SCALE``).
    ``stop_service_s[loc]`` is charged once each time a van arrives at ``loc`` from a
    different location. ``cost_per_span_second`` is charged
    per second a van is out (from leaving its depot to coming back): the driver's paid time,
    which also keeps a run compact instead of spread over the shift. ``same_run_pairs``
    makes every pair ride one run (no crate stays in the van through a depot visit), so each
    run's manifest loads and unloads the same crates. ``cost_per_second_delivered_late`` is
    charged per second a delivery starts after its window opens: among equally cheap plans,
    the one that puts crates on the shelf earlier wins (a hold reaches its reader sooner).
    """

    distance: np.ndarray
    duration: np.ndarray
    visits: tuple[Visit, ...]
    requests: tuple[Request, ...]
    vans: tuple[VanSpec, ...]
    stop_service_s: tuple[int, ...] = ()
    precedences: tuple[Precedence, ...] = ()
    cost_per_distance: int = 1
    cost_per_second: int = 0
    cost_per_span_second: int = 0
    same_run_pairs: bool = False
    cost_per_second_delivered_late: int = 0
    depot_locations: frozenset[int] = field(default_factory=frozenset)
    name: str = ""
    cost_global_span: int = 0  # route control "balance": per second of the longest van's day over the shortest

    def __post_init__(self) -> None:
        n = self.distance.shape[0]
        if self.distance.shape != (n, n) or self.duration.shape != (n, n):
            raise ValueError("distance and duration must be square matrices of the same size")
        if (self.distance < 0).any() or (self.duration < 0).any():
            raise ValueError("negative distance or duration in the matrix")
        if self.stop_service_s and len(self.stop_service_s) != n:
            raise ValueError("stop_service_s needs one entry per location")
        for v in self.visits:
            if not 0 <= v.location < n:
                raise ValueError(f"visit {v.label!r}: location {v.location} outside the matrix")
        nv = len(self.visits)
        used: set[int] = set()
        for r in self.requests:
            for vi in (r.pickup, r.delivery):
                if vi is None:
                    continue
                if not 0 <= vi < nv:
                    raise ValueError(f"request {r.label!r}: visit {vi} does not exist")
                if vi in used:
                    raise ValueError(f"request {r.label!r}: visit {vi} belongs to two requests")
                used.add(vi)
            if r.delivery is not None and self.visits[r.pickup].load + self.visits[r.delivery].load != 0:
                raise ValueError(f"request {r.label!r}: delivery must unload what the pickup loads")
        if len(used) != nv:
            raise ValueError("every visit must belong to exactly one request")
        for van in self.vans:
            for loc in (van.start, van.end):
                if not 0 <= loc < n:
                    raise ValueError(f"van {van.label!r}: location {loc} outside the matrix")
        for r in self.requests:
            if r.vehicle is not None and not 0 <= r.vehicle < len(self.vans):
                raise ValueError(f"request {r.label!r}: pinned to van {r.vehicle}, which does not exist")

    @property
    def num_locations(self) -> int:
        return int(self.distance.shape[0])

    @property
    def depot_places(self) -> frozenset[int]:
        """Locations a crate rides from or to as the depot: depots, and where vans start and end."""
        return frozenset(self.depot_locations) | {v.start for v in self.vans} | {v.end for v in self.vans}


def request_kind(p: RoutingProblem, r: Request, depots: frozenset[int]) -> str:
    """How request ``r`` sits against the ``depots`` (:attr:`RoutingProblem.depot_places`).

    ``single`` (one visit), ``from`` / ``to`` the depot (one stop out, the other half at the
    depot, loaded as a run starts or unloaded as it ends), or ``pair`` (both ends out, or both
    at depots). The warm starts give VROOM and PyVRP a one-stop job for ``from`` and ``to``.
    """
    if r.delivery is None:
        return "single"
    from_depot = p.visits[r.pickup].location in depots
    to_depot = p.visits[r.delivery].location in depots
    if from_depot != to_depot:
        return "from" if from_depot else "to"
    return "pair"
