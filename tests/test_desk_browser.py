"""The desk in headless Chromium, the way a new coordinator and a driver use it.

Starts ``bookvan desk`` on a free loopback port (SQLite in a temp folder), then: first start,
plan the bundled network's day from a small transfers file, look at the map, print manifests,
open a driver's link in a phone-sized window, record scans, lose the network, record more,
get it back and see each scan arrive once; a forged request is refused; a van breaks down, the
day is re-planned, the diff adopted and the new manifests printed. Screenshots of each page go
to ``$BOOKVAN_SHOTS`` (default: the test's temp folder).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from desk_fixtures import desk_server

pytestmark = pytest.mark.slow
DATE = "2026-12-01"
SMALL = Path(__file__).parent / "data" / "desk" / "transfers-small.csv"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("BOOKVAN_SHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _scans(page, base):
    text = page.request.get(f"{base}/day/{DATE}/scans.csv").text()
    return list(csv.DictReader(io.StringIO(text)))


def test_coordinator_and_driver_walk_through(tmp_path, shots):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium (Debian package chromium; scripts/setup.sh installs it)")
    with desk_server(tmp_path, "--search-steps", "5") as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        page.set_default_timeout(180_000)  # a click waits for its request: planning takes a while on a busy machine
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # first start: make the coordinator
        page.goto(base + "/")
        assert page.url.endswith("/setup")
        page.screenshot(path=shots / "01-setup.png")
        page.fill("input[name=name]", "mei")
        page.fill("input[name=password]", "secret-pass")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/day/"))

        # plan the day from a small transfers file
        page.goto(f"{base}/actions?date={DATE}")
        page.set_input_files("#plan-date input[type=file]", str(SMALL))
        page.screenshot(path=shots / "02-actions.png", full_page=True)
        page.click("#plan-btn")
        page.wait_for_url(re.compile(r"/versions/\d+$"), timeout=180_000)
        page.screenshot(path=shots / "03-proposed.png", full_page=True)
        page.click("#adopt-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}$"))
        assert page.locator("svg#map polyline").count() >= 1
        assert page.locator("table.runs tbody tr").count() >= 2
        page.click("#print-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}"), timeout=120_000)
        page.wait_for_selector("#files a[href$='labels.pdf']")
        page.screenshot(path=shots / "04-today.png", full_page=True)

        # a driver's link on a phone
        link = page.locator("a.driver-link").first.get_attribute("href")
        phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        device_scale_factor=2)
        phone = phone_ctx.new_page()
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        phone.goto(link)
        crates = phone.locator("li.crate")
        n = crates.count()
        assert n >= 3, "the first run should handle a few crates"
        phone.screenshot(path=shots / "05-driver.png", full_page=True)
        crates.nth(0).locator("button.do").click()
        phone.wait_for_selector("#net.sent")
        assert len(_scans(page, base)) == 1

        # the van loses signal: scans wait in the phone
        assert phone.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
        phone_ctx.set_offline(True)
        crates.nth(1).locator("button.do").click()
        crates.nth(2).locator("button.miss").click()
        first_id = crates.nth(0).get_attribute("data-crate")
        phone.fill("#crate-in", first_id.lower())
        phone.select_option("#event-in", "damaged")
        phone.click("#record")
        phone.wait_for_function("document.querySelector('#net').textContent.includes('3 scan(s) waiting')")
        assert "offline" in phone.locator("#net").text_content()
        phone.screenshot(path=shots / "06-driver-offline.png", full_page=True)
        assert len(_scans(page, base)) == 1
        phone.reload()  # without signal: the service worker shows the kept page, the queue is still there
        phone.wait_for_function("document.querySelector('#net').textContent.includes('3 scan(s) waiting')")
        assert phone.locator("li.crate").count() == n
        crates = phone.locator("li.crate")

        # signal back: the queue is sent, each scan once, even if a retry repeats one
        phone_ctx.set_offline(False)
        phone.wait_for_selector("#net.sent", timeout=30_000)
        got = _scans(page, base)
        assert len(got) == 4
        assert sorted(r["event"] for r in got) == ["damaged", "loaded", "loaded", "missing"]
        assert any(r["crate_id"] == first_id and r["event"] == "damaged" for r in got)  # typed in lower case
        phone.evaluate("""() => {  // a retry of an already acknowledged scan (answer lost on the way)
            const k = Object.keys(localStorage).find(x => x.startsWith('bookvan-done-'));
            const q = k.replace('done', 'queue');
            localStorage.setItem(q, JSON.stringify(JSON.parse(localStorage.getItem(k)).slice(0, 2)));
            window.dispatchEvent(new Event('online'));
        }""")
        phone.wait_for_selector("#net.sent")
        phone.wait_for_function("document.querySelector('#net').textContent.includes('all sent')")
        assert len(_scans(page, base)) == 4
        phone.screenshot(path=shots / "07-driver-sent.png", full_page=True)
        page.goto(f"{base}/day/{DATE}")
        assert "4 scan(s)" in page.locator("main").text_content()
        page.screenshot(path=shots / "08-today-progress.png", full_page=True)

        # forged requests are refused
        forged = page.request.post(f"{base}/actions/plan", form={"date": DATE, "base_version": "1"})
        assert forged.status == 403
        cross = page.request.post(f"{base}/versions/1/adopt", form={"expected_current": "1"},
                                  headers={"Origin": "http://evil.example"})
        assert cross.status == 403
        token = link.rsplit("/", 1)[1]
        no_hdr = page.request.post(f"{base}/d/{token}/scans", data={"scans": []})
        assert no_hdr.status == 403

        # a van breaks down: re-plan, look at the diff, adopt, print the new manifests
        used = page.locator("table.runs tbody tr[data-trip]").first.get_attribute("data-van")
        page.goto(f"{base}/actions?date={DATE}")
        page.check(f"#replan input[value='{used}']")
        page.click("#replan-btn")
        page.wait_for_url(re.compile(r"/versions/\d+$"), timeout=180_000)
        assert page.locator("#diff").count() == 1
        page.screenshot(path=shots / "09-replan-diff.png", full_page=True)
        page.click("#adopt-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}$"))
        page.click("#print-btn")
        page.wait_for_selector("#files a[href$='labels.pdf']", timeout=120_000)
        # not in the new plan: no runs (a plan for today keeps the van's row, as it may have driven before)
        assert page.locator(f"table.runs tr[data-van='{used}'][data-trip]").count() == 0
        for row in page.locator(f"table.runs tr[data-van='{used}']").all():
            assert "down" in row.text_content()
        assert used in page.locator("#vans-down").text_content()
        page.screenshot(path=shots / "10-today-after-replan.png", full_page=True)
        pdf = page.locator("table.runs a[href$='.pdf']").first.get_attribute("href")
        assert page.request.get(base + pdf).body()[:4] == b"%PDF"
        # the old driver's page now says the run is gone
        phone.reload()
        assert "not in the plan in use" in phone.locator("main").text_content() or phone.locator("li.stop").count()
        assert errors == []
        browser.close()


def test_schedule_page_and_a_branch_timetable(tmp_path, shots):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium (Debian package chromium; scripts/setup.sh installs it)")
    with desk_server(tmp_path) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/")
        page.fill("input[name=name]", "mei")
        page.fill("input[name=password]", "secret-pass")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/day/"))
        page.click("nav a[href='/schedule']")
        page.wait_for_url(re.compile(r"/schedule$"))
        assert page.locator("#calendar tbody tr").count() >= 4
        assert page.locator("#node-KL-ANLE td.day.on").count() == 3  # tue-thu-sat
        page.screenshot(path=shots / "11-schedule.png", full_page=True)
        page.click("#node-KL-ANLE a[href='/schedule/timetable/KL-ANLE']")
        page.wait_for_url(re.compile(r"/schedule/timetable/KL-ANLE$"))
        assert page.locator("div.sheet").count() == 1
        page.screenshot(path=shots / "12-timetable.png", full_page=True)
        assert errors == []
        browser.close()


def test_branch_closes_early_replan_shows_the_diff(tmp_path, shots):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium (Debian package chromium; scripts/setup.sh installs it)")
    with desk_server(tmp_path, "--search-steps", "5") as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(180_000)
        page.goto(base + "/")
        page.fill("input[name=name]", "mei")
        page.fill("input[name=password]", "secret-pass")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/day/"))
        page.goto(f"{base}/actions?date={DATE}")
        page.set_input_files("#plan-date input[type=file]", str(SMALL))
        page.click("#plan-btn")
        page.wait_for_url(re.compile(r"/versions/1$"))
        page.click("#adopt-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}$"))
        page.goto(f"{base}/actions?date={DATE}")
        node = page.locator("#close-early select[name=node] option").first.get_attribute("value")
        page.fill("#close-early input[name=closes_at]", "08:00")  # closed all day: nothing more there
        page.fill("#close-early input[name=at]", "08:00")
        page.screenshot(path=shots / "13-actions-close-early.png", full_page=True)
        page.click("#close-btn")
        page.wait_for_url(re.compile(r"/versions/2$"))
        assert f"closed early: {node}@08:00" in page.locator("main").text_content()
        assert page.locator("#diff").count() == 1 and page.locator("#adopt-btn").count() == 1
        page.screenshot(path=shots / "14-close-early-diff.png", full_page=True)
        browser.close()
