"""What every desk page shares: the server's settings, the signed-in session, page rendering.

The page modules (``bookvan.desk.pages``) each hold one router whose handlers receive the app's
:class:`Desk` (``DeskDep``), so that sign-in, CSRF checks, the plan cache and the problem page
are written once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bookvan.desk import actions
from bookvan.desk.store import PlanChanged, Session, Store, Version
from bookvan.desk.views import LoadedPlan, PlanCache, day_end

__all__ = [
    "COOKIE",
    "PRE_COOKIE",
    "TAIPEI",
    "Desk",
    "DeskConfig",
    "DeskDep",
    "Redirect",
    "check_date",
    "local_date",
    "redirect_to",
]

HERE = Path(__file__).parent
COOKIE = "bookvan_session"
PRE_COOKIE = "bookvan_pre"  # double-submit token for the sign-in and first-run forms
#: Asia/Taipei's fixed offset (no daylight saving): the desk's dates and clock times.
TAIPEI = dt.timezone(dt.timedelta(hours=8))


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


class Redirect(Exception):
    """Raised by a page that needs another first (sign in, first-run setup); answered with a 303."""

    def __init__(self, url: str) -> None:
        self.url = url


def local_date() -> str:
    """Today in Asia/Taipei, the default day of the Today and Actions pages."""
    return dt.datetime.now(dt.UTC).astimezone(TAIPEI).date().isoformat()


def check_date(text: str) -> str:
    """A date from a URL or form as YYYY-MM-DD, or a 400 that shows the expected form."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise HTTPException(400, f"'{text}' is not a date like 2026-12-01") from None


class Desk:
    """One desk server's state and the helpers its pages share (one per app, so tests stay apart)."""

    def __init__(self, cfg: DeskConfig, store: Store) -> None:
        self.cfg, self.store = cfg, store
        self.cache = PlanCache()
        self.secret = store.secret()
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.failures: dict[str, list[float]] = {}  # name → times of recent wrong passwords (this process)
        self.fail_lock = threading.Lock()

    # -- who is asking -----------------------------------------------------------------------
    def session(self, request: Request) -> Session | None:
        return self.store.session(request.cookies.get(COOKIE))

    def need(self, request: Request) -> Session:
        """The signed-in coordinator, or a redirect to sign in (or to the first-run setup)."""
        s = self.session(request)
        if s is None:
            if self.store.user_count() == 0:
                raise Redirect("/setup")
            raise Redirect("/login")
        return s

    def need_csrf(self, s: Session, token: str) -> None:
        if not token or not hmac.compare_digest(token, s.csrf):
            raise HTTPException(403, "Refused: the form's security token is missing or out of date. "
                                     "Reload the page and try again.")

    def driver_csrf(self, token: str) -> str:
        """The token a driver's page sends with its scans, derived from its link."""
        return hmac.new(self.secret.encode(), f"driver:{token}".encode(), hashlib.sha256).hexdigest()

    # -- pages -------------------------------------------------------------------------------
    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        s = self.session(request)
        return self.templates.TemplateResponse(request, name, {"session": s, "csrf": s.csrf if s else "", **ctx},
                                               status_code=status)

    def problem_page(self, request: Request, title: str, lines: list[str], status: int, back: str) -> HTMLResponse:
        return self.page(request, "problem.html", status=status, title=title, lines=lines, back=back)

    def changed(self, request: Request, e: PlanChanged) -> HTMLResponse:
        """The 409 page when another coordinator adopted a version since this page was opened."""
        v = self.store.version(e.current)
        who = f" by {v.adopted_by}" if v and v.adopted_by else ""
        return self.problem_page(
            request, "The plan changed", [
                f"Another coordinator adopted version {e.current} of {e.date}{who} after you opened this page "
                f"(you were looking at version {e.expected or 'none'}). Nothing was changed. "
                "Look at the new plan and try again."], 409, f"/day/{e.date}")

    # -- plan versions -----------------------------------------------------------------------
    def loaded(self, version_id: int) -> tuple[Version, LoadedPlan]:
        """(Version, LoadedPlan) of a stored version; 404 if unknown."""
        v = self.store.version(version_id)
        if v is None:
            raise HTTPException(404, "no such plan version")
        return v, self.cache.get(v.folder)

    def run_links(self, request: Request, date: str, lp: LoadedPlan) -> dict[str, str]:
        """Each run's driver link, valid until the end of ``date``."""
        base = str(request.base_url).rstrip("/")
        return {r.key: f"{base}/d/{self.store.run_link(date, r.vehicle_id, r.trip, day_end(date))}"
                for r in lp.runs}

    def new_folder(self, date: str) -> Path:
        """A fresh plan folder for a new version of ``date`` (time stamp and a random tail)."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        return self.cfg.plans_dir / date / f"{stamp}-{secrets.token_hex(3)}"


def redirect_to(url: str) -> Response:
    """The desk's one kind of redirect: 303 See Other, so a form post becomes a GET."""
    return RedirectResponse(url, status_code=303)


def _desk_of(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


#: A handler's parameter for the app's :class:`Desk` (set by ``create_app``).
DeskDep = Annotated[Desk, Depends(_desk_of)]
