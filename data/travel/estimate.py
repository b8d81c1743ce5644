"""Estimate travel times from coordinates alone, for networks without road data.

The model, per ordered pair of distinct nodes ``i → j``:

1. great-circle (haversine) distance ``g`` on a sphere of radius 6,371,008.8 m (IUGG mean);
2. road distance ``d = max(circuity × g, min_leg_m)``;
3. driving time with banded speeds applied like tax brackets: the first 2 km of a leg at
   20 km/h, the part from 2 to 10 km at 30 km/h, the rest at 45 km/h. Short legs are slow
   (signals, narrow hill streets), long legs reach a freeway (e.g. National Freeway 1 from
   Keelung towards Xizhi and Taipei). Because each band only changes the *marginal*
   speed, duration is continuous and increasing in distance and the average speed rises with
   length; the time function is concave, so the matrix keeps the triangle inequality;
4. ``duration = max(drive + overhead_s, min_leg_s)``, where ``overhead_s`` covers finding a
   parking spot and manoeuvring the van at the destination.

``i → i`` is 0 m / 0 s. The model is symmetric.

Parameters (all estimates; :class:`EstimateParams`):

=============  ==========  ===============================================================
parameter      default     why
=============  ==========  ===============================================================
circuity       1.35        road / straight-line ratio. Newell (1980): ~1.2 for random
                           urban pairs; O'Sullivan (1996): 1.21–1.23; detour factors are
                           "often quoted as roughly 1.2 to 1.4 for dense urban road
                           networks" (ObjectVision AccessibilityModelling wiki, "Euclidean
                           versus network distance"; Wikibooks "Transportation Geography
                           and Network Science/Circuity"). Keelung is hilly and wrapped
                           round its harbour, so the upper part of that range.
band_km        2, 10       band limits of road distance (estimate)
speed_kmh      20, 30, 45  marginal speed per band (estimate, not measured)
overhead_s     60          parking / manoeuvring per leg (estimate)
min_leg_m      1,500       floor for two *distinct* nodes: several bundled nodes share a
min_leg_s      300         district reference point (e.g. KL-BAIFU / KL-YONGPING / KL-QIDU),
                           so their true distance is unknown within the district but never 0
=============  ==========  ===============================================================

Every row this model writes has ``source = "estimate"``; the parameters travel with the
table in ``DataFrame.attrs["estimate_params"]``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EARTH_RADIUS_M",
    "ESTIMATE_SOURCE",
    "EstimateParams",
    "estimate_arrays",
    "haversine_m",
]

EARTH_RADIUS_M = 6_371_008.8
ESTIMATE_SOURCE = "estimate"


@dataclass(frozen=True)
class EstimateParams:
    """Parameters of the estimate model (see the module docstring for the sources)."""

    circuity: float = 1.35
    band_km: tuple[float, ...] = (2.0, 10.0)
    speed_kmh: tuple[float, ...] = (20.0, 30.0, 45.0)
    overhead_s: float = 60.0
    min_leg_m: float = 1500.0
    min_leg_s: float = 300.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.circuity) and self.circuity >= 1.0):
            raise ValueError(
                f"circuity must be ≥ 1 (roads are never shorter than a line), got {self.circuity}"
            )
        if len(self.speed_kmh) != len(self.band_km) + 1:
            raise ValueError("speed_kmh needs one speed per band: len(band_km) + 1 values")
        if any(not (math.isfinite(s) and s > 0) for s in self.speed_kmh):
            raise ValueError(f"speeds must be positive, got {self.speed_kmh}")
        if any(b <= 0 for b in self.band_km) or list(self.band_km) != sorted(set(self.band_km)):
            raise ValueError(f"band limits must be positive and increasing, got {self.band_km}")
        for name in ("overhead_s", "min_leg_m", "min_leg_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} must be ≥ 0, got {v}")

    def as_dict(self) -> dict[str, object]:
        """Plain dict (for plan.json / table metadata)."""
        return {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()
        }

    def drive_s(self, distance_m: np.ndarray) -> np.ndarray:
        """Driving time (s) of road distances (m), banded speeds applied per band (vectorised)."""
        d = np.asarray(distance_m, dtype=float)
        edges_m = np.array([0.0, *(b * 1000.0 for b in self.band_km), np.inf])
        speeds_ms = np.array(self.speed_kmh) / 3.6
        t = np.zeros_like(d)
        for lo, hi, v in zip(edges_m[:-1], edges_m[1:], speeds_ms, strict=True):
            t += np.clip(d - lo, 0.0, hi - lo) / v
        return t


def haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres (broadcasting numpy arrays of degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def estimate_arrays(
    lat: np.ndarray, lon: np.ndarray, params: EstimateParams = EstimateParams()
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) and duration (s) matrices, n × n, of the estimate model.

    Row ``i``, column ``j`` is the leg ``i → j``; the diagonal is 0 and every distinct pair
    gets at least ``min_leg_m`` / ``min_leg_s``, even when the coordinates coincide.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    g = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    dist = np.maximum(params.circuity * g, params.min_leg_m)
    dur = np.maximum(params.drive_s(dist) + params.overhead_s, params.min_leg_s)
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(dur, 0.0)
    return dist, dur
