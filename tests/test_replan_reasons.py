"""The reason given for each transfer left out is its true cause: remove the cause and it is served.

Small days on the bundled network with one van, each built so that exactly one limit binds: van
capacity, shift time, a window (due times that clash), or a release after every shift.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from bookvan.data.fleet import Fleet, Vehicle
from bookvan.data.network import Network
from bookvan.data.transfers import read_transfers
from bookvan.data.travel import build_matrix
from bookvan.routing.daily import plan_day
from bookvan.routing.engine import SolveParams
from tests.conftest import PLAN_DATE

PARAMS = SolveParams(time_limit_s=20, deterministic=True, solution_limit=30)


def _van(**kw: object) -> Vehicle:
    base = dict(vehicle_id="VAN-1", depot="KL-MAIN", capacity_crates=24, shift_start=dt.time(8), shift_end=dt.time(17),
                max_trips=1)
    return Vehicle(**{**base, **kw})  # type: ignore[arg-type]


def _day(network: Network, fleet: Fleet, van: Vehicle, rows: list[dict], tmp: Path) -> tuple[set[str], dict]:
    f = tmp / f"t{len(list(tmp.iterdir()))}.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    todo = read_transfers(f, node_ids=set(network.node_ids), date=PLAN_DATE, items_per_crate=fleet.items_per_crate)
    fl = fleet.replace(vehicles=(van,))
    day = plan_day(network, fl, todo, PLAN_DATE, build_matrix(network.nodes), PARAMS)
    served = {t for ids in day.stops["delivery_ids"] for t in ids}
    return served, {u["transfer_id"]: u["reason"] for u in day.unassigned}


def _hold(tid: str, dest: str, items: int = 30, **kw: object) -> dict:
    return {"transfer_id": tid, "origin": "KL-MAIN", "destination": dest, "items": items, "kind": "hold", **kw}


BRANCHES = ["KL-ANLE", "KL-XINYI", "KL-ZHONGZHENG", "KL-RENAI", "KL-NUANNUAN", "KL-ZHONGSHAN"]


def test_capacity_is_named_and_binds(network: Network, fleet: Fleet, tmp_path: Path) -> None:
    rows = [_hold(f"C{i}", b, items=60) for i, b in enumerate(BRANCHES[:3])]  # 3 × 2 crates, one run from the depot
    served, waiting = _day(network, fleet, _van(capacity_crates=4), rows, tmp_path)
    assert len(waiting) == 1 and len(served) == 2
    assert all("capacity ran out" in r for r in waiting.values()), waiting
    served, waiting = _day(network, fleet, _van(capacity_crates=6), rows, tmp_path)
    assert waiting == {} and served == {"C0", "C1", "C2"}


def test_shift_time_is_named_and_binds(network: Network, fleet: Fleet, tmp_path: Path) -> None:
    rows = [_hold(f"S{i}", b) for i, b in enumerate(BRANCHES)]
    served, waiting = _day(network, fleet, _van(shift_end=dt.time(10)), rows, tmp_path)
    assert waiting and served
    assert all("shift time ran out" in r for r in waiting.values()), waiting
    served, waiting = _day(network, fleet, _van(shift_end=dt.time(17)), rows, tmp_path)
    assert waiting == {} and len(served) == len(rows)


def test_clashing_windows_are_named_and_bind(network: Network, fleet: Fleet, tmp_path: Path) -> None:
    rows = [_hold("W1", "KL-ANLE", due="09:10"), _hold("W2", "KL-XINYI", due="09:10")]
    served, waiting = _day(network, fleet, _van(), rows, tmp_path)
    assert len(waiting) == 1 and len(served) == 1
    assert all("windows" in r for r in waiting.values()), waiting
    rows = [_hold("W1", "KL-ANLE", due="09:10"), _hold("W2", "KL-XINYI", due="11:00")]
    served, waiting = _day(network, fleet, _van(), rows, tmp_path)
    assert waiting == {} and served == {"W1", "W2"}


def test_release_after_every_shift_is_named(network: Network, fleet: Fleet, tmp_path: Path) -> None:
    rows = [{"transfer_id": "L1", "origin": "KL-ANLE", "destination": "KL-XINYI", "items": 30, "kind": "hold",
             "release": "16:55"}]
    served, waiting = _day(network, fleet, _van(), rows, tmp_path)
    assert "shift" in waiting["L1"] and not served
    served, waiting = _day(network, fleet, _van(shift_end=dt.time(19)), rows, tmp_path)
    assert served == {"L1"}


def test_too_big_for_any_van_is_named(network: Network, fleet: Fleet, tmp_path: Path) -> None:
    rows = [_hold("B1", "KL-ANLE", items=30 * 30)]  # 30 crates, one van of 24, one run
    served, waiting = _day(network, fleet, _van(), rows, tmp_path)
    assert not {"B1"} & served
    assert any("largest van" in r or "big enough" in r or "split" in r for r in waiting.values()), waiting
    served, waiting = _day(network, fleet, _van(capacity_crates=30), rows, tmp_path)
    assert "B1" in served
