"""Route controls a coordinator sets: pinned stops, stops first or in order, longest days, most stops per run,
balance, runs.

Read from the network folder's optional ``controls.toml`` (through the one TOML reader,
:mod:`bookvan.data.settings`) and from ``--control KEY=VALUE`` flags, which use the same keys
and override the file::

    balance = "duration"           # "none" | "duration": even out the vans' days (min-max)
    max_stops_per_run = 8          # every van, every run
    first = ["KL-BAIFU"]           # served before every other stop of the day, in this order
    order = [["KL-NUANNUAN", "KL-DUWANQUAN"]]  # each list: these nodes served in this order
    [pin]                          # a node served only by this van
    KL-ANLE = "VAN-2"
    [max_hours]                    # hours out per van (leaving the depot to the last return)
    VAN-1 = 5.5
    [max_runs]                     # runs per van: 1 = one run only
    VAN-2 = 1

Flags: ``--control balance=duration``, ``--control pin.KL-ANLE=VAN-2``, ``--control max_hours.VAN-1=5.5``,
``--control max_stops_per_run=8``, ``--control max_runs.VAN-2=1``, ``--control first=KL-BAIFU``,
``--control order=KL-NUANNUAN,KL-DUWANQUAN`` (repeatable: one chain each; ``first`` and ``order`` given
as flags replace the file's).

"First" and "order" are by the clock: service at a node starts no earlier than at the node before
it in the chain, whichever vans serve them (with one van out, its driving order). ``first`` puts
its nodes before every other stop that is not a depot; a delivery there whose crates come from
another branch cannot be first and is not bound. The engine drops a later node's transfers when
an earlier node's are left out (its precedence rule), so the chain holds whatever is served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.settings import SettingsTable, read_settings

__all__ = ["CONTROLS_FILE", "RouteControls", "parse_control_flags", "read_controls"]

CONTROLS_FILE = "controls.toml"
_KEYS = {"balance", "max_stops_per_run", "pin", "max_hours", "max_runs", "first", "order"}
BALANCE = ("none", "duration")


@dataclass(frozen=True)
class RouteControls:
    pins: dict[str, str] = field(default_factory=dict)  # node → van
    max_hours: dict[str, float] = field(default_factory=dict)  # van → hours
    max_runs: dict[str, int] = field(default_factory=dict)  # van → runs
    max_stops_per_run: int | None = None
    balance: str = "none"
    first: tuple[str, ...] = ()  # nodes served before every other stop, in this order
    order: tuple[tuple[str, ...], ...] = ()  # chains of nodes served in their order

    @property
    def empty(self) -> bool:
        return self == RouteControls()

    def merged(self, other: RouteControls) -> RouteControls:
        """``other`` (flags) over ``self`` (the file)."""
        return RouteControls(
            {**self.pins, **other.pins},
            {**self.max_hours, **other.max_hours},
            {**self.max_runs, **other.max_runs},
            other.max_stops_per_run if other.max_stops_per_run is not None else self.max_stops_per_run,
            other.balance if other.balance != "none" else self.balance,
            other.first or self.first,
            other.order or self.order,
        )

    def check(self, node_ids: set[str], van_ids: set[str], where: str) -> None:
        """Every node and van named exists; InputError naming the key otherwise."""
        col = ProblemCollector(where)
        for n, v in self.pins.items():
            if n not in node_ids:
                col.add(f"unknown node '{n}'", field=f"pin.{n}")
            if v not in van_ids:
                col.add(f"unknown van '{v}'", field=f"pin.{n}")
        for key, chain in [("first", self.first), *((f"order[{i}]", c) for i, c in enumerate(self.order))]:
            for n in chain:
                if n not in node_ids:
                    col.add(f"unknown node '{n}'", field=key)
        for name, table in (("max_hours", self.max_hours), ("max_runs", self.max_runs)):
            for v in table:
                if v not in van_ids:
                    col.add(f"unknown van '{v}'", field=f"{name}.{v}")
        col.raise_if_any()


def _chain(t: SettingsTable, k: str, v: object, *, least: int) -> tuple[str, ...]:
    """A list of node ids (or one string, comma-separated) of at least ``least`` distinct nodes."""
    if isinstance(v, str):
        v = [n.strip() for n in v.split(",")]
    if not isinstance(v, list) or not all(isinstance(n, str) and n.strip() for n in v):
        t.col.add(f"{v!r} must be a list of node ids (e.g. [\"KL-ANLE\", \"KL-XINYI\"])", field=k)
        return ()
    chain = tuple(n.strip() for n in v)
    if len(set(chain)) != len(chain):
        t.col.add(f"{list(chain)} names a node twice", field=k)
        return ()
    if len(chain) < least:
        t.col.add(f"{list(chain)} must name at least {least} nodes", field=k)
        return ()
    return chain


def _order(t: SettingsTable) -> tuple[tuple[str, ...], ...]:
    v = t.t.get("order", [])
    if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(c, str) for c in v)):
        v = [v]  # one chain
    if not isinstance(v, list):
        t.col.add(f"{v!r} must be a list of node lists", field=t.key("order"))
        return ()
    chains = [_chain(t, f"{t.key('order')}[{i}]", c, least=2) for i, c in enumerate(v)]
    return tuple(c for c in chains if c)


def _from_table(t: SettingsTable) -> RouteControls:
    balance = t.get("balance", str, "none")
    if balance not in BALANCE:
        t.col.add(f"'{balance}' must be one of {', '.join(BALANCE)}", field=t.key("balance"))
        balance = "none"
    stops = t.get("max_stops_per_run", int, None, lo=1)
    pins_t = t.t.get("pin", {})
    hours_t = t.t.get("max_hours", {})
    runs_t = t.t.get("max_runs", {})
    pins = t.table("pin", set(pins_t) if isinstance(pins_t, dict) else set())
    hours = t.table("max_hours", set(hours_t) if isinstance(hours_t, dict) else set())
    runs = t.table("max_runs", set(runs_t) if isinstance(runs_t, dict) else set())
    return RouteControls(
        {k: v for k in pins.t if (v := pins.get(k, str)) is not None},
        {k: v for k in hours.t if (v := hours.get(k, float, lo=0.1, hi=24)) is not None},
        {k: v for k in runs.t if (v := runs.get(k, int, lo=1)) is not None},
        stops,
        balance,
        _chain(t, t.key("first"), t.t["first"], least=1) if "first" in t.t else (),
        _order(t),
    )


def read_controls(path: str | Path) -> RouteControls:
    """The controls file (absent: no controls). Raises InputError naming the file and key."""
    p = Path(path)
    if not p.exists():
        return RouteControls()
    t = read_settings(p, _KEYS, what="route controls file")
    out = _from_table(t)
    t.col.raise_if_any()
    return out


def _value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_control_flags(flags: list[str]) -> RouteControls:
    """``KEY=VALUE`` or ``TABLE.NAME=VALUE`` flags, checked like the file."""
    raw: dict[str, object] = {}
    col = ProblemCollector("--control")
    for f in flags:
        key, eq, val = f.partition("=")
        if not eq or not key.strip():
            raise InputError.single("--control", f"'{f}' is not KEY=VALUE (e.g. pin.KL-ANLE=VAN-2)")
        table, dot, name = key.strip().partition(".")
        v = _value(val.strip())
        if table in ("first", "order") and not dot:
            v = val.strip()
            if table == "order":  # repeatable: one chain per flag
                chains = raw.setdefault("order", [])
                if isinstance(chains, list):
                    chains.append([n.strip() for n in v.split(",")])
                continue
        if table in ("max_hours",) and isinstance(v, int):
            v = float(v)
        if dot:
            sub = raw.setdefault(table, {})
            if isinstance(sub, dict):
                sub[name] = v
        else:
            raw[table] = v
    t = SettingsTable(col, raw, "", _KEYS)
    out = _from_table(t)
    col.raise_if_any()
    return out
