"""Day overview: self-contained HTML, unassigned first in red, every van; renders in Chromium."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from plan_factory import good_plan, write_plan_dir

from bookvan.routing.manifest.overview import overview_html
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs
from bookvan.routing.manifest.sample import write_sample_plan

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Refs(HTMLParser):
    """Collects every URL-bearing attribute and the ids in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "data") and v:
                self.urls.append(v)
            if k == "id":
                self.ids.append(v)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    plan = load_plan(write_plan_dir(good_plan(), tmp_path_factory.mktemp("h") / "plan"))
    return plan, build_runs(plan)


def test_self_contained_no_network(hand):
    plan, runs = hand
    html = overview_html(plan, runs, "both", {"VAN-1_trip1": {"pdf": "runs/VAN-1_trip1.pdf"}})
    p = _Refs()
    p.feed(html)
    assert "script" not in p.tags
    for url in p.urls:
        assert not re.match(r"(?i)^(https?:)?//", url), url
    assert "@import" not in html and "url(http" not in html


def test_unassigned_come_first_in_red_with_reason(hand):
    plan, runs = hand
    html = overview_html(plan, runs, "zh-TW")
    p = _Refs()
    p.feed(html)
    assert (
        p.ids.index("unassigned")
        < p.ids.index("totals")
        < p.ids.index("map")
        < p.ids.index("gantt")
    )
    section = html[html.index('id="unassigned"') : html.index('id="totals"')]
    assert 'class="alert"' in section
    assert "U1" in section and "Closed Branch is closed on Tuesdays" in section


def test_every_van_and_visited_node_is_drawn(hand):
    plan, runs = hand
    html = overview_html(plan, runs, "en")
    for van in plan.vehicles["vehicle_id"]:
        assert f'class="van-row" data-van="{van}"' in html
        assert f'class="run" data-van="{van}"' in html
    for nid in {s.node_id for r in runs for s in r.stops if s.kind != "depot"}:
        assert f'data-node="{nid}"' in html
    # totals row: crates loaded summed over runs (factory: T1 3 + T2 2 + T3 4 + T4 5 + the hub
    # transfer H1 twice, once per leg, 2 + 2 = 18) and distance (59.5 km)
    total = html[html.index('class="total"') :]
    assert ">18<" in total and "59.5 km" in total


@pytest.mark.slow
def test_renders_in_chromium_without_console_errors(tmp_path):
    from bookvan.routing.manifest import write_manifests

    playwright = pytest.importorskip("playwright.sync_api")
    folder = write_sample_plan(tmp_path / "plan", dt.date(2026, 12, 1))
    res = write_manifests(folder, lang="both")
    plan = load_plan(folder)
    messages = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1150, "height": 900})
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("requestfailed", lambda r: messages.append(("requestfailed", r.url)))
        page.goto((res.out_dir / "overview.html").as_uri())
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
        for van in plan.vehicles["vehicle_id"]:
            assert page.locator(f'#gantt .van-row[data-van="{van}"]').is_visible()
            assert page.locator(f'#map .run[data-van="{van}"]').count() >= 1
        assert page.locator("#unassigned.alert").is_visible()
        colour = page.eval_on_selector("#unassigned h2", "e => getComputedStyle(e).color")
        assert colour == "rgb(204, 0, 0)"
        browser.close()
    assert [m for m in messages if m[0] in ("error", "pageerror", "requestfailed")] == []
    assert (tmp_path / "overview.png").stat().st_size > 20_000
