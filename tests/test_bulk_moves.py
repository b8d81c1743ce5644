"""Flexible bulk moves: a stock-rotation rota of a few hundred items over a fortnight is placed on
days with spare van room, no day over its room, nothing after its window, big moves split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.routing.bulk import BulkMove, moves_from_rota, place_moves, placement_rows, read_moves, read_rota

START = dt.date(2026, 12, 1)
NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU", "KL-QIDU"}
runner = CliRunner()


def _rota(tmp: Path, items: int = 360) -> tuple[Path, Path]:
    stages = tmp / "stages.csv"
    stages.write_text(
        "rota_id,position,branch,duration_days,cyclical\n"
        "keelung-studies,1,KL-MAIN,7,true\nkeelung-studies,2,KL-ANLE,5,true\nkeelung-studies,3,KL-XINYI,5,true\n"
        "exhibit,1,KL-BAIFU,3,false\nexhibit,2,KL-QIDU,4,false\n", encoding="utf-8")
    rows = ["item_id,rota_id,position,arrived"]
    for k in range(items):
        rota, pos = ("keelung-studies", 1 + k % 3) if k % 4 else ("exhibit", 1)
        arrived = START - dt.timedelta(days=5) + dt.timedelta(days=3 * (k % 3))
        rows.append(f"RT{k:05d},{rota},{pos},{arrived}")
    its = tmp / "rota_items.csv"
    its.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return stages, its


def _check(placed, moves, room) -> None:
    for day in placed.parts:
        assert placed.crates_on(day) <= room.get(day, 0)
    for day, parts in placed.parts.items():
        for m, _, _ in parts:
            assert m.window_start <= day <= m.window_end
    got: dict[str, int] = {}
    for parts in placed.parts.values():
        for m, _, n in parts:
            got[m.move_id] = got.get(m.move_id, 0) + n
    left = {m.move_id: n for m, n, _ in placed.unplaced}
    for m in moves:
        assert got.get(m.move_id, 0) + left.get(m.move_id, 0) == m.items


def test_rota_of_hundreds_of_items_over_a_fortnight(tmp_path: Path) -> None:
    stages, its = _rota(tmp_path)
    rotas, items = read_rota(stages, its, NODES)
    moves = moves_from_rota(rotas, items, slack_days=4)
    assert sum(m.items for m in moves) > 250  # the last exhibit stage stays: not every item moves
    room = {START + dt.timedelta(days=k): 2 if k % 7 else 0 for k in range(-10, 20)}  # no room on Tuesdays
    closed_sunday = lambda _n, d: d.weekday() != 6  # noqa: E731
    placed = place_moves(moves, room, 30, closed_sunday)
    _check(placed, moves, room)
    assert not any(d.weekday() in (1, 6) for d in placed.parts)  # no room / nobody there
    rows = pd.DataFrame(placement_rows(placed, 30))
    assert (rows["parts"] > 1).any()  # a move too big for one day went over several
    assert rows.groupby("move_id")["items"].sum().sum() == sum(m.items for m in moves) - sum(
        n for _, n, _ in placed.unplaced)
    ids = " ".join(rows["item_ids"]).split()
    assert len(ids) == len(set(ids)) == rows["items"].sum()  # each item placed once
    for m, _, why in placed.unplaced:
        assert m.window_end.isoformat() in why


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 400), st.integers(0, 10), st.integers(0, 5)), min_size=1, max_size=25),
       st.lists(st.integers(0, 12), min_size=16, max_size=16))
def test_placement_never_overfills_a_day_or_leaves_a_window(specs, rooms) -> None:
    moves = [BulkMove(f"M{i}", "KL-MAIN", "KL-ANLE", n, START + dt.timedelta(days=a),
                      START + dt.timedelta(days=a + w)) for i, (n, a, w) in enumerate(specs)]
    room = {START + dt.timedelta(days=k): r for k, r in enumerate(rooms)}
    _check(place_moves(moves, room, 30), moves, room)


def test_bad_move_list_names_row_and_field(tmp_path: Path) -> None:
    p = tmp_path / "moves.csv"
    p.write_text("move_id,origin_id,destination_id,items,window_start,window_end\n"
                 "M1,KL-MAIN,KL-ANLE,40,2026-12-01,2026-12-05\nM2,KL-NOPE,KL-ANLE,x,2026-12-09,2026-12-02\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_moves(p, NODES)
    text = str(e.value)
    assert "row 2" in text and "origin_id" in text and "items" in text and "window_end" in text


@pytest.mark.slow
def test_cli_places_a_rota_with_forecast_room(tmp_path: Path) -> None:
    stages, its = _rota(tmp_path, items=300)
    res = runner.invoke(app, ["bulk", str(stages), "--rota-items", str(its), "--slack-days", "4",
                              "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    rows = pd.read_csv(tmp_path / "b" / "bulk_moves.csv")
    import json

    info = json.loads((tmp_path / "b" / "bulk.json").read_text(encoding="utf-8"))
    used = rows.groupby("date")["crates"].sum()
    assert all(used[d] <= info["room"][d] for d in used.index)
    assert (rows["date"] <= rows["window_end"]).all() and (rows["date"] >= rows["window_start"]).all()
    day = sorted((tmp_path / "b" / "days").glob("*.csv"))[0]
    from bookvan.data.transfers import read_transfer_list

    listed = read_transfer_list(day, node_ids=NODES | {"KL-NUANNUAN"}, date=dt.date.fromisoformat(day.stem),
                                items_per_crate=30)
    assert (listed.transfers["kind"] == "rotation").all()
