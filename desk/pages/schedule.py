"""The standing schedule and the branches' printable timetables."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bookvan.data.errors import InputError
from bookvan.desk.schedule_view import load_schedule_view, timetable_page
from bookvan.desk.web import Desk, DeskDep

__all__ = ["router"]

router = APIRouter()


def _schedule_errors(desk: Desk, request: Request, e: InputError) -> HTMLResponse:
    return desk.problem_page(request, "The schedule file has errors", [str(p) for p in e.problems], 400, "/")


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon (the desk's own pages say so inline; the printable timetables do not)."""
    return Response(status_code=204)


@router.get("/schedule", response_class=HTMLResponse)
def schedule_page(request: Request, desk: DeskDep) -> Response:
    desk.need(request)
    try:
        view = load_schedule_view(desk.cfg.network_dir)
    except InputError as e:
        return _schedule_errors(desk, request, e)
    return desk.page(request, "schedule.html", view=view)


@router.get("/schedule/timetable", response_class=HTMLResponse)
@router.get("/schedule/timetable/{node_id}", response_class=HTMLResponse)
def timetable(request: Request, desk: DeskDep, node_id: str | None = None) -> Response:
    desk.need(request)
    try:
        text = timetable_page(desk.cfg.network_dir, node_id)
    except InputError as e:
        return _schedule_errors(desk, request, e)
    if text is None:
        raise HTTPException(404, "no schedule for this network" if node_id is None
                            else f"'{node_id}' has no standing visit in the schedule")
    return HTMLResponse(text)
