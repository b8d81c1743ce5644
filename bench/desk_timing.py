"""Desk timings on the bundled day: page loads, and a re-plan click until the new plan is shown.

Starts ``bookvan desk`` on a free loopback port (fresh SQLite and plan folder in a temp dir),
drives it with headless Chromium: first start, plan 2026-12-01 from the demand forecast (the
same day `bash scripts/demo.sh` plans), adopt, print manifests, then times each page's load
(navigation start to the load event, best and median of ``--repeat``) and the re-plan after
a van breaks down (click to the proposed plan's page being loaded), then its adoption.

    .venv/bin/python bench/desk_timing.py [--repeat 5] [--search-steps 50]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from desk_fixtures import desk_server
from playwright.sync_api import sync_playwright

DATE = "2026-12-01"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def load_ms(page, url: str) -> float:
    page.goto(url, wait_until="load")
    return page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--search-steps", default="50")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    with desk_server(work, "--search-steps", a.search_steps) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(600_000)  # a click waits for the planning request's answer
        page.goto(base + "/")
        page.fill("input[name=name]", "bench")
        page.fill("input[name=password]", "bench-pass")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile("/day/"))
        page.goto(f"{base}/actions?date={DATE}")
        t0 = time.perf_counter()
        page.click("#plan-btn")
        page.wait_for_url(re.compile(r"/versions/\d+$"), timeout=600_000, wait_until="load")
        plan_s = time.perf_counter() - t0
        page.click("#adopt-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}$"))
        t0 = time.perf_counter()
        page.click("#print-btn")
        page.wait_for_selector("#files a[href$='labels.pdf']", timeout=600_000)
        print_s = time.perf_counter() - t0
        link = page.locator("a.driver-link").first.get_attribute("href")
        vid = re.search(r"/versions/(\d+)", page.locator("main p.sub a").first.get_attribute("href")).group(1)
        pages = {"Today": f"{base}/day/{DATE}", "Actions": f"{base}/actions?date={DATE}",
                 "Plan version": f"{base}/versions/{vid}", "Plan versions": f"{base}/versions",
                 "Driver (phone)": link}
        times = {}
        for name, url in pages.items():
            load_ms(page, url)  # warm: plan folder read once
            times[name] = [load_ms(page, url) for _ in range(a.repeat)]
        print(f"plan click → proposed plan shown: {plan_s:.1f} s; print manifests: {print_s:.1f} s", flush=True)
        page.goto(f"{base}/day/{DATE}")
        used = page.locator("table.runs tbody tr[data-trip]").first.get_attribute("data-van")
        page.goto(f"{base}/actions?date={DATE}")
        page.check(f"#replan input[value='{used}']")
        t0 = time.perf_counter()
        page.click("#replan-btn")
        page.wait_for_url(re.compile(r"/versions/\d+$"), timeout=600_000, wait_until="load")
        replan_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        page.click("#adopt-btn")
        page.wait_for_url(re.compile(rf"/day/{DATE}$"), wait_until="load")
        adopt_s = time.perf_counter() - t0
        browser.close()
    print(f"bundled day {DATE}, forecast transfers, --search-steps {a.search_steps}")
    for name, ms in times.items():
        print(f"page {name:15s} load: best {min(ms):6.0f} ms, median {statistics.median(ms):6.0f} ms (n={len(ms)})")
    print(f"re-plan click (van {used} down) → new plan and its diff shown: {replan_s:.1f} s; "
          f"adopt → Today: {adopt_s:.1f} s")


if __name__ == "__main__":
    main()
