"""Translate a day (node hours, vans, transfers, travel matrix) into a :class:`RoutingProblem`.

Pure: tables in, problem plus the index maps to read the answer back out. Costs are whole
units of 1/10,000 NT$ so that NT$ 6/km stays exact per metre (OR-Tools wants integers).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from bookvan.data.fleet import Costs, RoutingSettings
from bookvan.data.hours import DAY_S  # a window without a closing time runs to midnight
from bookvan.routing.engine.problem import Break, Precedence, Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.timetext import day_time_text

__all__ = ["COST_SCALE", "DayBuilder", "DayProblem", "VisitInfo", "build_day_problem", "seconds_of_day"]

COST_SCALE = 10_000  # objective units per NT$


@dataclass(frozen=True)
class VisitInfo:
    """What a routing visit means in the library's terms."""

    transfer_id: str
    role: str  # "pickup" | "delivery"
    node_id: str
    crates: int


@dataclass(frozen=True)
class DayProblem:
    problem: RoutingProblem
    locations: tuple[str, ...]  # location index → node_id
    visit_info: tuple[VisitInfo, ...]
    request_transfer: tuple[str, ...]  # request index → transfer_id
    midnight: pd.Timestamp
    screened: tuple[tuple[str, str], ...] = ()  # (transfer_id, reason) left out before solving

    def at(self, seconds: int) -> pd.Timestamp:
        """The time ``seconds`` after midnight (a datetime.timedelta adds faster than a pd.Timedelta, same result)."""
        return self.midnight + dt.timedelta(seconds=int(seconds))


def seconds_of_day(ts: pd.Timestamp | None, midnight: pd.Timestamp) -> int | None:
    if ts is None or pd.isna(ts):
        return None
    return int((ts - midnight).total_seconds())


def matrix_arrays(matrix: pd.DataFrame, locations: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Whole-metre distance and whole-second duration arrays over ``locations``."""
    idx = {n: i for i, n in enumerate(locations)}
    fi = np.array([idx.get(a, -1) for a in matrix["from_id"].tolist()], dtype=np.int64)  # -1: not used today
    ti = np.array([idx.get(b, -1) for b in matrix["to_id"].tolist()], dtype=np.int64)
    keep = (fi >= 0) & (ti >= 0)
    fi, ti = fi[keep], ti[keep]
    n = len(locations)
    dist = np.full((n, n), -1, dtype=np.int64)
    dur = np.full((n, n), -1, dtype=np.int64)
    dist[fi, ti] = np.ceil(matrix["distance_m"].to_numpy()[keep]).astype(np.int64)
    dur[fi, ti] = np.ceil(matrix["duration_s"].to_numpy()[keep]).astype(np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    if (dist < 0).any():
        a, b = np.argwhere(dist < 0)[0]
        raise ValueError(f"travel matrix has no row {locations[a]} → {locations[b]}")
    return dist, dur


def build_day_problem(
    *,
    date: dt.date,
    nodes: pd.DataFrame,
    vehicles: pd.DataFrame,
    transfers: pd.DataFrame,
    matrix: pd.DataFrame,
    costs: Costs,
    settings: RoutingSettings,
    release_s: dict[str, int] | None = None,
    due_s: dict[str, int] | None = None,
    with_precedences: bool = True,
    extra_nodes: tuple[str, ...] = (),
) -> DayProblem:
    """Build the routing problem for transfers already screened as servable today.

    Windows bound the start of service so that a stop finishes before the node closes; a
    depot's hours bound pickups and drops there. Holds carry a larger drop penalty than
    returns, so when something must wait it is a return. ``release_s`` / ``due_s`` hold extra
    earliest pickup / latest delivery times (seconds of the day) by transfer id; hub mode uses
    them for a sorting cut-off instead of a cross-van precedence (``with_precedences=False``).
    ``extra_nodes`` are locations needed beyond depots and transfer ends (a re-plan's vans
    standing at a branch).
    """
    day = DayBuilder(date=date, nodes=nodes, vehicles=vehicles, transfers=transfers, matrix=matrix, costs=costs,
                     settings=settings, extra_nodes=extra_nodes)
    return day.build(release_s, due_s, with_precedences=with_precedences)


class DayBuilder:
    """One day's tables read once, built into problems that differ only in extra times.

    Hub mode builds a day once per sorting cut-off; the hours, matrix, vans and transfer rows
    are the same each time, and reading them was most of a build (:func:`build_day_problem`
    is one build).
    """

    def __init__(
        self,
        *,
        date: dt.date,
        nodes: pd.DataFrame,
        vehicles: pd.DataFrame,
        transfers: pd.DataFrame,
        matrix: pd.DataFrame,
        costs: Costs,
        settings: RoutingSettings,
        extra_nodes: tuple[str, ...] = (),
    ) -> None:
        midnight = pd.Timestamp(dt.datetime.combine(date, dt.time()), tz=nodes["opens"].dt.tz)
        node = _node_days(nodes, midnight)
        depots = sorted(set(vehicles["depot_id"].tolist()))
        self._rows = _transfer_rows(transfers)
        ends = [*(r.origin_id for r in self._rows), *(r.destination_id for r in self._rows)]
        used = list(dict.fromkeys([*depots, *ends, *extra_nodes]))
        loc = {n: i for i, n in enumerate(used)}
        self._dist, self._dur = matrix_arrays(matrix, used)
        stop_service = tuple(0 if node[n].kind == "depot" else node[n].service_s for n in used)
        self._day = _Day(node, midnight, loc, stop_service)
        self._vehicles, self._settings, self._costs = vehicles, settings, costs
        self._used, self._depots, self._date = tuple(used), depots, date
        self.vans: tuple[VanSpec, ...] = tuple(_van_specs(vehicles, loc, midnight, costs))

    def leg_pairs(self) -> list[tuple[str, str]]:
        """(earlier leg, later leg) transfer ids of the hub-mode transfers, originals by id."""
        return [pair for chain in _leg_chains(self._rows) for pair in itertools.pairwise(chain)]

    def build(
        self, release_s: dict[str, int] | None = None, due_s: dict[str, int] | None = None, *,
        with_precedences: bool = True,
    ) -> DayProblem:
        """The day's problem with extra earliest pickups / latest deliveries (see :func:`build_day_problem`)."""
        day, costs, settings = self._day, self._costs, self._settings
        jobs = _transfer_jobs(day, self._rows, self._vehicles, settings, release_s, due_s)
        precedences = _leg_precedences(self._rows, jobs, settings) if with_precedences else []
        problem = RoutingProblem(
            distance=self._dist,
            duration=self._dur,
            visits=tuple(jobs.visits),
            requests=tuple(jobs.requests),
            vans=self.vans,
            stop_service_s=day.stop_service,
            precedences=tuple(precedences),
            cost_per_distance=round(costs.per_km * COST_SCALE / 1000),
            cost_per_second=0,  # drivers are paid for time out, not only time driving: span cost
            cost_per_span_second=round(costs.per_driver_hour * COST_SCALE / 3600),
            same_run_pairs=True,
            # NT$ 1.8 per hour a delivery waits: small against a van-hour (NT$ 300), enough to break ties early
            cost_per_second_delivered_late=COST_SCALE // 2000,
            depot_locations=frozenset(day.loc[d] for d in self._depots),
            name=f"keelung-{self._date}",
        )
        return DayProblem(problem, self._used, tuple(jobs.info), tuple(jobs.req_tid), day.midnight,
                          tuple(jobs.screened))


@dataclass(frozen=True)
class _Node:
    """One node's day as the builder reads it: hours as seconds of the day (None: closed or open-ended)."""

    kind: str
    service_s: int
    per_crate_s: int
    opens: int | None
    closes: int | None
    closed: bool  # no opening time today
    closed_reason: object
    name_en: object


def _node_days(nodes: pd.DataFrame, midnight: pd.Timestamp) -> dict[str, _Node]:
    """node_id → :class:`_Node`, read once per build rather than cell by cell per transfer."""
    cols = ("node_id", "kind", "service_s", "service_per_crate_s", "opens", "closes", "closed_reason", "name_en")
    out = {}
    for nid, kind, svc, per, opens, closes, reason, name in zip(*(nodes[c].tolist() for c in cols), strict=True):
        out[nid] = _Node(
            kind=kind,
            service_s=int(svc),
            per_crate_s=int(per),
            opens=seconds_of_day(opens, midnight),
            closes=seconds_of_day(closes, midnight),
            closed=bool(pd.isna(opens)),
            closed_reason=reason,
            name_en=name,
        )
    return out


@dataclass(frozen=True)
class _Day:
    """The day's nodes as the builder reads them: per-node hours, midnight, location index, fixed stop time."""

    node: dict[str, _Node]
    midnight: pd.Timestamp
    loc: dict[str, int]
    stop_service: tuple[int, ...]

    def window(self, node_id: str, svc: int, lo: int | None, hi: int | None) -> tuple[int, int]:
        """Service-start window at ``node_id`` for ``svc`` seconds of handling, within ``lo``/``hi``."""
        n = self.node[node_id]
        o = 0 if n.opens is None else n.opens
        c = DAY_S if n.closes is None else n.closes
        fixed = self.stop_service[self.loc[node_id]]
        start, end = o, c - svc - fixed
        if lo is not None:
            start = max(start, lo)
        if hi is not None:
            end = min(end, hi - svc - fixed)
        return start, end


@dataclass
class _Jobs:
    """The transfers as routing visits and requests, and those screened out with their reason."""

    visits: list[Visit] = field(default_factory=list)
    info: list[VisitInfo] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    req_tid: list[str] = field(default_factory=list)
    pickup_visit: dict[str, int] = field(default_factory=dict)
    delivery_visit: dict[str, int] = field(default_factory=dict)
    screened: list[tuple[str, str]] = field(default_factory=list)


def _transfer_jobs(
    day: _Day,
    transfers: list[_Transfer],
    vehicles: pd.DataFrame,
    settings: RoutingSettings,
    release_s: dict[str, int] | None,
    due_s: dict[str, int] | None,
) -> _Jobs:
    """A pickup and a delivery visit and one request per transfer that can be served today."""
    jobs = _Jobs()
    dropped_ids: set[str] = set()
    caps = vehicles["capacity_crates"].tolist()
    largest = int(max(caps)) if caps else 0
    day_crates = int(sum(c * t for c, t in zip(caps, vehicles["max_trips"].tolist(), strict=True)))
    node, midnight, loc = day.node, day.midnight, day.loc
    for r in transfers:
        crates = int(r.crates)
        per = node[r.origin_id].per_crate_s * crates
        per_d = node[r.destination_id].per_crate_s * crates
        release = seconds_of_day(r.release, midnight)
        if release_s and r.transfer_id in release_s:
            release = max(release or 0, release_s[r.transfer_id])
        due = seconds_of_day(r.due, midnight)
        if due_s and r.transfer_id in due_s:
            due = min(due if due is not None else DAY_S, due_s[r.transfer_id])
        why = _unservable(day, r, crates, largest, day_crates, dropped_ids)
        pw = day.window(r.origin_id, per, release, None)
        dw = day.window(r.destination_id, per_d, None, due)
        if why is None:
            why = _outside_windows(day, r, crates, pw, dw, release, due, release_s, due_s)
        if why is not None:
            jobs.screened.append((r.transfer_id, why))
            if isinstance(r.leg_of, str):
                dropped_ids.add(r.leg_of)
            continue
        jobs.pickup_visit[r.transfer_id] = len(jobs.visits)
        jobs.visits.append(Visit(loc[r.origin_id], pw, per, crates, f"{r.transfer_id}:pickup"))
        jobs.info.append(VisitInfo(r.transfer_id, "pickup", r.origin_id, crates))
        jobs.delivery_visit[r.transfer_id] = len(jobs.visits)
        jobs.visits.append(Visit(loc[r.destination_id], dw, per_d, -crates, f"{r.transfer_id}:delivery"))
        jobs.info.append(VisitInfo(r.transfer_id, "delivery", r.destination_id, crates))
        base = settings.hold_penalty if r.kind == "hold" else settings.return_penalty
        jobs.requests.append(
            Request(
                jobs.pickup_visit[r.transfer_id],
                jobs.delivery_visit[r.transfer_id],
                penalty=int(base * COST_SCALE),
                label=r.transfer_id,
            )
        )
        jobs.req_tid.append(r.transfer_id)
    return jobs


class _Transfer(NamedTuple):
    """The fields of one transfer row the builder reads (``leg_of``/``leg`` None/1 without those columns)."""

    transfer_id: str
    origin_id: str
    destination_id: str
    crates: int
    kind: str
    release: pd.Timestamp | None
    due: pd.Timestamp | None
    leg_of: str | None
    leg: int | None


def _transfer_rows(transfers: pd.DataFrame) -> list[_Transfer]:
    """The transfers as plain tuples from whole columns: pandas row access costs more than the rest of the build."""
    n = len(transfers)
    cols = [transfers[c].tolist() for c in _Transfer._fields[:7]]
    cols += [transfers[c].tolist() if c in transfers.columns else [d] * n for c, d in (("leg_of", None), ("leg", 1))]
    return [_Transfer._make(row) for row in zip(*cols, strict=True)]


def _unservable(
    day: _Day, r: _Transfer, crates: int, largest: int, day_crates: int, dropped_ids: set[str]
) -> str | None:
    """Why transfer ``r`` cannot go today whatever the times: too big, an end closed, its first leg dropped."""
    why = None
    if crates > largest:  # left whole by split_oversize: more than every van's runs together
        why = (f"{crates} crates: more than the largest van holds ({largest}) and than all vans carry "
               f"in a day ({day_crates}); split it over several days")
    for end, nid in (("pickup", r.origin_id), ("delivery", r.destination_id)):
        if why is None and day.node[nid].closed:
            why = f"{end} impossible today: {day.node[nid].closed_reason}"
    if why is None and isinstance(r.leg_of, str) and r.leg_of in dropped_ids and r.leg > 1:  # type: ignore[operator]
        why = "its first leg to the sorting hub cannot be served today"
    return why


def _outside_windows(
    day: _Day,
    r: _Transfer,
    crates: int,
    pw: tuple[int, int],
    dw: tuple[int, int],
    release: int | None,
    due: int | None,
    release_s: dict[str, int] | None,
    due_s: dict[str, int] | None,
) -> str | None:
    """Why transfer ``r`` cannot go today for its times: an empty pickup (``pw``) or delivery (``dw``) window."""
    node, midnight = day.node, day.midnight
    if pw[0] > pw[1] and release_s and r.transfer_id in release_s:
        ready = day_time_text(release_s[r.transfer_id], midnight)
        return f"its crates are sorted at the hub only at {ready}, too late for today's runs"
    if dw[0] > dw[1] and due_s and r.transfer_id in due_s:
        cut = day_time_text(due_s[r.transfer_id], midnight)
        return f"it cannot reach the sorting hub by {cut}, today's sorting cut-off"
    if pw[0] > pw[1]:
        return (
            f"released at {day_time_text(release, midnight)}, "
            f"after the last pickup time at {node[r.origin_id].name_en}"
            if release is not None
            else f"{crates} crates take longer to load than {node[r.origin_id].name_en} is open"
        )
    if dw[0] > dw[1]:
        return (
            f"due at {day_time_text(due, midnight)}, before {node[r.destination_id].name_en} can receive it"
            if due is not None
            else f"{crates} crates take longer to unload than {node[r.destination_id].name_en} is open"
        )
    return None


def _leg_precedences(transfers: list[_Transfer], jobs: _Jobs, settings: RoutingSettings) -> list[Precedence]:
    """Each leg of a hub transfer is picked up ``sorting_s`` after the leg before it is delivered."""
    precedences: list[Precedence] = []
    for ordered in _leg_chains(transfers):
        served = [t for t in ordered if t in jobs.pickup_visit]
        for a, b in itertools.pairwise(served):
            precedences.append(Precedence(jobs.delivery_visit[a], jobs.pickup_visit[b], settings.sorting_s))
    return precedences


def _leg_chains(transfers: list[_Transfer]) -> list[list[str]]:
    """The transfer ids of each original's legs in leg order, originals by id (as a sorted groupby)."""
    legs: dict[object, list[tuple[object, int, str]]] = {}
    for k, r in enumerate(transfers):
        if not pd.isna(r.leg_of):
            legs.setdefault(r.leg_of, []).append((r.leg, k, r.transfer_id))
    return [[tid for _, _, tid in sorted(legs[of], key=_leg_order)] for of in sorted(legs)]  # type: ignore[type-var]


def _leg_order(item: tuple[object, int, str]) -> tuple[bool, object, int]:
    """Sort key of a leg: its number, missing numbers last, then its row."""
    leg, row, _ = item
    missing = bool(pd.isna(leg))
    return missing, 0 if missing else leg, row


def _van_specs(vehicles: pd.DataFrame, loc: dict[str, int], midnight: pd.Timestamp, costs: Costs) -> list[VanSpec]:
    """One van per vehicle row: from and back to its depot, in its shift, with its break."""
    names = ("vehicle_id", "depot_id", "capacity_crates", "shift_start", "shift_end",
             "break_earliest", "break_latest", "break_s", "max_trips")  # fmt: skip
    vans = []
    for vid, depot, cap, s0, s1, b0, b1, bs, trips in zip(*(vehicles[c].tolist() for c in names), strict=True):
        breaks: tuple[Break, ...] = ()
        if bs and not pd.isna(b0):
            breaks = (Break(seconds_of_day(b0, midnight), seconds_of_day(b1, midnight), int(bs)),)
        vans.append(
            VanSpec(
                start=loc[depot],
                end=loc[depot],
                capacity=int(cap),
                shift=(seconds_of_day(s0, midnight), seconds_of_day(s1, midnight)),
                breaks=breaks,
                max_trips=int(trips),
                fixed_cost=int(costs.per_van_day * COST_SCALE),
                label=vid,
            )
        )
    return vans
