"""Route controls a coordinator sets: pinned stops, longest days, most stops per run, balance, runs.

Read from the network folder's optional ``controls.toml`` (through the one TOML reader,
:mod:`bookvan.data.settings`) and from ``--control KEY=VALUE`` flags, which use the same keys
and override the file::

    balance = "duration"           # "none" | "duration": even out the vans' days (min-max)
    max_stops_per_run = 8          # every van, every run
    [pin]                          # a node served only by this van
    KL-ANLE = "VAN-2"
    [max_hours]                    # hours out per van (leaving the depot to the last return)
    VAN-1 = 5.5
    [max_runs]                     # runs per van: 1 = one run only
    VAN-2 = 1

Flags: ``--control balance=duration``, ``--control pin.KL-ANLE=VAN-2``, ``--control max_hours.VAN-1=5.5``,
``--control max_stops_per_run=8``, ``--control max_runs.VAN-2=1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.settings import SettingsTable, read_settings

__all__ = ["CONTROLS_FILE", "RouteControls", "parse_control_flags", "read_controls"]

CONTROLS_FILE = "controls.toml"
_KEYS = {"balance", "max_stops_per_run", "pin", "max_hours", "max_runs"}
BALANCE = ("none", "duration")


@dataclass(frozen=True)
class RouteControls:
    pins: dict[str, str] = field(default_factory=dict)  # node → van
    max_hours: dict[str, float] = field(default_factory=dict)  # van → hours
    max_runs: dict[str, int] = field(default_factory=dict)  # van → runs
    max_stops_per_run: int | None = None
    balance: str = "none"

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
        )

    def check(self, node_ids: set[str], van_ids: set[str], where: str) -> None:
        """Every node and van named exists; InputError naming the key otherwise."""
        col = ProblemCollector(where)
        for n, v in self.pins.items():
            if n not in node_ids:
                col.add(f"unknown node '{n}'", field=f"pin.{n}")
            if v not in van_ids:
                col.add(f"unknown van '{v}'", field=f"pin.{n}")
        for name, table in (("max_hours", self.max_hours), ("max_runs", self.max_runs)):
            for v in table:
                if v not in van_ids:
                    col.add(f"unknown van '{v}'", field=f"{name}.{v}")
        col.raise_if_any()


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
