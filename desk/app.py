"""The desk's web app: coordinator pages (Today, Actions, versions) and the drivers' run pages.

Server-rendered Jinja2 pages; the only scripts are the package's own (``static/``), so the
content security policy allows no inline script and nothing from another origin. Coordinators
sign in (session cookie, a CSRF token in every form); a driver's page is reached by an
unguessable per-run link that expires at the end of the day, and its scan posts carry a token
derived from that link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bookvan.data.errors import InputError
from bookvan.data.scans import SCAN_EVENTS, read_scans
from bookvan.data.tables import TZ
from bookvan.desk import actions
from bookvan.desk.schedule_view import load_schedule_view, timetable_page
from bookvan.desk.store import PlanChanged, Session, Store, open_store
from bookvan.desk.views import PlanCache, day_end, driver_run, scan_state, today_view
from bookvan.routing.plandiff import plan_diff

__all__ = ["DeskConfig", "create_app"]

HERE = Path(__file__).parent
COOKIE = "bookvan_session"
PRE_COOKIE = "bookvan_pre"  # double-submit token for the sign-in and first-run forms
MAX_FAILURES, LOCKOUT_S = 5, 600  # wrong passwords per name before a pause, and its length


@dataclass(frozen=True)
class DeskConfig:
    """How one desk server runs: where the database and plan folders are, and planning limits."""

    db_url: str
    plans_dir: Path
    network_dir: str | None = None
    time_limit_s: float = 8.0
    search_steps: int = 50
    planner: Callable[[actions.PlanRequest, Path], Path] = field(default=actions.plan_into)
    replanner: actions.Replanner = field(default=actions.midday_replan)
    changer: Callable[..., actions.PlanRequest] = field(default=actions.replan_with)  # close early, urgent holds


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _local_date() -> str:
    return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()


def _check_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise HTTPException(400, f"'{text}' is not a date like 2026-12-01") from None


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


def create_app(cfg: DeskConfig, store: Store | None = None) -> FastAPI:
    """The app, with its store opened (and migrated) and plan folders under ``cfg.plans_dir``."""
    store = store or open_store(cfg.db_url)
    cfg.plans_dir.mkdir(parents=True, exist_ok=True)
    cache = PlanCache()
    secret = store.secret()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app = FastAPI(title="bookvan desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store, app.state.cfg = store, cfg

    # -- plumbing ---------------------------------------------------------------------------
    @app.exception_handler(_Redirect)
    async def _redirect(_req: Request, exc: _Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            host = request.headers.get("host", "")
            if origin and origin != "null" and origin.split("://", 1)[-1] != host:
                return HTMLResponse("Refused: the request came from another site.", status_code=403)
        resp: Response = await call_next(request)
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"  # driver tokens are in URLs
        resp.headers["Permissions-Policy"] = "camera=(self)"
        if not request.url.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    def session(request: Request) -> Session | None:
        return store.session(request.cookies.get(COOKIE))

    def need(request: Request) -> Session:
        s = session(request)
        if s is None:
            if store.user_count() == 0:
                raise _Redirect("/setup")
            raise _Redirect("/login")
        return s

    def need_csrf(s: Session, token: str) -> None:
        if not token or not hmac.compare_digest(token, s.csrf):
            raise HTTPException(403, "Refused: the form's security token is missing or out of date. "
                                     "Reload the page and try again.")

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        s = session(request)
        return templates.TemplateResponse(request, name, {"session": s, "csrf": s.csrf if s else "", **ctx},
                                          status_code=status)

    def problem_page(request: Request, title: str, lines: list[str], status: int, back: str) -> HTMLResponse:
        return page(request, "problem.html", status=status, title=title, lines=lines, back=back)

    def driver_csrf(token: str) -> str:
        return hmac.new(secret.encode(), f"driver:{token}".encode(), hashlib.sha256).hexdigest()

    def loaded(version_id: int) -> tuple[Any, Any]:
        """(Version, LoadedPlan) of a stored version; 404 if unknown."""
        v = store.version(version_id)
        if v is None:
            raise HTTPException(404, "no such plan version")
        return v, cache.get(v.folder)

    def run_links(request: Request, date: str, lp: Any) -> dict[str, str]:
        base = str(request.base_url).rstrip("/")
        return {r.key: f"{base}/d/{store.run_link(date, r.vehicle_id, r.trip, day_end(date))}" for r in lp.runs}

    # -- sign-in ----------------------------------------------------------------------------
    def _pre_form(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        pre = secrets.token_urlsafe(24)
        resp = page(request, name, pre=pre, **ctx)
        resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict")
        return resp

    def _check_pre(request: Request, token: str) -> None:
        cookie = request.cookies.get(PRE_COOKIE, "")
        if not token or not cookie or not hmac.compare_digest(token, cookie):
            raise HTTPException(403, "Refused: the form's security token is missing. Reload the page.")

    def _signed_in(token: str, to: str = "/") -> Response:
        resp = RedirectResponse(to, status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="lax", max_age=12 * 3600)
        resp.delete_cookie(PRE_COOKIE)
        return resp

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        if store.user_count() == 0:
            return RedirectResponse("/setup", status_code=303)
        return _pre_form(request, "login.html", error=None)

    failures: dict[str, list[float]] = {}  # name → times of recent wrong passwords (this process)
    fail_lock = threading.Lock()

    @app.post("/login")
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
              pre: Annotated[str, Form()] = "") -> Response:
        _check_pre(request, pre)
        now = time.monotonic()
        with fail_lock:
            recent = [t for t in failures.get(name, []) if now - t < LOCKOUT_S]
            failures[name] = recent
        if len(recent) >= MAX_FAILURES:
            return _pre_form(request, "login.html", error=f"Too many wrong passwords for '{name}': wait "
                             f"{LOCKOUT_S // 60} minutes, or ask another coordinator.")
        token = store.sign_in(name, password)
        if token is None:
            with fail_lock:
                failures.setdefault(name, []).append(now)
            return _pre_form(request, "login.html", error="Wrong name or password.")
        with fail_lock:
            failures.pop(name, None)
        return _signed_in(token)

    @app.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        store.sign_out(request.cookies.get(COOKIE, ""))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    def _loopback(request: Request) -> bool:
        try:
            return ipaddress.ip_address(request.client.host if request.client else "").is_loopback
        except ValueError:
            return False

    @app.get("/setup", response_class=HTMLResponse)
    def setup_form(request: Request) -> Response:
        if store.user_count() > 0:
            return RedirectResponse("/login", status_code=303)
        return _pre_form(request, "setup.html", error=None, loopback=_loopback(request))

    @app.post("/setup")
    def setup(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
              pre: Annotated[str, Form()] = "") -> Response:
        _check_pre(request, pre)
        if store.user_count() > 0:
            raise HTTPException(403, "The desk has a coordinator already; sign in.")
        if not _loopback(request):
            raise HTTPException(403, "The first coordinator can only be made on this machine (127.0.0.1), "
                                     "or with `bookvan desk user add`.")
        try:
            store.add_user(name, password)
        except ValueError as e:
            return _pre_form(request, "setup.html", error=str(e), loopback=True)
        return _signed_in(store.sign_in(name, password) or "")

    # -- Today ------------------------------------------------------------------------------
    @app.get("/")
    def home(request: Request, d: str | None = None) -> Response:
        need(request)
        if d:
            return RedirectResponse(f"/day/{_check_date(d)}", status_code=303)
        days = store.days()
        adopted = [d for d, v in days if v]
        return RedirectResponse(f"/day/{adopted[0] if adopted else _local_date()}", status_code=303)

    @app.get("/day/{date}", response_class=HTMLResponse)
    def today(request: Request, date: str) -> Response:
        need(request)
        date = _check_date(date)
        cur = store.current_version(date)
        ctx: dict[str, Any] = {"date": date, "version": None, "view": None, "days": store.days()}
        if cur:
            v, lp = loaded(cur)
            scans = store.scans(date)
            state = scan_state(lp, scans)
            detail = json.loads(v.detail)
            view = today_view(lp, state, Path(v.folder) / "manifests")
            down = down_vans(v, tuple(detail.get("without") or ()), scans)
            view["findings"] = [f for f in view["findings"]
                                if not (f.kind == "unknown_van" and f.vehicle_id in detail.get("without", ()))]
            ctx.update(version=v, view=view, links=run_links(request, date, lp), detail=detail, down=down)
        return page(request, "today.html", **ctx)

    def down_vans(v: Any, without: tuple[str, ...], scans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Where the vans left out of the plan in use were, per their scans against the last plan they were in."""
        out = []
        for van in without:
            base = v
            for _ in range(20):  # walk back the versions this one was made from
                if not base.base_version:
                    base = None
                    break
                base = store.version(base.base_version)
                if base is None:
                    break
                if van in set(cache.get(base.folder).plan.vehicles["vehicle_id"]):
                    break
            if base is None:
                out.append({"van": van, "seen": None})
                continue
            vs = next(x for x in scan_state(cache.get(base.folder), scans).vans if x.vehicle_id == van)
            out.append({"van": van, "seen": vs.last_scan is not None, "at": vs.node_id,
                        "last": None if vs.last_scan is None else f"{vs.last_scan:%H:%M}",
                        "on_board": list(vs.on_board), "from_version": base.id})
        return out

    @app.post("/day/{date}/scans")
    def upload_scans(request: Request, date: str, file: Annotated[UploadFile, File()],
                     csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        date = _check_date(date)
        cur = store.current_version(date)
        if not cur:
            return problem_page(request, "No plan adopted for this date", ["Plan the day first."], 409,
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
                return problem_page(request, "The scan file has errors; nothing was recorded", lines, 400,
                                    f"/day/{date}")
        digest = hashlib.sha256(data).hexdigest()[:16]
        rows = [{"client_id": f"upload:{digest}:{int(r.row)}", "time": r.time.to_pydatetime(),
                 "vehicle_id": r.vehicle_id, "node_id": r.node_id, "crate_id": r.crate_id, "event": r.event,
                 "note": r.note} for r in table.itertuples(index=False)]
        store.add_scans(date, rows, f"upload by {s.user}", cur)
        return RedirectResponse(f"/day/{date}#scans", status_code=303)

    @app.get("/day/{date}/scans.csv")
    def export_scans(request: Request, date: str) -> Response:
        need(request)
        date = _check_date(date)
        lines = ["time,vehicle_id,node_id,crate_id,event,note"]
        for r in store.scans(date):
            cells = [r["time"].astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(), r["vehicle_id"],
                     r["node_id"], r["crate_id"], r["event"], r["note"]]
            lines.append(",".join('"' + str(c).replace('"', '""') + '"' for c in cells))
        return Response("\n".join(lines) + "\n", media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="scans-{date}.csv"'})

    # -- Actions and versions ---------------------------------------------------------------
    @app.get("/actions", response_class=HTMLResponse)
    def actions_page(request: Request, date: str | None = None) -> Response:
        need(request)
        date = _check_date(date) if date else (next((d for d, v in store.days() if v), None) or _local_date())
        cur = store.current_version(date)
        vans: list[str] = []
        nodes: list[str] = []
        if cur:
            _, lp = loaded(cur)
            vans = [str(v) for v in lp.plan.vehicles["vehicle_id"]]
            depots = set(lp.plan.nodes.loc[lp.plan.nodes["kind"] == "depot", "node_id"])
            nodes = sorted({str(n) for n in lp.plan.stops["node_id"]} - depots)  # branches the plan visits
        now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
        return page(request, "actions.html", date=date, current=cur, vans=vans, nodes=nodes,
                    now=f"{now:%H:%M}", versions=store.versions(date))

    def _new_folder(date: str) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        return cfg.plans_dir / date / f"{stamp}-{secrets.token_hex(3)}"

    def _changed(request: Request, e: PlanChanged) -> HTMLResponse:
        v = store.version(e.current)
        who = f" by {v.adopted_by}" if v and v.adopted_by else ""
        return problem_page(
            request, "The plan changed", [
                f"Another coordinator adopted version {e.current} of {e.date}{who} after you opened this page "
                f"(you were looking at version {e.expected or 'none'}). Nothing was changed. "
                "Look at the new plan and try again."], 409, f"/day/{e.date}")

    @app.post("/actions/plan")
    def plan_action(request: Request, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                    seed: Annotated[int, Form()] = 0, transfers: Annotated[UploadFile | None, File()] = None,
                    csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        date = _check_date(date)
        if store.current_version(date) != base_version:
            return _changed(request, PlanChanged(date, base_version, store.current_version(date)))
        req = actions.PlanRequest(date=date, network_dir=cfg.network_dir, seed=seed,
                                  time_limit_s=cfg.time_limit_s, search_steps=cfg.search_steps)
        inputs = cfg.plans_dir / date / "inputs"
        try:
            if transfers is not None and transfers.filename:
                data = transfers.file.read()
                lines = _upload_problems(req, data, Path(transfers.filename).name)
                if lines:
                    return problem_page(request, "The transfers file has errors; nothing was planned",
                                        lines, 400, f"/actions?date={date}")
                kept = _keep_upload(inputs, data, Path(transfers.filename).name)
                req = actions.PlanRequest(**{**req.__dict__, "transfers_file": str(kept)})
            folder = _new_folder(date)
            cfg.planner(req, folder)
        except InputError as e:
            return problem_page(request, "Could not plan", [str(p) for p in e.problems], 400,
                                f"/actions?date={date}")
        vid = store.add_version(date, str(folder), "plan", req.to_json(), base_version, s.user)
        return RedirectResponse(f"/versions/{vid}", status_code=303)

    @app.post("/actions/replan")
    def replan_action(request: Request, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                      van_down: Annotated[list[str] | None, Form()] = None,
                      csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        date = _check_date(date)
        if not van_down:
            return problem_page(request, "Which van is down?", ["Tick the van that is down, then re-plan."], 400,
                                f"/actions?date={date}")
        if store.current_version(date) != base_version or not base_version:
            return _changed(request, PlanChanged(date, base_version, store.current_version(date)))
        base, _ = loaded(base_version)
        base_req = actions.PlanRequest.from_json(base.detail)
        folder = _new_folder(date)
        try:
            req = cfg.replanner(Path(base.folder), base_req, tuple(van_down), None, folder)
        except InputError as e:
            return problem_page(request, "Could not re-plan", [str(p) for p in e.problems], 400,
                                f"/actions?date={date}")
        detail = json.loads(req.to_json()) | {"van_down": list(van_down)}
        vid = store.add_version(date, str(folder), "replan", json.dumps(detail), base_version, s.user)
        return RedirectResponse(f"/versions/{vid}", status_code=303)

    def _clock_field(text: str, what: str) -> dt.time:
        try:
            return dt.time.fromisoformat(text.strip())
        except ValueError:
            raise InputError.single(what, f"'{text}' is not a time like 11:00") from None

    def _midday(request: Request, s: Session, date: str, base_version: int, at: str, kind: str,
                detail: dict[str, Any], **change: Any) -> Response:
        """Run ``cfg.changer`` (routing.replan) on the plan in use and show the new version's diff."""
        if store.current_version(date) != base_version or not base_version:
            return _changed(request, PlanChanged(date, base_version, store.current_version(date)))
        base, _ = loaded(base_version)
        base_req = actions.PlanRequest.from_json(base.detail)
        folder = _new_folder(date)
        try:
            when = _clock_field(at, "re-plan time")
            req = cfg.changer(Path(base.folder), base_req, when, folder, **change)
        except InputError as e:
            return problem_page(request, "Could not re-plan", [str(p) for p in e.problems], 400,
                                f"/actions?date={date}")
        full = json.loads(req.to_json()) | {"at": f"{when:%H:%M}"} | detail
        vid = store.add_version(date, str(folder), kind, json.dumps(full), base_version, s.user)
        return RedirectResponse(f"/versions/{vid}", status_code=303)

    @app.post("/actions/close-early")
    def close_early_action(request: Request, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                           node: Annotated[str, Form()], closes_at: Annotated[str, Form()],
                           at: Annotated[str, Form()], csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        date = _check_date(date)
        try:
            closes = _clock_field(closes_at, "closing time")
        except InputError as e:
            return problem_page(request, "Could not re-plan", [str(p) for p in e.problems], 400,
                                f"/actions?date={date}")
        return _midday(request, s, date, base_version, at, "close-early",
                       {"closed": [f"{node.strip()}@{closes:%H:%M}"]}, closures=((node.strip(), closes),))

    @app.post("/actions/urgent")
    def urgent_action(request: Request, date: Annotated[str, Form()], base_version: Annotated[int, Form()],
                      at: Annotated[str, Form()], transfers: Annotated[UploadFile, File()],
                      csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        date = _check_date(date)
        if store.current_version(date) != base_version or not base_version:
            return _changed(request, PlanChanged(date, base_version, store.current_version(date)))
        data = transfers.file.read()
        name = Path(transfers.filename or "urgent.csv").name
        lines = _upload_problems(actions.PlanRequest(date=date, network_dir=cfg.network_dir), data, name)
        if lines:
            return problem_page(request, "The urgent holds file has errors; nothing was re-planned",
                                lines, 400, f"/actions?date={date}")
        kept = _keep_upload(cfg.plans_dir / date / "inputs", data, name, prefix="urgent-")
        return _midday(request, s, date, base_version, at, "urgent", {"added_file": str(kept)}, added_file=kept)

    @app.get("/versions", response_class=HTMLResponse)
    def history(request: Request) -> Response:
        need(request)
        current = dict(store.days())
        return page(request, "history.html", versions=store.versions(), current=current)

    @app.get("/versions/{vid}", response_class=HTMLResponse)
    def version_page(request: Request, vid: int) -> Response:
        need(request)
        v, lp = loaded(vid)
        cur = store.current_version(v.date)
        old = cache.get(store.version(cur).folder).plan if cur and cur != vid else None  # type: ignore[union-attr]
        diff = plan_diff(old, lp.plan)
        state = scan_state(lp, [])
        view = today_view(lp, state, Path(v.folder) / "manifests")
        return page(request, "version.html", v=v, current=cur, diff=diff, view=view,
                    detail=json.loads(v.detail))

    @app.post("/versions/{vid}/adopt")
    def adopt(request: Request, vid: int, expected_current: Annotated[int, Form()],
              csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        v = store.version(vid)
        if v is None:
            raise HTTPException(404, "no such plan version")
        try:
            store.adopt(vid, expected_current, s.user)
        except PlanChanged as e:
            return _changed(request, e)
        return RedirectResponse(f"/day/{v.date}", status_code=303)

    @app.post("/versions/{vid}/manifests")
    def manifests(request: Request, vid: int, csrf: Annotated[str, Form()] = "") -> Response:
        s = need(request)
        need_csrf(s, csrf)
        v, _ = loaded(vid)
        try:
            actions.print_manifests(Path(v.folder))
        except InputError as e:
            return problem_page(request, "Could not print", [str(p) for p in e.problems], 400, f"/day/{v.date}")
        to = f"/day/{v.date}#files" if store.current_version(v.date) == vid else f"/versions/{vid}"
        return RedirectResponse(to, status_code=303)

    @app.get("/files/{vid}/{path:path}")
    def files(request: Request, vid: int, path: str) -> Response:
        need(request)
        v, _ = loaded(vid)
        root = (Path(v.folder) / "manifests").resolve()
        target = (root / path).resolve()
        if root not in target.parents or not target.is_file():
            raise HTTPException(404, "no such file")
        return FileResponse(target)

    # -- Schedule and timetables -----------------------------------------------------------
    @app.get("/favicon.ico")
    def favicon() -> Response:
        """No icon (the desk's own pages say so inline; the printable timetables do not)."""
        return Response(status_code=204)

    @app.get("/schedule", response_class=HTMLResponse)
    def schedule_page(request: Request) -> Response:
        need(request)
        try:
            view = load_schedule_view(cfg.network_dir)
        except InputError as e:
            return problem_page(request, "The schedule file has errors", [str(p) for p in e.problems], 400, "/")
        return page(request, "schedule.html", view=view)

    @app.get("/schedule/timetable", response_class=HTMLResponse)
    @app.get("/schedule/timetable/{node_id}", response_class=HTMLResponse)
    def timetable(request: Request, node_id: str | None = None) -> Response:
        need(request)
        try:
            text = timetable_page(cfg.network_dir, node_id)
        except InputError as e:
            return problem_page(request, "The schedule file has errors", [str(p) for p in e.problems], 400, "/")
        if text is None:
            raise HTTPException(404, "no schedule for this network" if node_id is None
                                else f"'{node_id}' has no standing visit in the schedule")
        return HTMLResponse(text)

    # -- the driver's page ------------------------------------------------------------------
    def _run_of(token: str) -> tuple[str, str, int]:
        run = store.resolve_run_link(token)
        if run is None:
            raise HTTPException(404, "This driver link is unknown or has expired (links last until midnight).")
        return run

    @app.get("/d/sw.js")
    def driver_service_worker() -> Response:
        """Served under /d/ so that its scope covers the drivers' pages and nothing else."""
        return FileResponse(HERE / "static" / "sw.js", media_type="text/javascript",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/d/{token}", response_class=HTMLResponse)
    def driver(request: Request, token: str) -> Response:
        date, van, trip = _run_of(token)
        cur = store.current_version(date)
        run = None
        if cur:
            _, lp = loaded(cur)
            run = driver_run(lp, van, trip, store.scans(date))
        cfg_js = {"token": token, "csrf": driver_csrf(token), "van": van, "trip": trip, "date": date,
                  "version": cur, "events": list(SCAN_EVENTS)}
        return templates.TemplateResponse(request, "driver.html", {
            "run": run, "van": van, "trip": trip, "date": date, "cfg": json.dumps(cfg_js), "version": cur,
            "has_pdf": run is not None and (Path(store.version(cur).folder) / "manifests" / "runs"  # type: ignore[union-attr]
                                            / f"{run['key']}.pdf").is_file(),
        })

    @app.get("/d/{token}/run.pdf")
    def driver_pdf(token: str) -> Response:
        date, van, trip = _run_of(token)
        cur = store.current_version(date)
        v = store.version(cur) if cur else None
        path = None if v is None else Path(v.folder) / "manifests" / "runs" / f"{van}_trip{trip}.pdf"
        if path is None or not path.is_file():
            raise HTTPException(404, "The manifest of this run has not been printed yet.")
        return FileResponse(path, media_type="application/pdf")

    @app.post("/d/{token}/scans")
    async def driver_scans(request: Request, token: str) -> Response:
        date, van, _trip = _run_of(token)
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, driver_csrf(token)):
            return JSONResponse({"error": "missing or wrong security token"}, status_code=403)
        try:
            body = await request.json()
            raw = list(body["scans"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {\"scans\": [...]}"}, status_code=400)
        rows, bad = [], []
        for i, sc in enumerate(raw[:500], start=1):
            try:
                ev = str(sc["event"])
                cid, node, client = str(sc["crate_id"]).strip(), str(sc["node_id"]).strip(), str(sc["client_id"])
                when = dt.datetime.fromisoformat(str(sc["time"]).replace("Z", "+00:00"))
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
                if ev not in SCAN_EVENTS or not cid or not node or not 8 <= len(client) <= 80:
                    raise ValueError
            except (KeyError, TypeError, ValueError):
                bad.append(i)
                continue
            rows.append({"client_id": client, "time": when, "vehicle_id": van, "node_id": node, "crate_id": cid,
                         "event": ev, "note": str(sc.get("note") or "")[:500]})
        acked = store.add_scans(date, rows, f"driver link {van}", store.current_version(date))
        return JSONResponse({"acked": acked, "rejected": bad, "tz": TZ})

    return app

