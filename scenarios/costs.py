"""Cost and CO2 parameters of the scenario KPIs: a sourced TOML file, validated on load."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path

from bookvan.data.errors import ProblemCollector, read_toml_input

__all__ = ["CostParameters", "default_cost_file", "load_cost_parameters"]


@dataclass(frozen=True)
class CostParameters:
    """NT$ and CO2 per unit of van use; see ``cost_parameters.toml`` for each number's source."""

    diesel_ntd_per_litre: float = 29.0
    fuel_litres_per_100km: float = 10.0
    maintenance_ntd_per_km: float = 2.0
    driver_ntd_per_hour: float = 300.0
    van_fixed_ntd_per_year: float = 330000.0
    co2_kg_per_litre: float = 2.66

    def litres(self, km: float) -> float:
        return km * self.fuel_litres_per_100km / 100.0

    def fuel_ntd(self, km: float) -> float:
        return self.litres(km) * self.diesel_ntd_per_litre + km * self.maintenance_ntd_per_km

    def wages_ntd(self, van_hours: float) -> float:
        return van_hours * self.driver_ntd_per_hour

    def fixed_ntd_per_day(self, vans: int) -> float:
        return vans * self.van_fixed_ntd_per_year / 365.0

    def co2_kg(self, km: float) -> float:
        return self.litres(km) * self.co2_kg_per_litre

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def default_cost_file() -> Path:
    return Path(str(resources.files("bookvan.scenarios") / "cost_parameters.toml"))


def load_cost_parameters(path: str | Path | None = None) -> CostParameters:
    """Read the parameters file (default: the bundled one); unknown/negative keys → InputError."""
    p = Path(path) if path is not None else default_cost_file()
    raw = read_toml_input(p)
    col = ProblemCollector(str(p))
    names = {f.name for f in fields(CostParameters)}
    kw: dict[str, float] = {}
    for k, v in raw.items():
        if k not in names:
            col.add(f"unknown key (known: {', '.join(sorted(names))})", field=k)
        elif isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            col.add(f"{v!r} must be a number ≥ 0", field=k)
        else:
            kw[k] = float(v)
    col.raise_if_any()
    return CostParameters(**kw)
