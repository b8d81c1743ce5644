"""GPX 1.1, GeoJSON (RFC 7946) and CSV loading lists: valid, in driving order, crates balanced."""

from __future__ import annotations

import csv
import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections import Counter

import gpxpy
import jsonschema
import pytest
from plan_factory import good_plan, write_plan_dir

from bookvan.routing.manifest.exports import (
    LOADING_COLUMNS,
    geojson_text,
    gpx_text,
    loading_rows,
    write_loading_csvs,
)
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs

NS = "{http://www.topografix.com/GPX/1/1}"
# element order of the GPX 1.1 schema (gpx.xsd sequences), for the structural check
GPX_ORDER = ["metadata", "wpt", "rte", "trk", "extensions"]
WPT_ORDER = [
    "ele",
    "time",
    "magvar",
    "geoidheight",
    "name",
    "cmt",
    "desc",
    "src",
    "link",
    "sym",
    "type",
    "fix",
    "sat",
    "hdop",
    "vdop",
    "pdop",
    "ageofdgpsdata",
    "dgpsid",
    "extensions",
]
RTE_ORDER = ["name", "cmt", "desc", "src", "link", "number", "type", "extensions", "rtept"]

# a small schema written from RFC 7946 (sections 3.1.1-3.1.4, 3.2, 3.3) for what we write
_POSITION = {
    "type": "array",
    "minItems": 2,
    "maxItems": 3,
    "prefixItems": [
        {"type": "number", "minimum": -180, "maximum": 180},
        {"type": "number", "minimum": -90, "maximum": 90},
    ],
    "items": {"type": "number"},
}
GEOJSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "features"],
    "not": {"required": ["crs"]},
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "properties": {"type": ["object", "null"]},
                    "geometry": {
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["type", "coordinates"],
                                "properties": {
                                    "type": {"const": "Point"},
                                    "coordinates": _POSITION,
                                },
                            },
                            {
                                "type": "object",
                                "required": ["type", "coordinates"],
                                "properties": {
                                    "type": {"const": "LineString"},
                                    "coordinates": {
                                        "type": "array",
                                        "minItems": 2,
                                        "items": _POSITION,
                                    },
                                },
                            },
                        ]
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    plan = load_plan(write_plan_dir(good_plan(), tmp_path_factory.mktemp("h") / "plan"))
    return plan, build_runs(plan)


def _check_order(elem, order):
    names = [c.tag.removeprefix(NS) for c in elem]
    assert all(n in order for n in names), names
    idx = [order.index(n) for n in names]
    assert idx == sorted(idx), names


def test_gpx_is_gpx_1_1_in_driving_order(hand):
    plan, runs = hand
    for run in runs:
        text = gpx_text(plan, run)
        root = ET.fromstring(text.encode("utf-8"))
        assert root.tag == f"{NS}gpx" and root.get("version") == "1.1" and root.get("creator")
        _check_order(root, GPX_ORDER)
        wpts, rtes = root.findall(f"{NS}wpt"), root.findall(f"{NS}rte")
        assert len(rtes) == 1 and len(wpts) == len(run.stops)
        _check_order(rtes[0], RTE_ORDER)
        for p in [*wpts, *rtes[0].findall(f"{NS}rtept")]:
            _check_order(p, WPT_ORDER)
            assert -90 <= float(p.get("lat")) <= 90 and -180 <= float(p.get("lon")) < 180
            dt.datetime.fromisoformat(p.find(f"{NS}time").text.replace("Z", "+00:00"))
        g = gpxpy.parse(text)
        names = [p.name for p in g.routes[0].points]
        assert [n.split("(")[-1].rstrip(")") for n in names] == [s.node_id for s in run.stops]
        assert names[0].startswith("D ") and names[1].startswith("1 ")
        assert g.routes[0].points[1].time == run.stops[1].arrival.to_pydatetime()


def test_geojson_validates_against_rfc7946_schema(hand):
    plan, runs = hand
    for run in runs:
        fc = json.loads(geojson_text(plan, run))
        jsonschema.validate(fc, GEOJSON_SCHEMA)
        kinds = Counter(f["properties"]["feature"] for f in fc["features"])
        moves = sum(a.node_id != b.node_id for a, b in zip(run.stops, run.stops[1:], strict=False))
        assert kinds == {"stop": len(run.stops), "leg": moves}
        stops = [f for f in fc["features"] if f["properties"]["feature"] == "stop"]
        assert [f["geometry"]["coordinates"] for f in stops] == [
            [round(s.lon, 7), round(s.lat, 7)] for s in run.stops
        ]


def test_schema_rejects_swapped_or_broken_geometry():
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [25.1, 121.7, 0, 0]},
            }
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, GEOJSON_SCHEMA)


def test_loading_csvs_balance_per_transfer(hand, tmp_path):
    plan, runs = hand
    paths = write_loading_csvs(plan, runs, tmp_path / "loading")
    assert {p.stem for p in paths} == {s.node_id for r in runs for s in r.stops}
    rows = []
    for p in paths:
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames) == LOADING_COLUMNS
            part = list(reader)
        assert all(r["node_id"] == p.stem for r in part)
        rows += part
    assert len(rows) == len(loading_rows(plan, runs))
    loads = Counter((r["transfer_id"], r["crate_id"]) for r in rows if r["action"] == "load")
    unloads = Counter((r["transfer_id"], r["crate_id"]) for r in rows if r["action"] == "unload")
    assert loads == unloads and set(loads.values()) == {1}
    crates = plan.transfers.set_index("transfer_id")["crates"]
    per_transfer = Counter(t for t, _ in loads)
    assert per_transfer == {t: int(crates[t]) for t in per_transfer}
    # T1 (3 crates) is loaded at KL-ANLE and unloaded at KL-XINYI by VAN-1 trip 1
    t1 = [r for r in rows if r["transfer_id"] == "T1"]
    assert {(r["node_id"], r["action"]) for r in t1} == {
        ("KL-ANLE", "load"),
        ("KL-XINYI", "unload"),
    }
    assert sorted({r["crate_id"] for r in t1}) == ["T1-C01", "T1-C02", "T1-C03"]
