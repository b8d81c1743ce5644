"""Plane coordinates for small maps (a city fits a local equirectangular plane) and scale bars.

Shared by the PDF route maps and the overview's SVG so both draw the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MapFrame", "group_points", "nice_scale_m", "place_labels"]

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


@dataclass(frozen=True)
class MapFrame:
    """Maps (lon, lat) into a ``width`` × ``height`` box (y up), same scale on both axes."""

    lon0: float
    lat0: float
    scale: float  # drawing units per metre
    x_off: float
    y_off: float
    width: float
    height: float

    @classmethod
    def fit(
        cls,
        points: Iterable[tuple[float, float]],
        width: float,
        height: float,
        pad: float = 14,
        min_span_m: float = 1500,
    ) -> MapFrame:
        pts = list(points)
        lons = [p[0] for p in pts] or [0.0]
        lats = [p[1] for p in pts] or [0.0]
        lat0 = (min(lats) + max(lats)) / 2
        lon0 = (min(lons) + max(lons)) / 2
        kx = _M_PER_DEG_LON_EQ * math.cos(math.radians(lat0))
        span_x = max((max(lons) - min(lons)) * kx, min_span_m)
        span_y = max((max(lats) - min(lats)) * _M_PER_DEG_LAT, min_span_m)
        scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        return cls(lon0, lat0, scale, width / 2, height / 2, width, height)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        kx = _M_PER_DEG_LON_EQ * math.cos(math.radians(self.lat0))
        return (
            self.x_off + (lon - self.lon0) * kx * self.scale,
            self.y_off + (lat - self.lat0) * _M_PER_DEG_LAT * self.scale,
        )

    def scale_bar(self, max_fraction: float = 0.3) -> tuple[float, float, str]:
        """(length in metres, length in drawing units, label) of a 1-2-5 scale bar."""
        metres = nice_scale_m(self.width * max_fraction / self.scale)
        label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
        return metres, metres * self.scale, label


def nice_scale_m(max_m: float) -> float:
    """Largest 1, 2 or 5 × 10ⁿ metres not above ``max_m``."""
    if max_m <= 0:
        return 1.0
    exp = math.floor(math.log10(max_m))
    if 10.0**exp > max_m:  # log10 rounding just below a power of ten
        exp -= 1
    for m in (5, 2, 1):
        if m * 10**exp <= max_m:
            return float(m * 10**exp)
    return float(10**exp)


def group_points(items: Iterable[tuple[float, float, str]], digits: int = 5) -> list[tuple[float, float, list[str]]]:
    """Merge labels of points at the same place (several branches share a district point)."""
    groups: dict[tuple[float, float], list[str]] = {}
    for lon, lat, label in items:
        groups.setdefault((round(lon, digits), round(lat, digits)), []).append(label)
    return [(lon, lat, labels) for (lon, lat), labels in groups.items()]


def place_labels(
    anchors: list[tuple[float, float, float, float]], width: float, height: float, gap: float = 4
) -> list[tuple[float, float]]:
    """Lower-left corners for label boxes (x, y, w, h) near their points, avoiding overlaps.

    Greedy: each label takes the first of eight positions around its point that stays inside
    the frame and clear of the labels and points placed so far (y up); else the first one.
    """
    placed: list[tuple[float, float, float, float]] = [(x - 3, y - 3, 6, 6) for x, y, _, _ in anchors]
    out = []
    for x, y, w, h in anchors:
        options = [
            (x + gap, y + gap - 1),
            (x - gap - w, y + gap - 1),
            (x + gap, y - gap - h + 1),
            (x - gap - w, y - gap - h + 1),
            (x - w / 2, y + 2 * gap),
            (x - w / 2, y - 2 * gap - h),
            (x + 2 * gap, y - h / 2),
            (x - 2 * gap - w, y - h / 2),
        ]

        def free(lx: float, ly: float, w: float = w, h: float = h) -> bool:
            if lx < 1 or ly < 1 or lx + w > width - 1 or ly + h > height - 1:
                return False
            return all(lx + w <= bx or bx + bw <= lx or ly + h <= by or by + bh <= ly for bx, by, bw, bh in placed)

        lx, ly = next((o for o in options if free(*o)), options[0])
        placed.append((lx, ly, w, h))
        out.append((lx, ly))
    return out
