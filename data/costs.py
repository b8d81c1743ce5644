"""The one cost model: NT$ and CO2 per km, per driver hour and per van-day.

Read from the ``[costs]`` table of the network's ``fleet.toml`` (where each number's source is
written), it prices the router's objective, plan.json's ``cost_ntd``, the scenario KPIs and the
strategic optimiser alike; a scenario file overrides single numbers by name in its own
``[costs]`` table. The same van costs the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from bookvan.data.settings import SettingsTable

__all__ = ["COST_KEYS", "DAYS_PER_YEAR", "Costs", "read_costs"]

DAYS_PER_YEAR = 365
"""Days a van is owned (and paid for) in a year, for yearly figures."""


@dataclass(frozen=True)
class Costs:
    """NT$ per km driven, per driver hour on a run and per van owned a day; kg CO2 per km.

    The defaults are the bundled ``fleet.toml``'s (estimates; its comments give the sources).
    """

    per_km: float = 4.9
    per_driver_hour: float = 300.0
    per_van_day: float = 904.0
    co2_kg_per_km: float = 0.266

    def distance_ntd(self, km: float) -> float:
        """Fuel and wear of ``km`` driven."""
        return km * self.per_km

    def wages_ntd(self, driver_hours: float) -> float:
        return driver_hours * self.per_driver_hour

    def fixed_ntd_per_day(self, vans: int) -> float:
        """Owning ``vans`` vans for a day, driven or not."""
        return vans * self.per_van_day

    @property
    def per_van_year(self) -> float:
        """Owning one van for a year."""
        return self.per_van_day * DAYS_PER_YEAR

    def co2_kg(self, km: float) -> float:
        return km * self.co2_kg_per_km

    def override(self, changes: Mapping[str, float]) -> Costs:
        """These costs with some numbers replaced by name (a scenario's ``[costs]``)."""
        return replace(self, **dict(changes)) if changes else self

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


MAX_COST = 1e7
"""Above this (NT$ or kg CO2 per km, hour or van-day) a cost is a typo that would overflow the solver."""

COST_KEYS = frozenset(f.name for f in fields(Costs))
"""The names a ``[costs]`` table may use."""


def read_costs(table: SettingsTable) -> dict[str, float]:
    """The numbers a ``[costs]`` table sets, by name (each a number ≥ 0; every key optional).

    Bad ones are recorded in the table's collector; apply the rest with :meth:`Costs.override`.
    """
    out: dict[str, float] = {}
    for k in sorted(COST_KEYS):
        v = table.get(k, float, lo=0.0, hi=MAX_COST)
        if v is not None:
            out[k] = float(v)
    return out
