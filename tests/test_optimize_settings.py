"""The optimiser's settings file: every bad value in every sub-table is an InputError naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.scenarios.catalog import resolve_settings_file
from bookvan.scenarios.optimize import load_optimize_settings


def _load(tmp_path: Path, text: str):
    p = tmp_path / "o.toml"
    p.write_text(text, encoding="utf-8")
    return load_optimize_settings(p)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[fleet]\nmin_vans = 'two'\n", "fleet.min_vans"),
        ("[fleet]\nmin_vans = 3\nmax_vans = 2\n", "fleet.max_vans"),
        ("[fleet]\nmax_load = 1.5\n", "fleet.max_load"),
        ("[fleet]\nvans = 2\n", "fleet.vans"),
        ("[service]\nwithin_days = 'soon'\n", "service.within_days"),
        ("[service]\nwithin_days = 0\n", "service.within_days"),
        ("[service]\nshare = 0\n", "service.share"),
        ("[estimate]\nsample_days = 0\n", "estimate.sample_days"),
        ("[estimate]\ntime_limit_s = 'long'\n", "estimate.time_limit_s"),
        ("[hub]\ncandidates = [{ lat = 25.1, lon = 121.7 }]\n", "hub.candidates[0].name"),
        ("[hub]\ncandidates = [{ name = 'x', lat = 'north', lon = 121.7 }]\n", "hub.candidates[0].lat"),
        ("[hub]\ncandidates = [{ name = 'x', lat = 25.1 }]\n", "hub.candidates[0].lon"),
        ("[hub]\ncandidates = 3\n", "hub.candidates"),
        ("[visits]\npatterns = 'daily'\n", "visits.patterns"),
        ("[costs]\nper_km = -2\n", "costs.per_km"),
        ("cost_file = 'c.toml'\n", "cost_file"),
    ],
)
def test_bad_value_names_the_dotted_key(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(InputError) as e:
        _load(tmp_path, text)
    assert f"field '{field}'" in str(e.value)


def test_costs_in_the_settings_override_the_base_scenarios(tmp_path: Path) -> None:
    s = _load(tmp_path, "[costs]\nper_van_day = 1200\n")
    assert s.base.costs == {"per_van_day": 1200.0}


def test_the_shipped_settings_load_and_are_found_by_name() -> None:
    path = resolve_settings_file("optimize-keelung")
    assert path.name == "optimize-keelung.toml"
    s = load_optimize_settings(path)
    assert [h.name for h in s.hubs] == ["current-site", "harbour", "qidu"] and s.share == 0.95


def test_help_examples_name_files_that_exist() -> None:
    r = CliRunner().invoke(app, ["scenario", "optimize", "--help"])
    assert r.exit_code == 0 and "optimize-keelung" in r.output
    assert "library/optimize.toml" not in r.output


def test_a_written_choice_keeps_the_costs_it_was_priced_with(tmp_path: Path) -> None:
    from bookvan.scenarios.optimize import Choice, write_choice
    from bookvan.scenarios.spec import load_scenario

    s = _load(tmp_path, "[costs]\nper_km = 5.5\n")
    out = write_choice(Choice(True, "Optimal", vans=2, patterns={"KL-ANLE": "daily"}, hub="current-site",
                              yearly_cost_ntd=1.0, service_share=1.0), s, tmp_path / "c.toml")
    assert load_scenario(out).costs == {"per_km": 5.5}


def test_scenario_run_rejects_a_bad_cost_file_before_running(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("per_km = -1\nfoo = 1\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["scenario", "run", "baseline", "--days", "1", "--costs", str(bad),
                                 "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "field 'per_km'" in r.output and "field 'foo'" in r.output
    assert not (tmp_path / "out").exists()
