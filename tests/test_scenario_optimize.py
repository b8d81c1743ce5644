"""The strategic optimiser: a valid MIP answer written as a runnable scenario, and (slow, real
router) the choice simulated meets the service level it was asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scenario_fakes import fake_engine
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.scenarios.optimize import load_optimize_settings, optimise, write_choice
from bookvan.scenarios.simulate import simulate
from bookvan.scenarios.spec import load_scenario

SETTINGS = """
name = "opt-test"
base_scenario = "baseline"
[fleet]
min_vans = 1
max_vans = 3
[visits]
patterns = ["daily", "tue-thu-sat", "tue-sat"]
[hub]
candidates = [{{ name = "current-site" }}{hubs}]
[service]
within_days = {within}
share = {share}
[estimate]
sample_days = {sample}
"""


def _settings(tmp_path: Path, *, within=3, share=0.9, sample=10, hubs="", name="o.toml"):
    p = tmp_path / name
    p.write_text(SETTINGS.format(within=within, share=share, sample=sample, hubs=hubs),
                 encoding="utf-8")
    return load_optimize_settings(p)


@pytest.fixture(scope="module")
def engine():
    return fake_engine()


def test_choice_is_written_as_a_runnable_scenario(tmp_path, engine):
    s = _settings(tmp_path, hubs=', { name = "qidu", lat = 25.093, lon = 121.714 }')
    c = optimise(s, engine=engine)
    assert c.feasible and 1 <= c.vans <= 3 and c.hub in {"current-site", "qidu"}
    assert c.service_share >= 0.9 - 1e-9
    assert set(c.patterns.values()) <= {"daily", "tue-thu-sat", "tue-sat"}
    out = write_choice(c, s, tmp_path / "chosen.toml")
    scn = load_scenario(out)
    assert scn.fleet.vans == c.vans
    for node, pattern in c.patterns.items():
        days = scn.visits.get(node, scn.visits_default)
        assert days == {"daily": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                        "tue-thu-sat": ("tue", "thu", "sat"), "tue-sat": ("tue", "sat")}[pattern]
    assert "Binding" in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_stricter_service_level_never_costs_less(tmp_path, engine):
    loose = optimise(_settings(tmp_path, share=0.5, name="a.toml"), engine=engine)
    strict = optimise(_settings(tmp_path, share=0.97, name="b.toml"), engine=engine)
    assert loose.feasible and strict.feasible
    assert strict.yearly_cost_ntd >= loose.yearly_cost_ntd - 1e-6
    dense = lambda c: sum(p == "daily" for p in c.patterns.values())  # noqa: E731
    assert dense(strict) >= dense(loose)


@pytest.mark.slow
def test_an_impossible_service_level_is_reported_not_written(tmp_path, engine):
    # branches close on Mondays and the depot on Sundays: no holds placed on a Saturday can be
    # ready the same day, so 100 % within 1 day is impossible
    s = _settings(tmp_path, within=1, share=1.0)
    c = optimise(s, engine=engine)
    assert not c.feasible and "no plan" in c.report()
    with pytest.raises(InputError, match=r"service\.share"):
        write_choice(c, s, tmp_path / "x.toml")


def test_bad_settings_are_exit_2(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[visits]\npatterns = ["tue-sat", "daily"]\n[service]\nshare = 2\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["scenario", "optimize", str(p)])
    assert r.exit_code == 2 and "visits.patterns" in r.output and "service.share" in r.output


@pytest.mark.slow
def test_the_choice_simulated_meets_its_service_level(tmp_path):
    s = _settings(tmp_path, within=3, share=0.95, sample=14)
    c = optimise(s)
    assert c.feasible, c.report()
    # search steps, not the safety cap, ended every plan: the same choice on any machine
    assert c.plans_capped == 0 and "warning" not in c.report()
    scn = load_scenario(write_choice(c, s, tmp_path / "chosen.toml")).with_sim(days=14, solution_limit=3)
    res = simulate(scn, 0)
    assert res.info["days_capped"] == 0
    t = res.transit.loc[res.transit["kind"] == "hold"]
    share = float(np.sum(t["items"] * (t["days"] <= s.within_days)) / t["items"].sum())
    assert share >= s.share, f"simulated {share:.3f} < asked {s.share}"


def test_a_choice_from_capped_route_costs_says_so():
    from bookvan.scenarios.optimize import Choice

    assert "warning" not in Choice(True, "Optimal", vans=1).report()
    assert "2 route-cost plan(s) ran into the safety cap" in Choice(True, "Optimal", vans=1, plans_capped=2).report()
