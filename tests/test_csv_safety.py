"""Every CSV a person opens is formula-safe, and file names made from ids never collide."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plan_factory import good_plan, write_plan_dir

from bookvan.data.csv_safe import safe_cell, write_csv_rows, write_frame_csv
from bookvan.data.file_names import file_stem

ROOT = Path(__file__).resolve().parents[1]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
EVIL = "=cmd|' /C calc'!A0"


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def _assert_safe(path: Path) -> None:
    for c in _cells(path):
        assert not c.startswith(TRIGGERS) or _is_number(c), (path.name, c)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(EVIL, "'" + EVIL), ("+SUM(1)", "'+SUM(1)"), ("-2+3", "'-2+3"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
     ("\r=1", "'\r=1"), ("-3", "-3"), ("+1.5", "+1.5"), ("-1e3", "-1e3"), ("KL-MAIN", "KL-MAIN"), ("", ""),
     (-3, -3), (None, None)],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


@given(st.text(max_size=12))
def test_safe_cell_never_leaves_a_formula(text: str) -> None:
    out = safe_cell(text)
    assert not out.startswith(TRIGGERS) or _is_number(text)  # type: ignore[union-attr]
    assert out in (text, "'" + text)


def test_writers_round_trip_and_quote(tmp_path: Path) -> None:
    df = pd.DataFrame({"name": [EVIL, 'a,"b"', "-4"], "n": [-1, 2, 3]})
    write_frame_csv(df, tmp_path / "f.csv")
    back = pd.read_csv(tmp_path / "f.csv", dtype=str)
    assert list(back["name"]) == ["'" + EVIL, 'a,"b"', "-4"] and list(back["n"]) == ["-1", "2", "3"]
    write_csv_rows(tmp_path / "r.csv", ["@col", "x"], [{"@col": "=1+1", "x": float("nan")}])
    assert (tmp_path / "r.csv").read_text(encoding="utf-8") == "'@col,x\n'=1+1,\n"


def test_no_csv_writer_bypasses_the_helper() -> None:
    """Every CSV written by bookvan goes through bookvan.data.csv_safe (a new writer must too)."""
    pattern = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(")
    offenders = []
    for folder in ("data", "demand", "routing", "scenarios", "cli"):
        for f in (ROOT / folder).rglob("*.py"):
            if f.name == "csv_safe.py":
                continue
            for k, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{f.relative_to(ROOT)}:{k}: {line.strip()}")
    assert offenders == []


def _rename_nodes(tables: dict, names: dict[str, str]) -> dict:
    """The hand-made plan with node ids replaced everywhere they appear."""
    tables["nodes"]["node_id"] = tables["nodes"]["node_id"].replace(names)
    tables["vehicles"]["depot_id"] = tables["vehicles"]["depot_id"].replace(names)
    for c in ("origin_id", "destination_id"):
        tables["transfers"][c] = tables["transfers"][c].replace(names)
    for c in ("from_id", "to_id"):
        tables["matrix"][c] = tables["matrix"][c].replace(names)
    tables["stops"]["node_id"] = tables["stops"]["node_id"].replace(names)
    return tables


@pytest.fixture(scope="module")
def hostile_manifests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Manifests of a plan whose ids collide once slugged and whose names are formulas."""
    from bookvan.routing.manifest.write import write_manifests

    tables = _rename_nodes(good_plan(), {"KL-XINYI": "A/B", "KL-BAIFU": "A_B"})
    tables["nodes"].loc[tables["nodes"]["node_id"] == "KL-ANLE", "name_zh"] = EVIL
    tables["nodes"].loc[tables["nodes"]["node_id"] == "A/B", "name_zh"] = "@SUM(1+1)"
    tables["transfers"].loc[0, "kind"] = "hold"
    d = tmp_path_factory.mktemp("hostile")
    plan = write_plan_dir(tables, d / "plan")
    write_manifests(plan, d / "m", lang="en")
    return d / "m"


@pytest.mark.slow
def test_loading_lists_are_formula_safe_and_one_file_per_node(hostile_manifests: Path) -> None:
    index = json.loads((hostile_manifests / "index.json").read_text(encoding="utf-8"))
    loading = index["loading"]
    assert len(loading) == len(set(loading))
    files = sorted(p.name for p in (hostile_manifests / "loading").iterdir())
    assert sorted(Path(x).name for x in loading) == files
    by_node = {}
    for f in (hostile_manifests / "loading").iterdir():
        _assert_safe(f)
        rows = list(csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))))
        by_node[f.name] = {r["node_id"] for r in rows}
    assert by_node[f"{file_stem('A/B')}.csv"] <= {"A/B"} and by_node["A_B.csv"] <= {"A_B"}
    assert f"{file_stem('A/B')}.csv" != "A_B.csv"
    text = "".join(f.read_text(encoding="utf-8") for f in (hostile_manifests / "loading").iterdir())
    assert "'" + EVIL in text.replace('""', '"')  # the name is there, as text
    runs = [r["pdf_file"] for r in index["runs"]]
    assert len(runs) == len(set(runs)) and all((hostile_manifests / r).exists() for r in runs)


def test_file_stems_are_unique_readable_and_short() -> None:
    ids = ["A/B", "A_B", "A B", "A\\B", "A_B~x", "KL-MAIN", "-rf", "", "..", "館", "x" * 300, "x" * 301]
    stems = [file_stem(i) for i in ids]
    assert len(set(stems)) == len(ids)
    assert file_stem("KL-MAIN") == "KL-MAIN" and file_stem("A_B") == "A_B"
    assert file_stem("A/B").startswith("A_B~") and all(len(s) <= 90 for s in stems)
    assert all(re.fullmatch(r"[A-Za-z0-9_~-]+", s) and not s.startswith("-") for s in stems)


@given(st.lists(st.text(min_size=0, max_size=6), unique=True, max_size=30))
def test_file_stems_never_collide(ids: list[str]) -> None:
    assert len({file_stem(i) for i in ids}) == len(ids)


def test_scenario_summary_and_compare_csv_are_formula_safe(tmp_path: Path) -> None:
    from scenario_fakes import fake_engine

    from bookvan.scenarios.compare import compare_runs
    from bookvan.scenarios.runner import RunSet, write_run_folder
    from bookvan.scenarios.simulate import simulate
    from bookvan.scenarios.spec import scenario_from_dict

    runs = []
    for name, vans in (("baseline", 2), ("@evil", 1)):
        scn = scenario_from_dict({"name": name, "fleet": {"vans": vans}, "simulation": {
            "start": "2027-03-01", "days": 2, "replications": 1, "seed": 3}})[0]
        res = [simulate(scn, 0, engine=fake_engine())]
        write_run_folder(tmp_path / f"run{vans}", RunSet(res, [scn], 1.0, "in-process (test)"),
                         source_files=[])
        runs.append(tmp_path / f"run{vans}")
        _assert_safe(tmp_path / f"run{vans}" / "summary.csv")
    assert "'@evil" in (tmp_path / "run1" / "summary.csv").read_text(encoding="utf-8")
    files = compare_runs(runs, tmp_path / "cmp")
    for name in ("compare.csv", "summary.csv"):
        _assert_safe(files[name])
    assert "'@evil" in files["compare.csv"].read_text(encoding="utf-8")
