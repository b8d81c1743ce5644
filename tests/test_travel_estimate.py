"""The estimate model: invariants a routing model relies on, and the documented numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.travel import EstimateParams, build_matrix, estimate_arrays, haversine_m

# Keelung-ish box, so distances span the urban and freeway bands.
lats = st.floats(24.9, 25.3, allow_nan=False)
lons = st.floats(121.4, 121.9, allow_nan=False)
coords = st.lists(st.tuples(lats, lons), min_size=2, max_size=12)


def _arrays(pts: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    a = np.array(pts)
    return estimate_arrays(a[:, 0], a[:, 1])


@settings(max_examples=60, deadline=None)
@given(coords)
def test_symmetric_zero_diagonal_and_min_leg(pts):
    dist, dur = _arrays(pts)
    p = EstimateParams()
    assert np.array_equal(dist, dist.T) and np.array_equal(dur, dur.T)
    assert np.all(np.diag(dist) == 0) and np.all(np.diag(dur) == 0)
    off = ~np.eye(len(pts), dtype=bool)
    assert np.all(dist[off] >= p.min_leg_m) and np.all(dur[off] >= p.min_leg_s)


@settings(max_examples=60, deadline=None)
@given(coords)
def test_triangle_inequality(pts):
    dist, dur = _arrays(pts)
    n = len(pts)
    for m in (dist, dur):
        # m[i,k] <= m[i,j] + m[j,k] for all i, j, k (tolerance for float rounding)
        assert np.all(m[:, None, :] <= m[:, :, None] + m[None, :, :] + 1e-6 + 0 * n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 200_000), min_size=2, max_size=30))
def test_duration_monotone_in_distance(ds):
    p = EstimateParams()
    d = np.sort(np.array(ds))
    t = p.drive_s(d)
    assert np.all(np.diff(t) >= -1e-9)
    # longer legs are faster on average (once past the floor)
    long = d > 100
    avg = d[long] / t[long]
    assert np.all(np.diff(avg) >= -1e-9)


def test_banded_speeds_match_the_documented_table():
    p = EstimateParams()
    # 2 km at 20 km/h = 360 s; 8 km at 30 km/h = 960 s; 5 km at 45 km/h = 400 s
    assert p.drive_s(np.array([2000.0]))[0] == pytest.approx(360)
    assert p.drive_s(np.array([10_000.0]))[0] == pytest.approx(360 + 960)
    assert p.drive_s(np.array([15_000.0]))[0] == pytest.approx(360 + 960 + 400)


def test_haversine_one_degree_of_latitude():
    # one degree of latitude on the IUGG mean sphere: 6371008.8 * pi / 180
    assert haversine_m(
        np.array(25.0), np.array(121.7), np.array(26.0), np.array(121.7)
    ) == pytest.approx(111_195.08, abs=0.1)


def test_coincident_distinct_nodes_get_the_min_leg():
    nodes = pd.DataFrame(
        {
            "node_id": ["KL-BAIFU", "KL-YONGPING", "KL-QIDU"],
            "lat": [25.10962028] * 3,
            "lon": [121.683628] * 3,
        }
    )
    m = build_matrix(nodes)
    p = EstimateParams()
    assert len(m) == 9
    same = m["from_id"] == m["to_id"]
    assert (m.loc[same, ["distance_m", "duration_s"]] == 0).all().all()
    assert (m.loc[~same, "distance_m"] == p.min_leg_m).all()
    assert (
        m.loc[~same, "duration_s"]
        == max(p.min_leg_s, p.drive_s(np.array([p.min_leg_m]))[0] + p.overhead_s)
    ).all()
    assert set(m["source"]) == {"estimate"}
    assert m.attrs["estimate_params"]["circuity"] == p.circuity


def test_build_matrix_all_ordered_pairs_in_order():
    nodes = pd.DataFrame(
        {"node_id": ["A", "B", "C"], "lat": [25.13, 25.10, 25.03], "lon": [121.74, 121.68, 121.54]}
    )
    m = build_matrix(nodes)
    assert list(m.columns) == ["from_id", "to_id", "distance_m", "duration_s", "source"]
    assert list(zip(m["from_id"], m["to_id"], strict=True)) == [
        (a, b) for a in "ABC" for b in "ABC"
    ]
    ab = m[(m.from_id == "A") & (m.to_id == "B")].iloc[0]
    g = haversine_m(np.array(25.13), np.array(121.74), np.array(25.10), np.array(121.68))
    assert ab["distance_m"] == pytest.approx(1.35 * g)


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        (pd.DataFrame({"node_id": ["A"], "lat": [25.0]}), None),
        (
            pd.DataFrame({"node_id": ["A", "A"], "lat": [25.0, 25.1], "lon": [121.0, 121.1]}),
            "node_id",
        ),
        (
            pd.DataFrame(
                {"node_id": ["A", "B"], "lat": [25.0, float("nan")], "lon": [121.0, 121.1]}
            ),
            "lat",
        ),
        (pd.DataFrame({"node_id": ["A", "B"], "lat": [25.0, 25.1], "lon": [121.0, 200.0]}), "lon"),
    ],
)
def test_bad_node_table_raises_input_error(frame, field):
    with pytest.raises(InputError) as e:
        build_matrix(frame)
    if field:
        assert f"field '{field}'" in str(e.value) and "row 2" in str(e.value)
    else:
        assert "lon" in str(e.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"circuity": 0.9}, {"speed_kmh": (20.0, 30.0)}, {"band_km": (10.0, 2.0)}, {"min_leg_m": -1.0}],
)
def test_params_reject_nonsense(kwargs):
    with pytest.raises(ValueError):
        EstimateParams(**kwargs)
