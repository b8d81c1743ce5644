"""Reading drivable roads from OSM files: tags, formats, and bad files."""

from __future__ import annotations

import bz2
import gzip
import math

import numpy as np
import osmium
import pytest
from _travel_grid import grid_xml, write_grid
from hypothesis import given
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.travel.osm import DRIVABLE_HIGHWAYS, parse_maxspeed, parse_oneway, read_roads


def _pairs(seg):
    return {
        (int(a), int(b)): (int(o), DRIVABLE_HIGHWAYS[h], m)
        for a, b, o, h, m in zip(
            seg.u, seg.v, seg.oneway, seg.highway, seg.maxspeed_kmh, strict=True
        )
    }


def test_grid_keeps_drivable_ways_and_their_tags(tmp_path):
    seg = read_roads(write_grid(tmp_path / "grid.osm"))
    pairs = _pairs(seg)
    # 6 grid ways × 2 segments + the far street; no footway 1-9, no private 4-6
    assert len(seg) == 13
    assert (1, 9) not in pairs and (4, 6) not in pairs
    assert pairs[(4, 5)][:2] == (1, "primary")
    assert pairs[(7, 8)][:2] == (-1, "residential")
    assert pairs[(2, 5)][2] == 10.0
    assert math.isnan(pairs[(1, 2)][2])
    lat = dict(zip(seg.u.tolist(), seg.u_lat.tolist(), strict=True))
    assert lat[4] == pytest.approx(25.131)


@pytest.mark.parametrize("suffix", [".osm.gz", ".osm.bz2"])
def test_compressed_xml_reads_the_same(tmp_path, suffix):
    plain = read_roads(write_grid(tmp_path / "grid.osm"))
    path = tmp_path / f"grid{suffix}"
    opener = gzip.open if suffix.endswith("gz") else bz2.open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(grid_xml())
    packed = read_roads(path)
    assert np.array_equal(plain.u, packed.u) and np.array_equal(plain.v, packed.v)


def test_pbf_reads_the_same(tmp_path):
    xml = write_grid(tmp_path / "grid.osm")
    pbf = tmp_path / "grid.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(xml)):
        if obj.is_node():
            writer.add_node(obj)
        elif obj.is_way():
            writer.add_way(obj)
    writer.close()
    plain, packed = read_roads(xml), read_roads(pbf)
    assert pbf.read_bytes()[:64] != xml.read_bytes()[:64]
    assert np.array_equal(plain.u, packed.u) and np.array_equal(plain.oneway, packed.oneway)
    assert np.allclose(plain.v_lat, packed.v_lat)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.osm", b'<osm version="0.6"><node id="1" lat=', "cannot read"),
        ("noise.osm.pbf", b"\x00\x01not a pbf" * 20, "cannot read"),
        ("roads.txt", b"hello", "cannot read"),
        ("empty.osm", b'<?xml version="1.0"?><osm version="0.6"></osm>', "no drivable road"),
    ],
)
def test_bad_files_raise_input_error_naming_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_roads(path)
    assert str(path) in str(e.value) and reason in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_roads(tmp_path / "nope.osm.pbf")


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("30 mph", 30 * 1.609344),
        ("60;40", 40.0),
        ("10 knots", 18.52),
    ],
)
def test_parse_maxspeed(value, kmh):
    assert parse_maxspeed(value) == pytest.approx(kmh)


@pytest.mark.parametrize("value", [None, "", "TW:urban", "none", "walk", "signals", "-5", "0"])
def test_parse_maxspeed_unusable(value):
    assert math.isnan(parse_maxspeed(value))


@given(st.integers(1, 200), st.sampled_from(["", " km/h", "kmh", " kph"]))
def test_parse_maxspeed_numbers(n, unit):
    assert parse_maxspeed(f"{n}{unit}") == n


@given(st.text(max_size=12))
def test_parse_maxspeed_never_crashes(text):
    x = parse_maxspeed(text)
    assert math.isnan(x) or x > 0


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"oneway": "yes"}, 1),
        ({"oneway": "-1"}, -1),
        ({"oneway": "no", "highway": "motorway"}, 0),
        ({"highway": "motorway"}, 1),
        ({"junction": "roundabout"}, 1),
        ({"highway": "residential"}, 0),
        ({"oneway": "reversible"}, None),
    ],
)
def test_parse_oneway(tags, expected):
    assert parse_oneway(tags) == expected
