"""Readers of the standard instance formats: counts, ids, and errors that name row and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.routing.bench.adapter import SCALE, to_problem
from bookvan.routing.bench.instances import edge_lengths, read_instance, sniff_kind

DATA = Path(__file__).parent / "data" / "bench"


def test_solomon_c101() -> None:
    inst = read_instance(DATA / "c101.txt")
    assert (inst.kind, inst.name, inst.num_customers, inst.fleet, inst.capacity) == ("solomon", "c101", 100, 25, 200)
    assert list(inst.ids[:3]) == [0, 1, 2]
    # Customer 1: (45, 68), demand 10, window [912, 967], service 90 (first row of the table).
    assert tuple(inst.coords[1]) == (45, 68) and inst.demand[1] == 10
    assert (inst.ready[1], inst.due[1], inst.service[1]) == (912, 967, 90)
    assert inst.due[0] == 1236  # the depot's due date is the horizon


def test_lilim_lc101_pairs() -> None:
    inst = read_instance(DATA / "lc101.txt")
    assert (inst.kind, inst.num_customers, inst.fleet, inst.capacity) == ("lilim", 106, 25, 200)
    pairs = inst.pairs
    assert len(pairs) == 53
    # Task 3 picks up 10 and its delivery is task 75 (line "3 42 66 10 65 146 90 0 75").
    assert (3, 75) in pairs and inst.demand[75] == -10
    assert all(inst.demand[p] == -inst.demand[d] for p, d in pairs)


def test_cvrplib_x_n101_ids_and_rounding() -> None:
    inst = read_instance(DATA / "X-n101-k25.vrp")
    assert (inst.kind, inst.num_customers, inst.capacity, inst.fleet, inst.min_vehicles) == (
        "cvrplib",
        100,
        206,
        None,
        25,
    )
    assert inst.ids[0] == 1 and inst.ids[1] == 2 and inst.ids[-1] == 101
    d = edge_lengths(inst)
    # Depot (365, 689) to node 2 (146, 180): sqrt(219² + 509²) = 554.11 → 554.
    assert d[0, 1] == 554


def test_to_problem_scales_and_rounds_travel_time_up() -> None:
    inst = read_instance(DATA / "c101.txt")
    p = to_problem(inst)
    exact = edge_lengths(inst) * SCALE
    assert (p.duration >= exact - 1e-6).all() and (p.duration - exact < 1).all()
    assert np.abs(p.distance - exact).max() <= 0.5
    assert len(p.visits) == 100 and len(p.vans) == 25
    assert p.visits[0].window == (912 * SCALE, 967 * SCALE)
    lp = to_problem(read_instance(DATA / "lc101.txt"))
    assert sum(r.delivery is not None for r in lp.requests) == 53


def test_sniff_kind() -> None:
    assert [sniff_kind(DATA / f) for f in ("c101.txt", "lc101.txt", "X-n101-k25.vrp")] == [
        "solomon",
        "lilim",
        "cvrplib",
    ]


def test_lilim_bad_field_names_row_and_field(tmp_path: Path) -> None:
    lines = (DATA / "lc101.txt").read_text().splitlines()
    lines[4] = lines[4].replace("\t10\t", "\tten\t", 1) if "\t10\t" in lines[4] else lines[4] + " extra"
    f = tmp_path / "bad.txt"
    f.write_text("\n".join(lines))
    with pytest.raises(InputError) as e:
        read_instance(f, kind="lilim")
    assert "row 5" in str(e.value) and "bad.txt" in str(e.value)


def test_lilim_broken_pair_reported(tmp_path: Path) -> None:
    lines = (DATA / "lc101.txt").read_text().splitlines()
    f = lines[5].split()  # task 4 (line 6) delivers for pickup 9; point it at 8 instead
    assert f[0] == "4" and f[7] == "9"
    f[7] = "8"
    lines[5] = "\t".join(f)
    p = tmp_path / "pair.txt"
    p.write_text("\n".join(lines))
    with pytest.raises(InputError, match="field 'pickup'"):
        read_instance(p, kind="lilim")


@settings(max_examples=60, deadline=None)
@given(
    row=st.integers(min_value=0, max_value=20),
    junk=st.sampled_from(["", "x", "nan", "1e999", "-", "3.5.1", "\t\t", "0 0"]),
)
def test_lilim_malformed_lines_give_input_error(tmp_path_factory: pytest.TempPathFactory, row: int, junk: str) -> None:
    lines = (DATA / "lc101.txt").read_text().splitlines()[:22]
    f = lines[row].split()
    f[min(len(f) - 1, 3)] = junk
    lines[row] = "\t".join(f)
    p = tmp_path_factory.mktemp("ll") / "m.txt"
    p.write_text("\n".join(lines))
    try:
        inst = read_instance(p, kind="lilim")
    except InputError as e:
        assert "m.txt" in str(e)
    else:  # a harmless change (e.g. "0 0" split into the same count) must still parse sanely
        assert inst.num_customers >= 1


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_instance(tmp_path / "nope.txt")
