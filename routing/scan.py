"""Check crate scans against a plan and work out the day's state: vans, crates, stops.

Pure functions: a loaded :class:`~bookvan.routing.manifest.plan.Plan` and a scans table (from
:func:`bookvan.data.scans.read_scans` or the desk's store) in, a :class:`DayState` out. The
plan says, for every crate id printed on a label, which van loads it where and unloads it
where (two loads and two unloads for a crate that goes through the depot's sorting in hub
mode). Scans are replayed in time order; what contradicts the plan becomes a :class:`Finding`
a coordinator can act on, and the state shows where things physically are after the scans
(a crate unloaded at the wrong branch is at that branch, not where the plan wanted it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Protocol

import pandas as pd

from bookvan.routing.manifest.crates import crate_ids
from bookvan.routing.manifest.plan import Plan

__all__ = [
    "CrateState",
    "DayState",
    "Finding",
    "Handling",
    "StopState",
    "VanState",
    "check_scans",
    "planned_handlings",
]

FINDING_KINDS = (
    "unknown_van",
    "unknown_crate",
    "unplanned_crate",
    "node_not_visited",
    "out_of_order",
    "wrong_node",
    "wrong_van",
    "not_on_board",
    "already_on_board",
    "never_loaded",
    "never_unloaded",
)


@dataclass(frozen=True)
class Handling:
    """One planned touch of a crate: a van loads or unloads it at one stop."""

    crate_id: str
    transfer_id: str
    action: str  # loaded | unloaded
    vehicle_id: str
    trip: int
    seq: int
    node_id: str
    time: pd.Timestamp
    position: int  # index of the stop in the van's day (all runs in order)


@dataclass(frozen=True)
class Finding:
    """A scan (or a missing scan) that contradicts the plan."""

    kind: str
    message: str
    row: int | None = None
    crate_id: str | None = None
    vehicle_id: str | None = None
    node_id: str | None = None


@dataclass(frozen=True)
class StopState:
    vehicle_id: str
    trip: int
    seq: int
    node_id: str
    arrival: pd.Timestamp
    status: str  # scanned | passed | pending
    scans: int


@dataclass(frozen=True)
class VanState:
    vehicle_id: str
    node_id: str
    last_scan: pd.Timestamp | None
    off_plan: bool  # last scanned at a node its plan never visits
    on_board: tuple[str, ...]
    stops_done: int
    stops_total: int
    next_node_id: str | None


@dataclass(frozen=True)
class CrateState:
    crate_id: str
    transfer_id: str
    status: str  # waiting | on_board | in_transit | delivered | misplaced | missing | not_planned
    vehicle_id: str | None
    node_id: str | None
    destination_id: str
    damaged: bool
    last_scan: pd.Timestamp | None


@dataclass(frozen=True)
class DayState:
    """Everything ``bookvan scan`` writes: findings, then where vans, stops and crates stand."""

    plan_id: str
    date: str
    as_of: pd.Timestamp | None
    events: int
    findings: tuple[Finding, ...]
    vans: tuple[VanState, ...]
    stops: tuple[StopState, ...]
    crates: tuple[CrateState, ...]

    def to_json(self) -> dict:
        """A JSON-ready dict (timestamps as ISO text)."""

        def conv(x: object) -> object:
            if isinstance(x, pd.Timestamp):
                return x.isoformat()
            if isinstance(x, dict):
                return {k: conv(v) for k, v in x.items()}
            if isinstance(x, list | tuple):
                return [conv(v) for v in x]
            return x

        return conv(asdict(self))  # type: ignore[return-value]

    def table(self, name: str) -> pd.DataFrame:
        """One of ``vans``, ``stops``, ``crates``, ``findings`` as a table."""
        rows = [asdict(x) for x in getattr(self, name)]
        df = pd.DataFrame(rows)
        if name == "vans" and len(df):
            df["on_board"] = df["on_board"].map(list)
        return df


def _van_stops(plan: Plan) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in plan.stops.itertuples(index=False):  # already sorted by van, trip, seq
        out[str(r.vehicle_id)].append(r)
    return dict(out)


def _transfer_info(plan: Plan) -> dict[str, tuple[str, int, int]]:
    """transfer id → (crate id base: the original transfer in hub mode, leg number, crates)."""
    tr = plan.transfers
    legs_of = tr["leg_of"] if "leg_of" in tr.columns else pd.Series(None, index=tr.index)
    legs = tr["leg"] if "leg" in tr.columns else pd.Series(None, index=tr.index)
    out = {}
    for tid, base, leg, n in zip(tr.index, legs_of, legs, tr["crates"], strict=True):
        b = str(tid) if base is None or pd.isna(base) or base == "" else str(base)
        out[str(tid)] = (b, 1 if leg is None or pd.isna(leg) else int(leg), int(n))
    return out


def planned_handlings(plan: Plan) -> dict[str, list[Handling]]:
    """Every crate id of the plan's served transfers → its loads and unloads in order."""
    info = _transfer_info(plan)
    out: dict[str, list[tuple[tuple, Handling]]] = defaultdict(list)
    for van, stops in _van_stops(plan).items():
        for pos, s in enumerate(stops):
            for action, ids in (("loaded", s.pickup_ids), ("unloaded", s.delivery_ids)):
                for tid in [] if ids is None else list(ids):
                    base, leg, n = info[str(tid)]
                    when = pd.Timestamp(s.departure if action == "loaded" else s.arrival)
                    for cid in crate_ids(base, n):
                        h = Handling(cid, str(tid), action, van, int(s.trip), int(s.seq), str(s.node_id), when, pos)
                        out[cid].append(((leg, action == "unloaded", when), h))
    return {cid: [h for _, h in sorted(hs, key=lambda x: x[0])] for cid, hs in out.items()}


def _all_crates(plan: Plan) -> dict[str, tuple[str, str, str]]:
    """crate id → (transfer id, first origin, final destination), for every transfer row."""
    info = _transfer_info(plan)
    tr = plan.transfers
    ends: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for tid, o, d in zip(tr.index, tr["origin_id"], tr["destination_id"], strict=True):
        base, leg, _ = info[str(tid)]
        ends[base].append((leg, str(o), str(d)))
    out: dict[str, tuple[str, str, str]] = {}
    for tid in tr.index:
        base, _, n = info[str(tid)]
        legs = sorted(ends[base])
        for cid in crate_ids(base, n):
            out.setdefault(cid, (base, legs[0][1], legs[-1][2]))
    return out


@dataclass
class _Crate:
    where: str  # node | van | missing
    at: str
    next_h: int = 0
    damaged: bool = False
    last: pd.Timestamp | None = None
    scanned: bool = False


@dataclass
class _Van:
    pos: int = -1
    node: str | None = None
    last: pd.Timestamp | None = None
    off_plan: bool = False
    on_board: set[str] = field(default_factory=set)


def _hm(ts: pd.Timestamp) -> str:
    return f"{ts:%H:%M}"


def _out_of_file_order(events: pd.DataFrame) -> list[Finding]:
    out = []
    latest: pd.Timestamp | None = None
    for r in events.itertuples(index=False):
        if latest is not None and r.time < latest:
            out.append(Finding(
                "out_of_order",
                f"row {r.row}: scan at {_hm(r.time)} comes after a scan at {_hm(latest)} in the file; "
                "scans are replayed in time order",
                int(r.row), r.crate_id, r.vehicle_id, r.node_id,
            ))
        latest = r.time if latest is None or r.time > latest else latest
    return out


def check_scans(plan: Plan, events: pd.DataFrame) -> DayState:
    """Replay ``events`` (columns of :data:`bookvan.data.scans.SCAN_COLUMNS` plus ``row``) on ``plan``.

    Returns the findings (each scan that contradicts the plan, each crate that should have been
    loaded or unloaded at a stop its van has since left) and the state after the last scan.
    """
    stops = _van_stops(plan)
    handlings = planned_handlings(plan)
    known = _all_crates(plan)
    unassigned = {str(u["transfer_id"]): str(u.get("reason", "")) for u in plan.unassigned}
    depots = dict(zip(plan.vehicles["vehicle_id"], plan.vehicles["depot_id"], strict=True))
    findings = _out_of_file_order(events)
    vans = {v: _Van() for v in plan.vehicles["vehicle_id"]}
    crates = {cid: _Crate("node", first) for cid, (_, first, _) in known.items()}
    scans_at: dict[tuple[str, int], int] = defaultdict(int)
    ordered = events.sort_values("time", kind="stable")
    for r in ordered.itertuples(index=False):
        _replay_scan(r, stops, handlings, known, unassigned, vans, crates, scans_at, findings)
    findings.extend(_missed(plan, stops, handlings, vans, crates))
    return DayState(
        plan_id=plan.plan_id,
        date=str(plan.date),
        as_of=None if events.empty else pd.Timestamp(events["time"].max()),
        events=len(events),
        findings=tuple(findings),
        vans=tuple(_van_state(v, vans[v], stops.get(v, []), depots[v], scans_at) for v in vans),
        stops=tuple(_stop_states(stops, vans, scans_at)),
        crates=tuple(_crate_states(known, crates, handlings, unassigned)),
    )


class _Find(Protocol):
    def __call__(self, kind: str, msg: str) -> None: ...


def _replay_scan(
    r,
    stops: dict[str, list],
    handlings: dict[str, list[Handling]],
    known: dict[str, tuple[str, str, str]],
    unassigned: dict[str, str],
    vans: dict[str, _Van],
    crates: dict[str, _Crate],
    scans_at: dict[tuple[str, int], int],
    findings: list[Finding],
) -> None:
    """One scan row: move its van along its stops, then its crate; what contradicts the plan goes to ``findings``."""
    row, van_id, node, cid, ev = int(r.row), str(r.vehicle_id), str(r.node_id), str(r.crate_id), str(r.event)

    def find(kind: str, msg: str) -> None:
        findings.append(Finding(kind, f"row {row}: {msg}", row, cid, van_id, node))

    van = vans.get(van_id)
    if van is None:
        find("unknown_van", f"van '{van_id}' is not in this plan (left out of it, e.g. down); scan ignored")
        return
    _move_van(van, van_id, stops.get(van_id, []), node, r.time, cid, scans_at, find)
    if cid not in known:
        find("unknown_crate", f"crate id '{cid}' is not on any label of this plan; scan ignored")
        return
    tid = known[cid][0]
    if tid in unassigned and not handlings.get(cid):
        find("unplanned_crate", f"crate {cid} belongs to {tid}, which this plan leaves out ({unassigned[tid]})")
    c = crates[cid]
    c.last, c.scanned = r.time, True
    planned = handlings.get(cid, [])
    if ev == "loaded":
        _load(c, cid, van, van_id, node, planned, vans, find)
    elif ev == "unloaded":
        _unload(c, cid, van, van_id, node, planned, vans, find)
    elif ev == "missing":
        if c.where == "van":
            vans[c.at].on_board.discard(cid)
        c.where, c.at = "missing", node
    elif ev == "damaged":
        c.damaged = True


def _move_van(
    van: _Van, van_id: str, seq: list, node: str, time: pd.Timestamp, cid: str,
    scans_at: dict[tuple[str, int], int], find: _Find,
) -> None:
    """The van is where it scanned: at its next stop at ``node``, or out of order, or off its plan."""
    after = [i for i in range(max(van.pos, 0), len(seq)) if seq[i].node_id == node]
    before = [i for i in range(0, max(van.pos, 0)) if seq[i].node_id == node]
    if after:
        van.pos, van.off_plan = after[0], False
        scans_at[(van_id, van.pos)] += 1
    elif before:
        s = seq[before[-1]]
        find(
            "out_of_order",
            f"{van_id} scanned at {node} at {_hm(time)}, a stop it had already left "
            f"(run {s.trip}, stop {s.seq}); its last scan was at {seq[van.pos].node_id}",
        )
    else:
        find("node_not_visited", f"{van_id} never visits {node} in this plan (scan of {cid} at {_hm(time)})")
        van.off_plan = True
    van.node, van.last = node, time


def _load(
    c: _Crate, cid: str, van: _Van, van_id: str, node: str, planned: list[Handling], vans: dict[str, _Van],
    find: _Find,
) -> None:
    """A load scan: the crate goes on board ``van``; checked against its next planned load."""
    if c.where == "van":
        if c.at == van_id:
            find("already_on_board", f"crate {cid} scanned as loaded onto {van_id} again (already on board)")
            return
        find("already_on_board", f"crate {cid} loaded onto {van_id} while still on {c.at} (no unload scan)")
        vans[c.at].on_board.discard(cid)
    h = _next_planned(c, planned, "loaded")
    if h is not None:
        if h.vehicle_id != van_id:
            find("wrong_van", f"crate {cid} loaded onto {van_id}; the plan loads it onto {h.vehicle_id}")
        if h.node_id != node:
            find("wrong_node", f"crate {cid} loaded at {node}; the plan loads it at {h.node_id}")
    elif planned:
        find("wrong_node", f"crate {cid} loaded at {node}, but the plan has no more loading for it")
    c.where, c.at = "van", van_id
    van.on_board.add(cid)


def _next_planned(c: _Crate, planned: list[Handling], action: str) -> Handling | None:
    """The crate's next planned handling of ``action`` (``None``: no more); its cursor moves past it."""
    i = next((i for i in range(c.next_h, len(planned)) if planned[i].action == action), None)
    if i is None:
        return None
    c.next_h = i + 1
    return planned[i]


def _unload(
    c: _Crate, cid: str, van: _Van, van_id: str, node: str, planned: list[Handling], vans: dict[str, _Van],
    find: _Find,
) -> None:
    """An unload scan: the crate is at ``node``; checked against its next planned unload."""
    if not (c.where == "van" and c.at == van_id):
        find("not_on_board", f"crate {cid} unloaded from {van_id} but never scanned as loaded onto it")
        if c.where == "van":
            vans[c.at].on_board.discard(cid)
    h = _next_planned(c, planned, "unloaded")
    if h is not None and h.node_id != node:
        find("wrong_node", f"crate {cid} unloaded at {node}; the plan unloads it at {h.node_id}")
    van.on_board.discard(cid)
    c.where, c.at = "node", node


def _missed(plan: Plan, stops: dict, handlings: dict, vans: dict, crates: dict) -> list[Finding]:
    """Crates whose loading or unloading stop the van has left without a scan saying so."""
    out = []
    for cid, hs in handlings.items():
        c = crates[cid]
        if c.where == "missing":
            continue
        for i, h in enumerate(hs):
            van = vans[h.vehicle_id]
            if i < c.next_h or van.pos <= h.position:
                continue
            left_to = stops[h.vehicle_id][van.pos].node_id
            if h.action == "loaded":
                kind, what = "never_loaded", f"should have been loaded onto {h.vehicle_id} at {h.node_id}"
            else:
                if not (c.where == "van" and c.at == h.vehicle_id):
                    continue  # not on this van: the load is what went wrong, reported above
                kind, what = "never_unloaded", f"should have been unloaded from {h.vehicle_id} at {h.node_id}"
            out.append(Finding(
                kind,
                f"crate {cid} {what} (run {h.trip}, stop {h.seq}, {_hm(h.time)}); {h.vehicle_id} has since "
                f"scanned at {left_to} and no scan says so",
                None, cid, h.vehicle_id, h.node_id,
            ))
            break
    return sorted(out, key=lambda f: (f.vehicle_id or "", f.crate_id or ""))


def _van_state(vid: str, v: _Van, seq: list, depot: str, scans_at: dict) -> VanState:
    done = sum(1 for i in range(len(seq)) if i <= v.pos)
    nxt = seq[v.pos + 1].node_id if v.pos + 1 < len(seq) else None
    return VanState(
        vehicle_id=vid,
        node_id=v.node or depot,
        last_scan=v.last,
        off_plan=v.off_plan,
        on_board=tuple(sorted(v.on_board)),
        stops_done=done,
        stops_total=len(seq),
        next_node_id=str(nxt) if nxt is not None else None,
    )


def _stop_states(stops: dict, vans: dict, scans_at: dict) -> list[StopState]:
    out = []
    for vid, seq in stops.items():
        pos = vans[vid].pos
        for i, s in enumerate(seq):
            n = scans_at.get((vid, i), 0)
            status = "scanned" if n else ("passed" if i < pos else "pending")
            out.append(StopState(vid, int(s.trip), int(s.seq), str(s.node_id), pd.Timestamp(s.arrival), status, n))
    return out


def _crate_states(known: dict, crates: dict, handlings: dict, unassigned: dict) -> list[CrateState]:
    out = []
    for cid, (tid, _first, final) in sorted(known.items()):
        c = crates[cid]
        planned = handlings.get(cid, [])
        if c.where == "van":
            status, van, node = "on_board", c.at, None
        elif c.where == "missing":
            status, van, node = "missing", None, c.at
        elif not c.scanned:
            status, van, node = ("not_planned" if not planned else "waiting"), None, c.at
        elif c.at == final:
            status, van, node = "delivered", None, c.at
        elif c.next_h < len(planned) and planned[c.next_h - 1].node_id == c.at:
            status, van, node = "in_transit", None, c.at  # e.g. at the depot between hub legs
        else:
            status, van, node = "misplaced", None, c.at
        out.append(CrateState(cid, tid, status, van, node, final, c.damaged, c.last))
    return out
