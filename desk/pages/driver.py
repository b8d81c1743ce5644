"""A driver's run page, reached by an unguessable per-run link: stops, crates, scans posted from the phone."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from bookvan.data.scans import SCAN_EVENTS
from bookvan.data.tables import TZ
from bookvan.desk.views import driver_run
from bookvan.desk.web import HERE, TAIPEI, Desk, DeskDep

__all__ = ["MAX_SCANS_PER_POST", "parse_driver_scans", "router"]

MAX_SCANS_PER_POST = 500  # more in one post are left for the phone's next sync
MAX_NOTE_CHARS = 500
CLIENT_ID_CHARS = (8, 80)  # the phone's own id of a scan, for de-duplication


def _driver_scan(sc: Any, van: str) -> dict[str, Any]:
    """One posted scan as a store row; ValueError, KeyError or TypeError when a field is off."""
    ev = str(sc["event"])
    cid, node, client = str(sc["crate_id"]).strip(), str(sc["node_id"]).strip(), str(sc["client_id"])
    when = dt.datetime.fromisoformat(str(sc["time"]).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=TAIPEI)
    if ev not in SCAN_EVENTS or not cid or not node or not CLIENT_ID_CHARS[0] <= len(client) <= CLIENT_ID_CHARS[1]:
        raise ValueError
    return {"client_id": client, "time": when, "vehicle_id": van, "node_id": node, "crate_id": cid,
            "event": ev, "note": str(sc.get("note") or "")[:MAX_NOTE_CHARS]}


def parse_driver_scans(raw: list[Any], van: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The store rows of a phone's post, and the 1-based positions of the scans refused."""
    rows, bad = [], []
    for i, sc in enumerate(raw[:MAX_SCANS_PER_POST], start=1):
        try:
            rows.append(_driver_scan(sc, van))
        except (KeyError, TypeError, ValueError):
            bad.append(i)
    return rows, bad


router = APIRouter()


def _run_of(desk: Desk, token: str) -> tuple[str, str, int]:
    run = desk.store.resolve_run_link(token)
    if run is None:
        raise HTTPException(404, "This driver link is unknown or has expired (links last until midnight).")
    return run


def _run_pdf(desk: Desk, date: str, van: str, trip: int) -> Path | None:
    cur = desk.store.current_version(date)
    v = desk.store.version(cur) if cur else None
    return None if v is None else Path(v.folder) / "manifests" / "runs" / f"{van}_trip{trip}.pdf"


@router.get("/d/sw.js")
def driver_service_worker() -> Response:
    """Served under /d/ so that its scope covers the drivers' pages and nothing else."""
    return FileResponse(HERE / "static" / "sw.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})


@router.get("/d/{token}", response_class=HTMLResponse)
def driver(request: Request, desk: DeskDep, token: str) -> Response:
    date, van, trip = _run_of(desk, token)
    cur = desk.store.current_version(date)
    run = None
    if cur:
        _, lp = desk.loaded(cur)
        run = driver_run(lp, van, trip, desk.store.scans(date))
    cfg_js = {"token": token, "csrf": desk.driver_csrf(token), "van": van, "trip": trip, "date": date,
              "version": cur, "events": list(SCAN_EVENTS)}
    return desk.templates.TemplateResponse(request, "driver.html", {
        "run": run, "van": van, "trip": trip, "date": date, "cfg": json.dumps(cfg_js), "version": cur,
        "has_pdf": run is not None and (Path(desk.store.version(cur).folder) / "manifests" / "runs"  # type: ignore[union-attr]
                                        / f"{run['key']}.pdf").is_file(),
    })


@router.get("/d/{token}/run.pdf")
def driver_pdf(desk: DeskDep, token: str) -> Response:
    path = _run_pdf(desk, *_run_of(desk, token))
    if path is None or not path.is_file():
        raise HTTPException(404, "The manifest of this run has not been printed yet.")
    return FileResponse(path, media_type="application/pdf")


@router.post("/d/{token}/scans")
async def driver_scans(request: Request, desk: DeskDep, token: str) -> Response:
    date, van, _trip = _run_of(desk, token)
    sent = request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(sent, desk.driver_csrf(token)):
        return JSONResponse({"error": "missing or wrong security token"}, status_code=403)
    try:
        body = await request.json()
        raw = list(body["scans"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "expected {\"scans\": [...]}"}, status_code=400)
    rows, bad = parse_driver_scans(raw, van)
    acked = desk.store.add_scans(date, rows, f"driver link {van}", desk.store.current_version(date))
    return JSONResponse({"acked": acked, "rejected": bad, "tz": TZ})
