"""One small broken input per error of issue 11: exit 2 naming file, row/table and field, no
traceback, nothing written, and no solver started.

The solver entry points are replaced by a tripwire here: every case must be refused while the
inputs are read, before any routing starts (``plan_day`` / the Dask runner).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from plan_factory import good_plan, stop_index, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.network import bundled_network_dir

runner = CliRunner()


class ReachedSolver(Exception):
    """Raised by the tripwire: the input passed validation and routing would start."""


@pytest.fixture(autouse=True)
def tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    def trip(*_a: object, **_k: object) -> None:
        raise ReachedSolver

    monkeypatch.setattr("bookvan.routing.daily.plan_day", trip)
    monkeypatch.setattr("bookvan.scenarios.runner.run_scenarios", trip)
    monkeypatch.setattr("bookvan.routing.bench.solve.solve_instance", trip)


def refused(res: object, out: Path, *words: str) -> None:
    """Exit 2, every word in the message, no traceback, the output folder not created."""
    assert not isinstance(res.exception, ReachedSolver), "validation let it through to the solver"  # type: ignore[attr-defined]
    assert res.exit_code == 2, res.output  # type: ignore[attr-defined]
    text = res.output  # type: ignore[attr-defined]
    assert "Traceback" not in text
    for w in words:
        assert w in text, (w, text)
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# fleet.toml
# --------------------------------------------------------------------------------------------

def network_with(tmp_path: Path, fleet_edit: tuple[str, str] | None = None, nodes_edit=None) -> Path:
    d = tmp_path / "net"
    shutil.copytree(bundled_network_dir(), d)
    if fleet_edit is not None:
        f = d / "fleet.toml"
        text = f.read_text(encoding="utf-8")
        assert fleet_edit[0] in text, fleet_edit
        f.write_text(text.replace(fleet_edit[0], fleet_edit[1], 1), encoding="utf-8")
    if nodes_edit is not None:
        nodes = pd.read_csv(d / "nodes.csv", dtype=str, keep_default_na=False)
        nodes_edit(nodes)
        nodes.to_csv(d / "nodes.csv", index=False)
    return d


FLEET_CASES = [
    # (old text, new text, row, field, words)
    ('break_earliest = "11:30"', 'break_earliest = "15:30"', 1, "break_latest", "backwards"),
    ('break_earliest = "11:30"', 'break_earliest = "05:00"', 1, "break_earliest", "before the shift"),
    ('break_latest = "13:30"', 'break_latest = "16:50"', 1, "break_latest", "ends after the shift"),
    ("break_s = 2700", "break_s = 40000", 1, "break_s", "as long as the shift"),
    ("capacity_crates = 24", "capacity_crates = 1000000000000", 1, "capacity_crates", "1000"),
    ("capacity_crates = 24", "capacity_crates = nan", 1, "capacity_crates", "nan"),
    ("max_trips = 3", "max_trips = 99999999999", 1, "max_trips", "24"),
    ('vehicle_id = "VAN-1"', f'vehicle_id = "{"V" * 300}"', 1, "vehicle_id", "at most 64"),
    ("items_per_crate = 30", "items_per_crate = 100000000", None, "items_per_crate", "1000"),
    ("per_km = 4.9", "per_km = inf", None, "costs.per_km", "inf"),
    ("per_km = 4.9", "per_km = nan", None, "costs.per_km", "nan"),
    ("per_van_day = 904.0", "per_van_day = 1e300", None, "costs.per_van_day", "must be ≤"),
    ("hold_penalty = 20000", "hold_penalty = 9000000000000000000", None, "routing.hold_penalty", "must be ≤"),
    ("sorting_s = 3600", "sorting_s = 10000000", None, "routing.sorting_s", "must be ≤"),
]


@pytest.mark.parametrize(("old", "new", "row", "field", "word"), FLEET_CASES)
def test_bad_fleet_value_exits_2(tmp_path: Path, old: str, new: str, row: int | None, field: str, word: str) -> None:
    net = network_with(tmp_path, (old, new))
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--network", str(net), "--out", str(out)])
    words = ["fleet.toml", f"field '{field}'", word] + ([f"row {row}"] if row else [])
    refused(res, out, *words)


def test_scenario_shift_that_leaves_the_break_outside_exits_2(tmp_path: Path) -> None:
    scn = tmp_path / "late.toml"
    scn.write_text('name = "late"\n[fleet]\nshift_start = "14:00"\n', encoding="utf-8")
    out = tmp_path / "run"
    res = runner.invoke(app, ["scenario", "run", str(scn), "--days", "1", "--out", str(out)])
    refused(res, out, "late.toml", "field 'fleet.shift_start'", "before the shift")


# --------------------------------------------------------------------------------------------
# nodes.csv
# --------------------------------------------------------------------------------------------

def _set(field: str, value: str, row: int = 2):
    def edit(nodes: pd.DataFrame) -> None:
        nodes.loc[row - 1, field] = value

    return edit


NODE_CASES = [
    ("node_id", "N" * 300, "at most 64"),
    ("name_en", "x" * 10_000, "at most 200"),
    ("name_zh", "館" * 201, "at most 200"),
    ("note", "n" * 5000, "at most 2000"),
    ("lat", "nan", "outside"),
    ("lon", "inf", "outside"),
    ("lat", "1e400", "outside"),
    ("lat", "91", "outside"),
    ("service_s", "nan", "outside"),
]


@pytest.mark.parametrize(("field", "value", "word"), NODE_CASES)
def test_bad_node_value_exits_2(tmp_path: Path, field: str, value: str, word: str) -> None:
    net = network_with(tmp_path, nodes_edit=_set(field, value))
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--network", str(net), "--out", str(out)])
    refused(res, out, "nodes.csv", "row 2", f"field '{field}'", word)


# --------------------------------------------------------------------------------------------
# scenario files
# --------------------------------------------------------------------------------------------

SCENARIO_CASES = [
    ('remove_nodes = ["KL-MAIN"]\n', "remove_nodes", "depot"),
    ('[[move_node]]\nnode_id = "KL-MAIN"\nlat = 35.0\nlon = 121.7\n', "move_node.lat", "off the map"),
    ('[[move_node]]\nnode_id = "KL-ANLE"\nlat = 25.1\nlon = -121.7\n', "move_node.lat", "off the map"),
    ('[[move_node]]\nnode_id = "KL-ANLE"\nlat = 95.0\nlon = 121.7\n', "move_node[0].lat", "≤ 90"),
    ('[[move_node]]\nnode_id = "KL-ANLE"\nlat = nan\nlon = 121.7\n', "move_node[0].lat", "finite"),
    ('[[add_node]]\nnode_id = "X"\nname_zh = "X"\nname_en = "X"\nkind = "branch"\nlat = 5.0\nlon = 121.7\n'
     'like = "KL-ANLE"\n', "add_node.lat", "off the map"),
    ('remove_nodes = ["KL-ANLE"]\n[fleet]\ndepot = "KL-ANLE"\n', "fleet.depot", "removed"),
    ("[simulation]\ntime_limit_s = nan\n", "simulation.time_limit_s", "finite"),
    ("[simulation]\ntime_limit_s = inf\n", "simulation.time_limit_s", "finite"),
    ("[simulation]\nseed = 1099511627776\n", "simulation.seed", "≤"),
    ("[simulation]\ndays = 9223372036854775807\n", "simulation.days", "≤"),
    ("[demand]\ngrowth = inf\n", "demand.growth", "finite"),
    ("[fleet]\ncapacity_crates = 100000000\n", "fleet.capacity_crates", "≤"),
]


@pytest.mark.parametrize(("body", "field", "word"), SCENARIO_CASES)
def test_bad_scenario_exits_2_before_any_worker(tmp_path: Path, body: str, field: str, word: str) -> None:
    scn = tmp_path / "bad.toml"
    scn.write_text('name = "bad"\n' + body, encoding="utf-8")
    out = tmp_path / "run"
    res = runner.invoke(app, ["scenario", "run", str(scn), "--days", "1", "--out", str(out)])
    refused(res, out, "bad.toml", f"field '{field}'", word)


def test_moving_the_depot_within_the_area_still_loads() -> None:
    from bookvan.scenarios.spec import load_scenarios

    lib = Path(__file__).resolve().parents[1] / "scenarios" / "library" / "new-main-library.toml"
    assert len(load_scenarios(lib)) >= 3  # the candidate sites move KL-MAIN inside Keelung


def test_cli_limits_match_the_scenario_limits() -> None:
    from bookvan.cli import options
    from bookvan.scenarios import spec

    assert (options.MAX_DAYS, options.MAX_REPLICATIONS) == (spec.MAX_DAYS, spec.MAX_REPLICATIONS)


# --------------------------------------------------------------------------------------------
# numeric options
# --------------------------------------------------------------------------------------------

PLAN_OPTIONS = [
    ("--time-limit", "nan"), ("--time-limit", "inf"), ("--time-limit", "0"), ("--time-limit", "-1"),
    ("--time-limit", "1e400"), ("--seed", str(2**40)), ("--seed", "-1"), ("--seed", str(10**30)),
    ("--search-steps", "0"), ("--search-steps", str(10**12)), ("--quantile", "nan"), ("--quantile", "1"),
]  # fmt: skip


@pytest.mark.parametrize(("option", "value"), PLAN_OPTIONS)
def test_bad_plan_number_exits_2_naming_the_option(tmp_path: Path, option: str, value: str) -> None:
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", option, value, "--out", str(out)])
    refused(res, out, option)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["scenario", "run", "baseline", "--days", "0"], "--days"),
        (["scenario", "run", "baseline", "--days", str(10**9)], "--days"),
        (["scenario", "run", "baseline", "--replications", str(10**9)], "--replications"),
        (["scenario", "run", "baseline", "--workers", "100000"], "--workers"),
        (["bench", "solve", "x.txt", "--time-limit", "nan"], "--time-limit"),
        (["bench", "solve", "x.txt", "--seed", str(2**40)], "--seed"),
    ],
)
def test_bad_numbers_of_other_commands_exit_2(tmp_path: Path, args: list[str], option: str) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, [*args, "--out", str(out)])
    refused(res, out, option)


# --------------------------------------------------------------------------------------------
# plan folders: check and manifest
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("date", ["not-a-date", "2026-13-45", 20261201, None, "2026-12-01T08:00"])
def test_check_refuses_a_plan_json_whose_date_is_not_a_date(tmp_path: Path, date: object) -> None:
    tables = good_plan()
    tables["plan"]["date"] = date
    d = write_plan_dir(tables, tmp_path / "plan")
    res = runner.invoke(app, ["check", str(d)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "plan.json" in res.output and "field 'date'" in res.output


def _infeasible_plan(tmp_path: Path, how: str) -> Path:
    tables = good_plan()
    st = tables["stops"]
    i = stop_index(st, "VAN-2", 1, 1)
    if how == "negative load":
        st.at[i, "load_after"] = -5
    else:  # a matrix duration of NaN
        tables["matrix"].loc[0, "duration_s"] = float("nan")
    return write_plan_dir(tables, tmp_path / "plan")


@pytest.mark.parametrize("how", ["negative load", "nan duration"])
def test_manifest_refuses_a_plan_that_check_rejects(tmp_path: Path, how: str) -> None:
    d = _infeasible_plan(tmp_path, how)
    checked = runner.invoke(app, ["check", str(d)])
    res = runner.invoke(app, ["manifest", str(d)])
    assert res.exit_code == checked.exit_code != 0, res.output
    assert "Traceback" not in res.output
    assert not (d / "manifests").exists()
    if checked.exit_code == 1:
        assert "--ignore-check" in res.output


@pytest.mark.slow
def test_manifest_ignore_check_prints_anyway_with_a_warning(tmp_path: Path) -> None:
    d = _infeasible_plan(tmp_path, "negative load")
    res = runner.invoke(app, ["manifest", str(d), "--ignore-check"])
    assert res.exit_code == 0, res.output
    assert "warning: printing despite" in res.output and (d / "manifests" / "index.json").exists()


# --------------------------------------------------------------------------------------------
# reasons on another day
# --------------------------------------------------------------------------------------------

def test_day_time_text_prints_a_date_for_another_day() -> None:
    from bookvan.routing.timetext import day_time_text

    m = pd.Timestamp("2026-12-01", tz="Asia/Taipei")
    assert day_time_text(14 * 3600, m) == "14:00"
    assert day_time_text(-10 * 3600, m) == "2026-11-30 14:00"  # was "-10:00"
    assert day_time_text(33 * 3600, m) == "2026-12-02 09:00"  # was "33:00"
    assert day_time_text(None, m) == "?"


def test_screened_reasons_name_the_other_day(network, fleet) -> None:
    from bookvan.data.tables import TZ
    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import day_nodes, day_vehicles
    from bookvan.routing.day_adapter import build_day_problem

    day = dt.date(2026, 12, 1)
    ts = pd.Timestamp
    transfers = pd.DataFrame({
        "transfer_id": ["T1", "T2"], "origin_id": ["KL-ANLE", "KL-MAIN"], "destination_id": ["KL-MAIN", "KL-ANLE"],
        "items": [30, 30], "crates": [1, 1], "kind": ["return", "hold"],
        "release": [pd.NaT, ts("2026-12-02 09:00", tz=TZ)], "due": [ts("2026-11-30 10:00", tz=TZ), pd.NaT],
    })  # fmt: skip
    dp = build_day_problem(
        date=day, nodes=day_nodes(network, day), vehicles=day_vehicles(fleet, day), transfers=transfers,
        matrix=build_matrix(network.nodes), costs=fleet.costs, settings=fleet.routing,
    )  # fmt: skip
    why = dict(dp.screened)
    assert "due at 2026-11-30 10:00" in why["T1"], why
    assert "released at 2026-12-02 09:00" in why["T2"], why
    assert not any("-" in w.split(" at ")[1][:3] for w in why.values())


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [("nodes", "name_en", "x" * 10_000), ("nodes", "name_zh", "館" * 201), ("vehicles", "vehicle_id", "V" * 300)],
)
def test_manifest_refuses_over_long_names_and_ids(tmp_path: Path, table: str, field: str, value: str) -> None:
    tables = good_plan()
    tables[table].loc[0, field] = value
    if field == "vehicle_id":  # keep the stops pointing at it
        old = good_plan()["vehicles"].loc[0, "vehicle_id"]
        tables["stops"]["vehicle_id"] = tables["stops"]["vehicle_id"].replace(old, value)
    d = write_plan_dir(tables, tmp_path / "plan")
    res = runner.invoke(app, ["manifest", str(d)])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert f"{table}.parquet" in res.output and "row 1" in res.output and f"field '{field}'" in res.output
    assert not (d / "manifests").exists()
