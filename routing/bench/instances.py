"""Read standard routing instances (Solomon VRPTW, Li & Lim PDPTW, CVRPLIB) into plain arrays.

A :class:`BenchInstance` keeps the file's own numbers (floats, ids as numbered in the file),
so the verifier can judge a solution in the set's convention without trusting the solver's
integer scaling. Solomon and CVRPLIB files are parsed by the ``vrplib`` package; Li & Lim
files (``K Q S`` then one line per task) by a small reader here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from bookvan.data.errors import InputError, ProblemCollector

__all__ = ["BenchInstance", "edge_lengths", "read_instance", "sniff_kind"]


@dataclass(frozen=True)
class BenchInstance:
    """One instance; index 0 is the depot, indices 1… the customers (tasks).

    ``ids[i]`` is node ``i``'s number in the file (Solomon/Li & Lim: 0 = depot; CVRPLIB:
    1 = depot, customers 2…n). ``partner[i]`` is a Li & Lim task's delivery (for a pickup)
    or pickup (for a delivery), 0 otherwise. ``fleet`` is the number of vehicles the file
    allows (``None``: unlimited, CVRPLIB; ``min_vehicles`` then is the ``k`` of the name).
    """

    name: str
    kind: str  # "solomon" | "lilim" | "cvrplib"
    coords: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    capacity: int
    fleet: int | None
    ids: np.ndarray
    partner: np.ndarray
    min_vehicles: int = 0

    @property
    def num_customers(self) -> int:
        return int(len(self.coords) - 1)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """(pickup, delivery) node indices of a Li & Lim instance."""
        return [(i, int(self.partner[i])) for i in range(1, len(self.coords)) if self.demand[i] > 0 and self.partner[i]]


def edge_lengths(inst: BenchInstance) -> np.ndarray:
    """Arc lengths in the set's convention: Euclidean, rounded to integers for CVRPLIB."""
    diff = inst.coords[:, None, :] - inst.coords[None, :, :]
    d = np.sqrt((diff**2).sum(axis=2))
    return np.floor(d + 0.5) if inst.kind == "cvrplib" else d


def sniff_kind(path: Path) -> str:
    """Guess the format from the file: ``.vrp`` → CVRPLIB, a ``VEHICLE`` block → Solomon."""
    if path.suffix.lower() == ".vrp":
        return "cvrplib"
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    if re.search(r"^\s*VEHICLE\s*$", head, flags=re.M):
        return "solomon"
    return "lilim"


def read_instance(path: str | Path, kind: str | None = None) -> BenchInstance:
    """Read an instance file; ``kind`` is guessed from the file when not given.

    Raises
    ------
    InputError
        Naming file, row and field when the file does not parse or its numbers are wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.single(path, "no such instance file")
    kind = kind or sniff_kind(path)
    readers = {"solomon": _read_solomon, "lilim": _read_lilim, "cvrplib": _read_cvrplib}
    if kind not in readers:
        raise InputError.single(path, f"unknown instance kind {kind!r} (solomon, lilim, cvrplib)")
    try:
        return readers[kind](path)
    except InputError:
        raise
    except (ValueError, IndexError, KeyError, TypeError) as e:
        raise InputError.single(path, f"not a readable {kind} instance: {e}") from None


def _read_solomon(path: Path) -> BenchInstance:
    raw = vrplib.read_instance(str(path), instance_format="solomon")
    tw = np.asarray(raw["time_window"], dtype=float)
    n = len(raw["node_coord"])
    inst = BenchInstance(
        name=path.stem.lower(),
        kind="solomon",
        coords=np.asarray(raw["node_coord"], dtype=float),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        ready=tw[:, 0],
        due=tw[:, 1],
        service=np.asarray(raw["service_time"], dtype=float),
        capacity=int(raw["capacity"]),
        fleet=int(raw["vehicles"]),
        ids=np.arange(n),
        partner=np.zeros(n, dtype=np.int64),
    )
    _check_common(path, inst)
    return inst


def _read_cvrplib(path: Path) -> BenchInstance:
    raw = vrplib.read_instance(str(path))
    if str(raw.get("edge_weight_type", "")).strip() != "EUC_2D":
        raise InputError.single(path, "only EUC_2D instances are supported", field="EDGE_WEIGHT_TYPE")
    depots = [int(d) for d in np.atleast_1d(raw["depot"])]
    if depots != [0]:
        raise InputError.single(path, "the depot must be node 1", field="DEPOT_SECTION")
    n = int(raw["dimension"])
    name = str(raw.get("name", path.stem)).strip()
    m = re.search(r"-k(\d+)", name)
    demand = np.asarray(raw["demand"], dtype=np.int64)
    cap = int(raw["capacity"])
    k = int(m.group(1)) if m else math.ceil(demand.sum() / cap)
    inst = BenchInstance(
        name=name,
        kind="cvrplib",
        coords=np.asarray(raw["node_coord"], dtype=float),
        demand=demand,
        ready=np.zeros(n),
        due=np.full(n, np.inf),
        service=np.zeros(n),
        capacity=cap,
        fleet=None,
        ids=np.arange(1, n + 1),
        partner=np.zeros(n, dtype=np.int64),
        min_vehicles=k,
    )
    _check_common(path, inst)
    return inst


def _read_lilim(path: Path) -> BenchInstance:
    pc = ProblemCollector(str(path))
    lines = [(i + 1, ln.split()) for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines())]
    lines = [(row, f) for row, f in lines if f]
    if not lines:
        raise InputError.single(path, "empty file")
    row0, head = lines[0]
    if len(head) < 2:
        raise InputError.single(path, "first line must be 'vehicles capacity speed'", row=row0)
    fleet, cap = _int(pc, head[0], row0, "vehicles"), _int(pc, head[1], row0, "capacity")
    names = ["id", "x", "y", "demand", "earliest", "latest", "service", "pickup", "delivery"]
    rows = []
    for row, f in lines[1:]:
        if len(f) != 9:
            pc.add(f"expected 9 fields, found {len(f)}", row=row)
            continue
        rows.append((row, [_num(pc, v, row, nm) for v, nm in zip(f, names, strict=True)]))
    pc.raise_if_any()
    data = np.asarray([r for _, r in rows], dtype=float)
    n = len(data)
    if n < 2:
        raise InputError.single(path, "no tasks after the depot line")
    ids = data[:, 0].astype(np.int64)
    for k, (row, _) in enumerate(rows):
        if ids[k] != k:
            pc.add(f"task ids must run 0, 1, 2, …; found {ids[k]} at position {k}", row=row, field="id")
    pc.raise_if_any()
    demand = data[:, 3].astype(np.int64)
    pick, deliv = data[:, 7].astype(np.int64), data[:, 8].astype(np.int64)
    partner = np.zeros(n, dtype=np.int64)
    for i in range(1, n):
        row = rows[i][0]
        if demand[i] > 0:
            if pick[i] != 0:
                pc.add(f"pickup {i} must have pickup index 0, has {pick[i]}", row=row, field="pickup")
            j = deliv[i]
            if not (0 < j < n) or pick[j] != i or demand[j] != -demand[i]:
                pc.add(f"pickup {i}: delivery {j} does not point back with -demand", row=row, field="delivery")
            partner[i] = j
        elif demand[i] < 0:
            if deliv[i] != 0:
                pc.add(f"delivery {i} must have delivery index 0, has {deliv[i]}", row=row, field="delivery")
            j = pick[i]
            if not (0 < j < n) or deliv[j] != i:
                pc.add(f"delivery {i}: pickup {j} does not point back", row=row, field="pickup")
            partner[i] = j
        else:
            pc.add("a task must pick up (demand > 0) or deliver (demand < 0)", row=row, field="demand")
    pc.raise_if_any()
    inst = BenchInstance(
        name=path.stem.lower(),
        kind="lilim",
        coords=data[:, 1:3].copy(),
        demand=demand,
        ready=data[:, 4].copy(),
        due=data[:, 5].copy(),
        service=data[:, 6].copy(),
        capacity=cap,
        fleet=fleet,
        ids=ids,
        partner=partner,
    )
    _check_common(path, inst)
    return inst


def _check_common(path: Path, inst: BenchInstance) -> None:
    pc = ProblemCollector(str(path))
    if inst.capacity <= 0:
        pc.add("capacity must be positive", field="capacity")
    if inst.fleet is not None and inst.fleet <= 0:
        pc.add("number of vehicles must be positive", field="vehicles")
    for i in np.flatnonzero(inst.ready > inst.due):
        pc.add(f"node {inst.ids[i]}: time window ends before it starts", field="due")
    for i in np.flatnonzero(inst.service < 0):
        pc.add(f"node {inst.ids[i]}: negative service time", field="service")
    for i in np.flatnonzero(np.abs(inst.demand) > inst.capacity):
        pc.add(f"node {inst.ids[i]}: demand {inst.demand[i]} above capacity {inst.capacity}", field="demand")
    if inst.kind != "lilim" and (inst.demand[1:] < 0).any():
        pc.add("negative demand", field="demand")
    if not np.isfinite(inst.coords).all():
        pc.add("coordinates must be numbers", field="x")
    pc.raise_if_any()


def _num(pc: ProblemCollector, v: str, row: int, field: str) -> float:
    try:
        x = float(v)
    except ValueError:
        pc.add(f"not a number: {v!r}", row=row, field=field)
        return 0.0
    if not math.isfinite(x):
        pc.add(f"not a finite number: {v!r}", row=row, field=field)
        return 0.0
    return x


def _int(pc: ProblemCollector, v: str, row: int, field: str) -> int:
    try:
        return int(v)
    except ValueError:
        pc.add(f"not an integer: {v!r}", row=row, field=field)
        return 0
