"""Plan versions: the history, one version against the plan in use, adopting it, its printed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bookvan.data.errors import InputError
from bookvan.desk import actions
from bookvan.desk.store import PlanChanged
from bookvan.desk.views import scan_state, today_view
from bookvan.desk.web import DeskDep, redirect_to
from bookvan.routing.plandiff import plan_diff

__all__ = ["router"]

router = APIRouter()


@router.get("/versions", response_class=HTMLResponse)
def history(request: Request, desk: DeskDep) -> Response:
    desk.need(request)
    current = dict(desk.store.days())
    return desk.page(request, "history.html", versions=desk.store.versions(), current=current)


@router.get("/versions/{vid}", response_class=HTMLResponse)
def version_page(request: Request, desk: DeskDep, vid: int) -> Response:
    desk.need(request)
    v, lp = desk.loaded(vid)
    cur = desk.store.current_version(v.date)
    old = desk.cache.get(desk.store.version(cur).folder).plan if cur and cur != vid else None  # type: ignore[union-attr]
    diff = plan_diff(old, lp.plan)
    view = today_view(lp, scan_state(lp, []), Path(v.folder) / "manifests")
    return desk.page(request, "version.html", v=v, current=cur, diff=diff, view=view,
                     detail=json.loads(v.detail))


@router.post("/versions/{vid}/adopt")
def adopt(request: Request, desk: DeskDep, vid: int, expected_current: Annotated[int, Form()],
          csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    v = desk.store.version(vid)
    if v is None:
        raise HTTPException(404, "no such plan version")
    try:
        desk.store.adopt(vid, expected_current, s.user)
    except PlanChanged as e:
        return desk.changed(request, e)
    return redirect_to(f"/day/{v.date}")


@router.post("/versions/{vid}/manifests")
def manifests(request: Request, desk: DeskDep, vid: int, csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    v, _ = desk.loaded(vid)
    try:
        actions.print_manifests(Path(v.folder))
    except InputError as e:
        return desk.problem_page(request, "Could not print", [str(p) for p in e.problems], 400,
                                 f"/day/{v.date}")
    return redirect_to(f"/day/{v.date}#files" if desk.store.current_version(v.date) == vid else f"/versions/{vid}")


@router.get("/files/{vid}/{path:path}")
def files(request: Request, desk: DeskDep, vid: int, path: str) -> Response:
    desk.need(request)
    v, _ = desk.loaded(vid)
    root = (Path(v.folder) / "manifests").resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise HTTPException(404, "no such file")
    return FileResponse(target)
