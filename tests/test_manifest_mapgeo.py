"""Map frames keep shapes (same scale both ways) and scale bars are 1-2-5 lengths that fit."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bookvan.routing.manifest.mapgeo import MapFrame, group_points, nice_scale_m
from bookvan.routing.manifest.runs import haversine_m


@given(st.floats(0.5, 1e7))
def test_nice_scale_is_1_2_5_and_not_longer(max_m):
    m = nice_scale_m(max_m)
    assert m <= max_m
    assert m > max_m / 5 - 1e-9
    mant = m / 10 ** math.floor(math.log10(m) + 1e-9)
    assert round(mant, 6) in (1.0, 2.0, 5.0)


def test_frame_fits_points_and_scale_bar_matches_ground_distance():
    pts = [(121.7442, 25.1313), (121.6836, 25.1096), (121.8232, 25.0981)]
    f = MapFrame.fit(pts, 300, 200, pad=10)
    for lon, lat in pts:
        x, y = f.xy(lon, lat)
        assert 9.9 <= x <= 290.1 and 9.9 <= y <= 190.1
    # a drawn distance divided by the scale is the ground distance (within 1 %)
    (x1, y1), (x2, y2) = f.xy(*pts[1]), f.xy(*pts[2])
    drawn = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 / f.scale
    ground = haversine_m(pts[1][1], pts[1][0], pts[2][1], pts[2][0])
    assert abs(drawn - ground) / ground < 0.01
    metres, length, label = f.scale_bar(0.3)
    assert length <= 0.3 * 300 and abs(length - metres * f.scale) < 1e-9
    assert label.endswith("km")


def test_colocated_points_share_one_marker():
    groups = group_points([(1.0, 2.0, "A"), (1.0, 2.0, "B"), (1.5, 2.0, "C")])
    assert sorted(g[2] for g in groups) == [["A", "B"], ["C"]]
