"""daily_transfers: schema, determinism, open nodes only, crates, quantile days — both methods."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow.parquet as pq
import pytest

from bookvan.data.network import load_network
from bookvan.data.tables import TRANSFERS_SCHEMA, write_table
from bookvan.demand import daily_transfers

METHODS = ["generator", "forecast"]


@pytest.fixture(scope="module")
def network():
    return load_network()


DAY = dt.date(2026, 12, 2)  # a Wednesday: Keelung branches open


@pytest.mark.parametrize("method", METHODS)
def test_columns_and_schema_roundtrip(network, tmp_path, method):
    t = daily_transfers(network, DAY, method=method)
    assert list(t.columns) == TRANSFERS_SCHEMA.names
    write_table(t, TRANSFERS_SCHEMA, tmp_path / "t.parquet")
    back = pq.read_table(tmp_path / "t.parquet")
    assert back.schema.names == TRANSFERS_SCHEMA.names
    assert back.num_rows == len(t) and back.column("items").to_pylist() == list(t["items"])
    assert set(t["kind"]) <= {"hold", "return"}
    assert t["transfer_id"].is_unique
    assert t[["leg_of", "leg", "part_of"]].isna().all().all()
    assert str(t["release"].dtype).endswith("Asia/Taipei]")


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_table_other_seed_differs(network, method):
    a = daily_transfers(network, DAY, seed=3, method=method)
    b = daily_transfers(network, DAY, seed=3, method=method)
    c = daily_transfers(network, DAY, seed=4, method=method)
    assert a.equals(b)
    cols = ["origin_id", "destination_id", "items"]
    assert not a[cols].reset_index(drop=True).equals(c[cols].reset_index(drop=True))


@pytest.mark.parametrize("per_crate", [1, 7, 30])
def test_crates_are_ceil_items(network, per_crate):
    for method in METHODS:
        t = daily_transfers(network, DAY, items_per_crate=per_crate, method=method)
        assert (t["items"] > 0).all()
        assert all(c == math.ceil(i / per_crate)
                   for i, c in zip(t["items"], t["crates"], strict=True))


@pytest.mark.parametrize("method", METHODS)
def test_only_open_nodes_and_no_self_transfer(network, method):
    monday = dt.date(2026, 11, 30)  # Keelung branches closed on Mondays
    for day in (monday, DAY):
        t = daily_transfers(network, day, method=method)
        for o, d in zip(t["origin_id"], t["destination_id"], strict=True):
            assert o != d
            assert network.hours_on(o, day).is_open and network.hours_on(d, day).is_open
    branches = set(network.nodes.loc[network.nodes["kind"] == "branch", "node_id"])
    mon = daily_transfers(network, monday, method=method)
    assert not (set(mon["origin_id"]) | set(mon["destination_id"])) & branches


@pytest.mark.parametrize("method", METHODS)
def test_taipei_exchanges_holds_only(network, method):
    for k in range(14):
        t = daily_transfers(network, DAY + dt.timedelta(days=k), method=method)
        tp = t[(t["origin_id"] == "TPML-MAIN") | (t["destination_id"] == "TPML-MAIN")]
        assert set(tp["kind"]) <= {"hold"}


@pytest.mark.parametrize("method", METHODS)
def test_scale_is_realistic(network, method):
    week = [DAY + dt.timedelta(days=k) for k in range(7)]
    days = [daily_transfers(network, d, method=method) for d in week]
    items = sum(int(t["items"].sum()) for t in days)
    crates = [int(t["crates"].sum()) for t in days]
    assert 700 < items < 5000  # a few hundred items a day
    assert max(crates) < 100


def test_generator_grows_to_2030(network):
    week = [DAY + dt.timedelta(days=k) for k in range(7)]
    items_2026 = sum(int(daily_transfers(network, d, method="generator")["items"].sum())
                     for d in week)
    week30 = [d.replace(year=2030) for d in week]
    items_2030 = sum(int(daily_transfers(network, d, method="generator")["items"].sum())
                     for d in week30)
    assert items_2030 > 1.3 * items_2026


@pytest.mark.parametrize("method", METHODS)
def test_p90_day_is_busier_than_median(network, method):
    days = [DAY + dt.timedelta(days=k) for k in range(7)]
    kw = {"sample": False} if method == "forecast" else {}
    p50 = sum(int(daily_transfers(network, d, method=method, **kw)["items"].sum()) for d in days)
    p90 = sum(int(daily_transfers(network, d, quantile=0.9, method=method)["items"].sum())
              for d in days)
    assert p90 > p50


def test_forecast_days_vary_with_the_seed_but_not_the_p90_day(network):
    a = [int(daily_transfers(network, DAY, seed=s)["items"].sum()) for s in range(4)]
    assert len(set(a)) > 1  # sampled typical days
    b = {int(daily_transfers(network, DAY, seed=s, quantile=0.9)["items"].sum()) for s in range(4)}
    assert len(b) == 1  # the quantile day: same items, only the pairs drawn differ


def test_bad_arguments(network):
    with pytest.raises(ValueError):
        daily_transfers(network, DAY, method="oracle")  # type: ignore[arg-type]
    for method in METHODS:
        with pytest.raises(ValueError):
            daily_transfers(network, DAY, quantile=1.0, method=method)
    with pytest.raises(ValueError):
        daily_transfers(network, DAY, items_per_crate=0, method="generator")
