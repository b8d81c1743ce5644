"""Hypothesis fuzzing of every reader through the command line: random and mutated cells give
exit 0, 1 or 2, never a traceback.

Readers: the transfers CSV, the network folder (nodes.csv, closures.csv), fleet.toml, the
circulation history CSV, scenario TOML, and plan folders for ``check`` and ``manifest``. The
work after reading (travel times, forecasts, simulation, PDF printing) is replaced by a
tripwire: an input that reaches it was accepted, and what it accepted is checked for sanity.
Examples are few and small so that the file runs in seconds; the real ``manifest`` run on
mutated plans is marked slow. Files go to pytest's temporary folders, never the repository.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plan_factory import good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.network import bundled_network_dir

runner = CliRunner()
SMALL_TRANSFERS = "origin,destination,items,kind\nKL-ANLE,KL-MAIN,10,return\n"
#: examples per reader; BOOKVAN_FUZZ_EXAMPLES=500 for a longer hunt
EXAMPLES = int(os.environ.get("BOOKVAN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
FUZZ_PLAN = settings(max_examples=max(EXAMPLES // 2, 1), deadline=None, suppress_health_check=list(HealthCheck))


class Accepted(Exception):
    """Raised by the tripwire: every input was read and accepted."""


# a cell as a careless or hostile user types it
SPECIAL = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "1e30", "9" * 40, "0.5", "2026-12-01",
    "2026-12-01T25:00", "25:00", "-14:00", "12:00", "=cmd|' /C calc'!A0", "+1", "@x", "true", "KL-MAIN",
    "KL-ANLE", '"', ",", "\n", "\r", "\x00", "\ufeff", "館" * 300, "x" * 10_000, "A/B", "../..",
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def ok_exit(res: Any) -> None:
    """The command ended as the contract says: exit 0/1/2 or the tripwire, no traceback."""
    if isinstance(res.exception, Accepted):
        return
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 1, 2), res.output
    assert "Traceback" not in res.output


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def mutate(rows: list[list[str]], edits: list[tuple[int, int, str]]) -> list[list[str]]:
    out = [list(r) for r in rows]
    for i, j, v in edits:
        r = out[i % len(out)]
        r[j % len(r)] = v
    return out


edits = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 40), cells), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(bundled_network_dir(), d / "good_net")
    (d / "t.csv").write_text(SMALL_TRANSFERS, encoding="utf-8")
    return d


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stop ``plan`` after reading (at the travel matrix) and record what it accepted."""
    seen: dict[str, Any] = {}

    def trip(nodes: pd.DataFrame, **_k: Any) -> None:
        seen["nodes"] = nodes
        raise Accepted

    monkeypatch.setattr("bookvan.data.travel.build_matrix", trip)
    return seen


def plan(work: Path, *args: str) -> Any:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", *args, "--out", str(out)])
    ok_exit(res)
    if not isinstance(res.exception, Accepted) and res.exit_code != 0:
        assert not out.exists(), "a refused input left an output folder"
    return res


# --------------------------------------------------------------------------------------------
# transfers CSV
# --------------------------------------------------------------------------------------------

TRANSFERS = [
    ["origin", "destination", "items", "kind", "release", "due"],
    ["KL-ANLE", "KL-XINYI", "45", "hold", "", "16:00"],
    ["KL-BAIFU", "KL-MAIN", "10", "return", "09:00", ""],
    ["KL-MAIN", "KL-ANLE", "31", "hold", "", ""],
]


@FUZZ
@given(e=edits)
def test_fuzz_transfers_csv(work: Path, tripwire: dict[str, Any], e: list[tuple[int, int, str]]) -> None:
    rows = mutate(TRANSFERS, e)
    f = work / "transfers.csv"
    f.write_text(csv_text(rows), encoding="utf-8", newline="")
    plan(work, "--transfers", str(f))


@pytest.mark.parametrize("items", ["1e30", "9" * 40])
def test_items_overflow(work: Path, tripwire: dict[str, Any], items: str) -> None:
    f = work / "transfers.csv"
    f.write_text(f"origin,destination,items,kind\nKL-ANLE,KL-MAIN,{items},return\n", encoding="utf-8")
    res = plan(work, "--transfers", str(f))
    assert res.exit_code == 2 and "field 'items'" in res.output


def test_a_bare_carriage_return_in_the_header_is_exit_2(work: Path, tripwire: dict[str, Any]) -> None:
    """Found by the fuzzer: the format peek at the header raised csv.Error (a traceback)."""
    f = work / "transfers.csv"
    f.write_bytes(b"origin\r,destination,items,kind\nKL-ANLE,KL-MAIN,3,return\n")
    res = plan(work, "--transfers", str(f))
    assert res.exit_code == 2 and "transfers.csv" in res.output


@FUZZ
@given(data=st.binary(max_size=120))
def test_fuzz_transfers_bytes(work: Path, tripwire: dict[str, Any], data: bytes) -> None:
    f = work / "transfers.csv"
    f.write_bytes(b"origin,destination,items,kind\n" + data)
    plan(work, "--transfers", str(f))


# --------------------------------------------------------------------------------------------
# network folder: nodes.csv and closures.csv
# --------------------------------------------------------------------------------------------

def _nodes_rows() -> list[list[str]]:
    text = (bundled_network_dir() / "nodes.csv").read_text(encoding="utf-8")
    return [r for r in csv.reader(io.StringIO(text))]


NODES = _nodes_rows()


@FUZZ
@given(e=st.lists(st.tuples(st.integers(1, 50), st.integers(0, 40), cells), min_size=1, max_size=3))
def test_fuzz_nodes_csv(work: Path, tripwire: dict[str, Any], e: list[tuple[int, int, str]]) -> None:
    net = work / "net"
    shutil.rmtree(net, ignore_errors=True)
    shutil.copytree(work / "good_net", net)
    (net / "nodes.csv").write_text(csv_text(mutate(NODES, e)), encoding="utf-8", newline="")
    tripwire.clear()
    plan(work, "--network", str(net), "--transfers", str(work / "t.csv"))
    if "nodes" in tripwire:  # accepted: coordinates on the globe, ids and names within limits
        n = tripwire["nodes"]
        assert n["lat"].between(-90, 90).all() and n["lon"].between(-180, 180).all()
        assert n["node_id"].str.len().le(64).all() and n["name_en"].str.len().le(200).all()


@FUZZ
@given(cols=st.lists(cells, min_size=4, max_size=4))
def test_fuzz_closures_csv(work: Path, tripwire: dict[str, Any], cols: list[str]) -> None:
    net = work / "net"
    shutil.rmtree(net, ignore_errors=True)
    shutil.copytree(work / "good_net", net)
    (net / "closures.csv").write_text(csv_text([["node_id", "start", "end", "reason"], cols]), encoding="utf-8")
    plan(work, "--network", str(net), "--transfers", str(work / "t.csv"))


# --------------------------------------------------------------------------------------------
# fleet.toml
# --------------------------------------------------------------------------------------------

FLEET = {
    "items_per_crate": 30,
    "vehicle": [
        {"vehicle_id": "VAN-1", "depot": "KL-MAIN", "capacity_crates": 24, "shift_start": "08:00",
         "shift_end": "17:00", "break_earliest": "11:30", "break_latest": "13:30", "break_s": 2700, "max_trips": 3},
    ],
    "costs": {"per_km": 6.0, "per_driver_hour": 300.0, "per_van_day": 1500.0},
    "routing": {"mode": "direct", "sorting_s": 3600, "hold_penalty": 20000},
}  # fmt: skip
FLEET_KEYS = [
    ("vehicle", k) for k in FLEET["vehicle"][0]  # type: ignore[index]
] + [("top", "items_per_crate"), ("costs", "per_km"), ("routing", "sorting_s"), ("routing", "hold_penalty")]
toml_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "08:00", "05:00", "23:59", "24:00", "15:30", "13:30", "nan", "KL-MAIN", "V" * 300]),
    st.text(max_size=10),
    st.booleans(),
)


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(FLEET_KEYS), toml_values), min_size=1, max_size=3))
def test_fuzz_fleet_toml(work: Path, tripwire: dict[str, Any], changes: list[tuple[tuple[str, str], Any]]) -> None:
    doc = copy.deepcopy(FLEET)
    for (where, key), v in changes:
        target = {"vehicle": doc["vehicle"][0], "top": doc}.get(where) or doc[where]  # type: ignore[index]
        target[key] = v
    f = work / "fleet.toml"
    f.write_text(tomli_w.dumps(doc), encoding="utf-8")
    plan(work, "--fleet", str(f), "--transfers", str(work / "t.csv"))


@FUZZ
@given(text=st.text(max_size=60))
def test_fuzz_fleet_text(work: Path, tripwire: dict[str, Any], text: str) -> None:
    f = work / "fleet.toml"
    f.write_text(tomli_w.dumps(FLEET) + text, encoding="utf-8")
    plan(work, "--fleet", str(f), "--transfers", str(work / "t.csv"))


# --------------------------------------------------------------------------------------------
# circulation history CSV (bookvan forecast)
# --------------------------------------------------------------------------------------------

HISTORY = [["date", "branch", "checkouts", "returns"]] + [
    [f"2025-01-{d:02d}", b, str(10 + d), str(5 + d)] for d in range(1, 15) for b in ("KL-ANLE", "KL-XINYI")
]


@FUZZ
@given(e=edits)
def test_fuzz_history_csv(work: Path, monkeypatch: pytest.MonkeyPatch, e: list[tuple[int, int, str]]) -> None:
    def trip(h: Any, *_a: Any, **_k: Any) -> None:
        raise Accepted

    monkeypatch.setattr("bookvan.demand.forecast.forecast_history", trip)
    f = work / "history.csv"
    f.write_text(csv_text(mutate(HISTORY, e)), encoding="utf-8", newline="")
    out = work / "fc.parquet"
    res = runner.invoke(app, ["forecast", "run", "--history", str(f), "--horizon", "3", "--out", str(out)])
    ok_exit(res)


# --------------------------------------------------------------------------------------------
# scenario TOML
# --------------------------------------------------------------------------------------------

SCENARIO_KEYS = [
    ("simulation", "days"), ("simulation", "seed"), ("simulation", "time_limit_s"), ("simulation", "start"),
    ("fleet", "vans"), ("fleet", "shift_start"), ("fleet", "shift_end"), ("fleet", "depot"),
    ("fleet", "capacity_crates"), ("demand", "growth"), ("move_node", "lat"), ("move_node", "lon"),
    ("move_node", "node_id"), ("top", "remove_nodes"), ("closure", "node_id"), ("closure", "end"),
]  # fmt: skip


@FUZZ
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(SCENARIO_KEYS), st.one_of(toml_values, st.lists(st.sampled_from(SPECIAL[:25]),
                                                                                   max_size=2))),
        min_size=1, max_size=3,
    )
)  # fmt: skip
def test_fuzz_scenario_toml(
    work: Path, monkeypatch: pytest.MonkeyPatch, changes: list[tuple[tuple[str, str], Any]]
) -> None:
    def trip(scns: Any, *_a: Any, **_k: Any) -> None:
        for s in scns:  # what reaches the workers is on the map and finite
            assert all(math.isfinite(m.lat) and math.isfinite(m.lon) for m in s.move_nodes)
            assert math.isfinite(s.sim.time_limit_s) and s.sim.days >= 1
        raise Accepted

    monkeypatch.setattr("bookvan.scenarios.runner.run_scenarios", trip)
    doc: dict[str, Any] = {
        "name": "fuzz",
        "simulation": {"days": 2, "seed": 1},
        "fleet": {"vans": 2},
        "demand": {"growth": 1.1},
        "move_node": [{"node_id": "KL-ANLE", "lat": 25.14, "lon": 121.71}],
        "closure": [{"node_id": "KL-ANLE", "start": "2027-01-05", "end": "2027-01-06"}],
    }
    for (where, key), v in changes:
        target = doc if where == "top" else doc[where][0] if isinstance(doc[where], list) else doc[where]
        target[key] = v
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        assume(False)
    f = work / "scn.toml"
    f.write_text(text, encoding="utf-8")
    out = work / "scn-out"
    shutil.rmtree(out, ignore_errors=True)
    res = runner.invoke(app, ["scenario", "run", str(f), "--out", str(out)])
    ok_exit(res)


# --------------------------------------------------------------------------------------------
# plan folders: check and manifest
# --------------------------------------------------------------------------------------------

TABLES = ["nodes", "vehicles", "transfers", "matrix", "stops"]
plan_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SPECIAL),
    st.text(max_size=8),
)


def mutated_plan(data: st.DataObject) -> dict[str, Any]:
    tables = good_plan()
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from([*TABLES, "plan"]))
        if name == "plan":
            key = data.draw(st.sampled_from(["date", "total_distance_m", "vehicles_used", "unassigned", "x"]))
            tables["plan"][key] = data.draw(plan_values)
            continue
        df: pd.DataFrame = tables[name]
        col = data.draw(st.sampled_from(list(df.columns)))
        row = data.draw(st.integers(0, len(df) - 1))
        value = data.draw(plan_values)
        df[col] = df[col].astype(object)
        df.at[df.index[row], col] = value
    return tables


def write_or_skip(tables: dict[str, Any], path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    try:
        return write_plan_dir(tables, path)
    except Exception:  # not writable with the contract's schemas: not a plan folder a tool makes
        assume(False)
        raise


@FUZZ
@given(data=st.data())
def test_fuzz_plan_folder_check(work: Path, data: st.DataObject) -> None:
    d = write_or_skip(mutated_plan(data), work / "plan")
    ok_exit(runner.invoke(app, ["check", str(d)]))


@FUZZ_PLAN
@given(data=st.data())
def test_fuzz_plan_folder_manifest_refuses_or_prints(
    work: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    def trip(*_a: Any, **_k: Any) -> None:
        raise Accepted

    monkeypatch.setattr("bookvan.routing.manifest.write_manifests", trip)
    d = write_or_skip(mutated_plan(data), work / "plan")
    checked = runner.invoke(app, ["check", str(d)])
    res = runner.invoke(app, ["manifest", str(d)])
    ok_exit(res)
    if checked.exit_code != 0:  # never print what check rejects
        assert not isinstance(res.exception, Accepted) and res.exit_code in (1, 2), res.output


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_plan_folder_real_manifest(work: Path, data: st.DataObject) -> None:
    tables = mutated_plan(data)
    rng = np.random.default_rng(0)
    if data.draw(st.booleans()):  # a long name or id as a hand-edited plan may carry
        tables["nodes"].loc[0, "name_en"] = "x" * int(rng.integers(300, 3000))
    d = write_or_skip(tables, work / "plan")
    ok_exit(runner.invoke(app, ["manifest", str(d), "--lang", "en"]))
