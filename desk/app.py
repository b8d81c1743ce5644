"""The desk's web app: coordinator pages (Today, Actions, versions) and the drivers' run pages.

Server-rendered Jinja2 pages; the only scripts are the package's own (``static/``), so the
content security policy allows no inline script and nothing from another origin. Coordinators
sign in (session cookie, a CSRF token in every form); a driver's page is reached by an
unguessable per-run link that expires at the end of the day, and its scan posts carry a token
derived from that link. The pages live one family per module in ``bookvan.desk.pages``; what
they share (session, CSRF, page rendering, the plan cache) in ``bookvan.desk.web``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from bookvan.desk.pages import actions, driver, schedule, signin, today, versions
from bookvan.desk.store import Store, open_store
from bookvan.desk.web import HERE, Desk, DeskConfig, Redirect, redirect_to

__all__ = ["DeskConfig", "create_app"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _from_other_site(request: Request) -> bool:
    """A state-changing request whose Origin is another site (a cross-site form post)."""
    if request.method in ("GET", "HEAD"):
        return False
    origin = request.headers.get("origin")
    return bool(origin) and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host", "")


def _secure_headers(request: Request, resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"  # driver tokens are in URLs
    resp.headers["Permissions-Policy"] = "camera=(self)"
    if not request.url.path.startswith("/static/"):
        resp.headers["Cache-Control"] = "no-store"
    return resp


def create_app(cfg: DeskConfig, store: Store | None = None) -> FastAPI:
    """The app, with its store opened (and migrated) and plan folders under ``cfg.plans_dir``."""
    store = store or open_store(cfg.db_url)
    cfg.plans_dir.mkdir(parents=True, exist_ok=True)
    desk = Desk(cfg, store)
    app = FastAPI(title="bookvan desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store, app.state.cfg, app.state.desk = store, cfg, desk

    @app.exception_handler(Redirect)
    async def _redirect(_req: Request, exc: Redirect) -> Response:
        return redirect_to(exc.url)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        if _from_other_site(request):
            return HTMLResponse("Refused: the request came from another site.", status_code=403)
        return _secure_headers(request, await call_next(request))

    for family in (signin, today, actions, versions, schedule, driver):
        app.include_router(family.router)
    return app
