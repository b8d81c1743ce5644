"""A small OSM XML road grid the travel tests write, with known fastest paths.

::

    7 ← 8 ← 9      top row: oneway=-1 (drawn 7→8→9, drivable only 9→8→7)
    |   ⋮   |      middle column 2-5-8: maxspeed=10 (slow)
    4 → 5 → 6      middle row: primary, oneway=yes eastbound
    |   ⋮   |
    1 = 2 = 3      bottom row: tertiary; everything else residential

Extras that must not end up in the graph: a footway 1–9, a private road 4–6, and a
disconnected residential street far to the north.
"""

from __future__ import annotations

from pathlib import Path

LAT0, LON0, STEP = 25.13, 121.74, 0.001

# vertex id -> (row, col)
GRID = {k: divmod(k - 1, 3) for k in range(1, 10)}

WAYS = [
    # (way id, node ids, tags)
    (101, [1, 2, 3], {"highway": "tertiary"}),
    (102, [4, 5, 6], {"highway": "primary", "oneway": "yes"}),
    (103, [7, 8, 9], {"highway": "residential", "oneway": "-1"}),
    (104, [1, 4, 7], {"highway": "residential"}),
    (105, [2, 5, 8], {"highway": "residential", "maxspeed": "10"}),
    (106, [3, 6, 9], {"highway": "residential"}),
    (107, [1, 9], {"highway": "footway"}),
    (108, [4, 6], {"highway": "residential", "access": "private"}),
    (109, [20, 21], {"highway": "residential"}),
]


def coord(k: int) -> tuple[float, float]:
    """(lat, lon) of grid vertex ``k`` (or of the far-away extras 20, 21)."""
    if k in GRID:
        r, c = GRID[k]
        return LAT0 + r * STEP, LON0 + c * STEP
    return LAT0 + 0.05, LON0 + (k - 20) * STEP


def grid_xml(ways: list[tuple[int, list[int], dict[str, str]]] | None = None) -> str:
    """OSM XML of the grid vertices (and the extras 20, 21) with ``ways`` (default WAYS)."""
    ways = WAYS if ways is None else ways
    nodes = [*GRID, 20, 21]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="bookvan-tests">',
    ]
    for k in nodes:
        lat, lon = coord(k)
        lines.append(f' <node id="{k}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, refs, tags in ways:
        lines.append(f' <way id="{wid}" version="1">')
        lines += [f'  <nd ref="{r}"/>' for r in refs]
        lines += [f'  <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append(" </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_grid(path: Path) -> Path:
    path.write_text(grid_xml(), encoding="utf-8")
    return path


def write_city_grid(
    path: Path, south: float, west: float, north: float, east: float, step: float
) -> Path:
    """A plain two-way residential grid over a bounding box (for CLI tests over real nodes)."""
    lats = [south + i * step for i in range(int((north - south) / step) + 2)]
    lons = [west + j * step for j in range(int((east - west) / step) + 2)]
    nid = {(i, j): 1 + i * len(lons) + j for i in range(len(lats)) for j in range(len(lons))}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="bookvan-tests">',
    ]
    for (i, j), k in nid.items():
        lines.append(f' <node id="{k}" version="1" lat="{lats[i]:.7f}" lon="{lons[j]:.7f}"/>')
    wid = 1
    for i in range(len(lats)):
        refs = "".join(f'<nd ref="{nid[(i, j)]}"/>' for j in range(len(lons)))
        lines.append(f' <way id="{wid}" version="1">{refs}<tag k="highway" v="residential"/></way>')
        wid += 1
    for j in range(len(lons)):
        refs = "".join(f'<nd ref="{nid[(i, j)]}"/>' for i in range(len(lats)))
        lines.append(f' <way id="{wid}" version="1">{refs}<tag k="highway" v="secondary"/></way>')
        wid += 1
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
