"""The Actions page and its forms: plan a day, re-plan after a breakdown, an early closing, urgent holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from bookvan.data.errors import InputError
from bookvan.desk import actions
from bookvan.desk.store import PlanChanged, Session
from bookvan.desk.web import TAIPEI, Desk, DeskDep, check_date, local_date, redirect_to

__all__ = ["router"]

router = APIRouter()


def _upload_problems(req: actions.PlanRequest, data: bytes, name: str) -> list[str]:
    """The CLI's file/row/field lines for an uploaded transfers file (empty when it reads)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            actions.validate_transfers_file(req, path)
        except InputError as e:
            return [str(p).replace(str(path), name) for p in e.problems]
    return []


def _keep_upload(inputs: Path, data: bytes, name: str, prefix: str = "") -> Path:
    """Keep a checked upload under its content hash, so the plan version can be re-run."""
    suffix = ".parquet" if name.lower().endswith((".parquet", ".pq")) else ".csv"
    inputs.mkdir(parents=True, exist_ok=True)
    kept = inputs / f"{prefix}{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    kept.write_bytes(data)
    return kept


def _clock_field(text: str, what: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InputError.single(what, f"'{text}' is not a time like 11:00") from None


def _could_not(desk: Desk, request: Request, title: str, e: InputError, date: str) -> HTMLResponse:
    return desk.problem_page(request, title, [str(p) for p in e.problems], 400, f"/actions?date={date}")


def _stale(desk: Desk, request: Request, date: str, base_version: int) -> HTMLResponse | None:
    """The 409 page when the plan in use is no longer ``base_version`` (or there is none)."""
    current = desk.store.current_version(date)
    if current != base_version or not base_version:
        return desk.changed(request, PlanChanged(date, base_version, current))
    return None


def _recorded(desk: Desk, s: Session, date: str, folder: Path, kind: str, detail: str, base_version: int) -> Response:
    """Store the new plan version and show it."""
    vid = desk.store.add_version(date, str(folder), kind, detail, base_version, s.user)
    return redirect_to(f"/versions/{vid}")


#: What a change made: the new version's request, and what to record besides it.
Changed = tuple[actions.PlanRequest, dict[str, Any]]
#: A change to the plan in use: (its folder, its request, the new folder) → what it made.
Change = Callable[[Path, actions.PlanRequest, Path], Changed]


def _changed_version(desk: Desk, request: Request, s: Session, date: str, base_version: int, kind: str,
                     change: Change) -> Response:
    """Make a new version from the plan in use (``base_version``) with ``change`` and show it."""
    if (stale := _stale(desk, request, date, base_version)) is not None:
        return stale
    base, _ = desk.loaded(base_version)
    base_req = actions.PlanRequest.from_json(base.detail)
    folder = desk.new_folder(date)
    try:
        req, extra = change(Path(base.folder), base_req, folder)
    except InputError as e:
        return _could_not(desk, request, "Could not re-plan", e, date)
    detail = json.loads(req.to_json()) | extra
    return _recorded(desk, s, date, folder, kind, json.dumps(detail), base_version)


def _midday(desk: Desk, request: Request, s: Session, date: str, base_version: int, at: str, kind: str,
            detail: dict[str, Any], **change: Any) -> Response:
    """Run ``cfg.changer`` (routing.replan) on the plan in use from ``at`` and show the new version's diff."""

    def replan_from(folder: Path, base_req: actions.PlanRequest, new: Path) -> Changed:
        when = _clock_field(at, "re-plan time")
        return desk.cfg.changer(folder, base_req, when, new, **change), {"at": f"{when:%H:%M}"} | detail

    return _changed_version(desk, request, s, date, base_version, kind, replan_from)


@router.get("/actions", response_class=HTMLResponse)
def actions_page(request: Request, desk: DeskDep, date: str | None = None) -> Response:
    desk.need(request)
    store = desk.store
    date = check_date(date) if date else (next((d for d, v in store.days() if v), None) or local_date())
    cur = store.current_version(date)
    vans: list[str] = []
    nodes: list[str] = []
    if cur:
        _, lp = desk.loaded(cur)
        vans = [str(v) for v in lp.plan.vehicles["vehicle_id"]]
        depots = set(lp.plan.nodes.loc[lp.plan.nodes["kind"] == "depot", "node_id"])
        nodes = sorted({str(n) for n in lp.plan.stops["node_id"]} - depots)  # branches the plan visits
    now = dt.datetime.now(dt.UTC).astimezone(TAIPEI)
    return desk.page(request, "actions.html", date=date, current=cur, vans=vans, nodes=nodes,
                     now=f"{now:%H:%M}", versions=store.versions(date))


@router.post("/actions/plan")
def plan_action(request: Request, desk: DeskDep, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                seed: Annotated[int, Form()] = 0, transfers: Annotated[UploadFile | None, File()] = None,
                csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    date = check_date(date)
    cfg = desk.cfg
    if desk.store.current_version(date) != base_version:
        return desk.changed(request, PlanChanged(date, base_version, desk.store.current_version(date)))
    req = actions.PlanRequest(date=date, network_dir=cfg.network_dir, seed=seed,
                              time_limit_s=cfg.time_limit_s, search_steps=cfg.search_steps)
    try:
        if transfers is not None and transfers.filename:
            data = transfers.file.read()
            lines = _upload_problems(req, data, Path(transfers.filename).name)
            if lines:
                return desk.problem_page(request, "The transfers file has errors; nothing was planned",
                                         lines, 400, f"/actions?date={date}")
            kept = _keep_upload(cfg.plans_dir / date / "inputs", data, Path(transfers.filename).name)
            req = actions.PlanRequest(**{**req.__dict__, "transfers_file": str(kept)})
        folder = desk.new_folder(date)
        cfg.planner(req, folder)
    except InputError as e:
        return _could_not(desk, request, "Could not plan", e, date)
    return _recorded(desk, s, date, folder, "plan", req.to_json(), base_version)


@router.post("/actions/replan")
def replan_action(request: Request, desk: DeskDep, date: Annotated[str, Form()],
                  base_version: Annotated[int, Form()], van_down: Annotated[list[str] | None, Form()] = None,
                  csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    date = check_date(date)
    if not van_down:
        return desk.problem_page(request, "Which van is down?", ["Tick the van that is down, then re-plan."],
                                 400, f"/actions?date={date}")
    down = tuple(van_down)

    def without_vans(folder: Path, base_req: actions.PlanRequest, new: Path) -> Changed:
        req = desk.cfg.replanner(folder, base_req, down, None, new)
        at = _replan_time(new)  # a plan for today re-plans from now; another day's is planned whole
        return req, {"van_down": list(down)} | ({"at": at} if at else {})

    return _changed_version(desk, request, s, date, base_version, "replan", without_vans)


def _replan_time(folder: Path) -> str | None:
    """HH:MM (Taipei) a re-plan in ``folder`` started from, or None when it planned the whole day."""
    from bookvan.data.planfolder import read_plan_folder
    from bookvan.routing.manifest.rest import replan_at

    at = replan_at(read_plan_folder(folder, ()).info)
    return None if at is None else f"{at.astimezone(TAIPEI):%H:%M}"


@router.post("/actions/close-early")
def close_early_action(request: Request, desk: DeskDep, date: Annotated[str, Form()],
                       base_version: Annotated[int, Form()], node: Annotated[str, Form()],
                       closes_at: Annotated[str, Form()], at: Annotated[str, Form()],
                       csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    date = check_date(date)
    try:
        closes = _clock_field(closes_at, "closing time")
    except InputError as e:
        return _could_not(desk, request, "Could not re-plan", e, date)
    return _midday(desk, request, s, date, base_version, at, "close-early",
                   {"closed": [f"{node.strip()}@{closes:%H:%M}"]}, closures=((node.strip(), closes),))


@router.post("/actions/urgent")
def urgent_action(request: Request, desk: DeskDep, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                  at: Annotated[str, Form()], transfers: Annotated[UploadFile, File()],
                  csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    date = check_date(date)
    if (stale := _stale(desk, request, date, base_version)) is not None:
        return stale
    data = transfers.file.read()
    name = Path(transfers.filename or "urgent.csv").name
    lines = _upload_problems(actions.PlanRequest(date=date, network_dir=desk.cfg.network_dir), data, name)
    if lines:
        return desk.problem_page(request, "The urgent holds file has errors; nothing was re-planned",
                                 lines, 400, f"/actions?date={date}")
    kept = _keep_upload(desk.cfg.plans_dir / date / "inputs", data, name, prefix="urgent-")
    return _midday(desk, request, s, date, base_version, at, "urgent", {"added_file": str(kept)}, added_file=kept)
