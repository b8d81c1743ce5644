"""The Today page of a day: the plan in use, where the vans stand after the scans, scan upload and export."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from bookvan.data.errors import InputError
from bookvan.data.scans import read_scans
from bookvan.desk.store import Version
from bookvan.desk.views import scan_state, today_view
from bookvan.desk.web import TAIPEI, Desk, DeskDep, check_date, local_date, redirect_to

__all__ = ["MAX_VERSION_WALK", "router"]

MAX_VERSION_WALK = 20  # how far back a left-out van's last plan is looked for
SCANS_CSV_HEADER = "time,vehicle_id,node_id,crate_id,event,note"

router = APIRouter()


def _csv_line(cells: list[object]) -> str:
    return ",".join('"' + str(c).replace('"', '""') + '"' for c in cells)


def _uploaded_scan_rows(table: Any, data: bytes) -> list[dict[str, Any]]:
    """Store rows of a read scan file; each row's client id names the file's content, so a re-upload adds nothing."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    return [{"client_id": f"upload:{digest}:{int(r.row)}", "time": r.time.to_pydatetime(),
             "vehicle_id": r.vehicle_id, "node_id": r.node_id, "crate_id": r.crate_id, "event": r.event,
             "note": r.note} for r in table.itertuples(index=False)]


def _last_plan_with(desk: Desk, v: Version, van: str) -> Version | None:
    """The newest version ``v`` was made from that still has ``van``."""
    base = v
    for _ in range(MAX_VERSION_WALK):  # walk back the versions this one was made from
        if not base.base_version:
            return None
        older = desk.store.version(base.base_version)
        if older is None or van in set(desk.cache.get(older.folder).plan.vehicles["vehicle_id"]):
            return older
        base = older
    return base


def down_vans(desk: Desk, v: Version, without: tuple[str, ...], scans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where the vans left out of the plan in use were, per their scans against the last plan they were in."""
    out: list[dict[str, Any]] = []
    for van in without:
        base = _last_plan_with(desk, v, van)
        if base is None:
            out.append({"van": van, "seen": None})
            continue
        vs = next(x for x in scan_state(desk.cache.get(base.folder), scans).vans if x.vehicle_id == van)
        out.append({"van": van, "seen": vs.last_scan is not None, "at": vs.node_id,
                    "last": None if vs.last_scan is None else f"{vs.last_scan:%H:%M}",
                    "on_board": list(vs.on_board), "from_version": base.id})
    return out


@router.get("/")
def home(request: Request, desk: DeskDep, d: str | None = None) -> Response:
    desk.need(request)
    if d:
        return redirect_to(f"/day/{check_date(d)}")
    adopted = [d for d, v in desk.store.days() if v]
    return redirect_to(f"/day/{adopted[0] if adopted else local_date()}")


@router.get("/day/{date}", response_class=HTMLResponse)
def today(request: Request, desk: DeskDep, date: str) -> Response:
    desk.need(request)
    date = check_date(date)
    cur = desk.store.current_version(date)
    ctx: dict[str, Any] = {"date": date, "version": None, "view": None, "days": desk.store.days()}
    if cur:
        v, lp = desk.loaded(cur)
        scans = desk.store.scans(date)
        detail = json.loads(v.detail)
        view = today_view(lp, scan_state(lp, scans), Path(v.folder) / "manifests")
        down = down_vans(desk, v, tuple(detail.get("without") or ()), scans)
        view["findings"] = [f for f in view["findings"]
                            if not (f.kind == "unknown_van" and f.vehicle_id in detail.get("without", ()))]
        ctx.update(version=v, view=view, links=desk.run_links(request, date, lp), detail=detail, down=down)
    return desk.page(request, "today.html", **ctx)


@router.post("/day/{date}/scans")
def upload_scans(request: Request, desk: DeskDep, date: str, file: Annotated[UploadFile, File()],
                 csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    date = check_date(date)
    cur = desk.store.current_version(date)
    if not cur:
        return desk.problem_page(request, "No plan adopted for this date", ["Plan the day first."], 409,
                                 f"/day/{date}")
    data = file.file.read()
    name = Path(file.filename or "scans.csv").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            table = read_scans(path)
        except InputError as e:
            lines = [str(p).replace(str(path), name) for p in e.problems]
            return desk.problem_page(request, "The scan file has errors; nothing was recorded", lines, 400,
                                     f"/day/{date}")
    desk.store.add_scans(date, _uploaded_scan_rows(table, data), f"upload by {s.user}", cur)
    return redirect_to(f"/day/{date}#scans")


@router.get("/day/{date}/scans.csv")
def export_scans(request: Request, desk: DeskDep, date: str) -> Response:
    desk.need(request)
    date = check_date(date)
    lines = [SCANS_CSV_HEADER]
    for row in desk.store.scans(date):
        lines.append(_csv_line([row["time"].astimezone(TAIPEI).isoformat(), row["vehicle_id"], row["node_id"],
                                row["crate_id"], row["event"], row["note"]]))
    return Response("\n".join(lines) + "\n", media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="scans-{date}.csv"'})
