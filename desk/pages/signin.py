"""Sign-in, sign-out and the first coordinator's set-up (only from this machine)."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bookvan.desk.web import COOKIE, PRE_COOKIE, Desk, DeskDep, redirect_to

__all__ = ["LOCKOUT_S", "MAX_FAILURES", "router"]

MAX_FAILURES, LOCKOUT_S = 5, 600  # wrong passwords per name before a pause, and its length
SESSION_MAX_AGE_S = 12 * 3600  # a coordinator's sign-in lasts a working day

router = APIRouter()


def _loopback(request: Request) -> bool:
    try:
        return ipaddress.ip_address(request.client.host if request.client else "").is_loopback
    except ValueError:
        return False


def _pre_form(desk: Desk, request: Request, name: str, **ctx: Any) -> HTMLResponse:
    """A form shown before anyone is signed in, with its double-submit token in a cookie."""
    pre = secrets.token_urlsafe(24)
    resp = desk.page(request, name, pre=pre, **ctx)
    resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict")
    return resp


def _check_pre(request: Request, token: str) -> None:
    """The double-submit check of the forms shown before anyone is signed in."""
    cookie = request.cookies.get(PRE_COOKIE, "")
    if not token or not cookie or not hmac.compare_digest(token, cookie):
        raise HTTPException(403, "Refused: the form's security token is missing. Reload the page.")


def _signed_in(token: str, to: str = "/") -> Response:
    resp = redirect_to(to)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="lax", max_age=SESSION_MAX_AGE_S)
    resp.delete_cookie(PRE_COOKIE)
    return resp


def _recent_failures(desk: Desk, name: str, now: float) -> list[float]:
    """Wrong passwords for ``name`` within the lockout (older ones are forgotten)."""
    with desk.fail_lock:
        recent = [t for t in desk.failures.get(name, []) if now - t < LOCKOUT_S]
        desk.failures[name] = recent
    return recent


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, desk: DeskDep) -> Response:
    if desk.store.user_count() == 0:
        return redirect_to("/setup")
    return _pre_form(desk, request, "login.html", error=None)


@router.post("/login")
def login(request: Request, desk: DeskDep, name: Annotated[str, Form()], password: Annotated[str, Form()],
          pre: Annotated[str, Form()] = "") -> Response:
    _check_pre(request, pre)
    now = time.monotonic()
    if len(_recent_failures(desk, name, now)) >= MAX_FAILURES:
        return _pre_form(desk, request, "login.html", error=f"Too many wrong passwords for '{name}': wait "
                         f"{LOCKOUT_S // 60} minutes, or ask another coordinator.")
    token = desk.store.sign_in(name, password)
    with desk.fail_lock:
        if token is None:
            desk.failures.setdefault(name, []).append(now)
        else:
            desk.failures.pop(name, None)
    if token is None:
        return _pre_form(desk, request, "login.html", error="Wrong name or password.")
    return _signed_in(token)


@router.post("/logout")
def logout(request: Request, desk: DeskDep, csrf: Annotated[str, Form()] = "") -> Response:
    s = desk.need(request)
    desk.need_csrf(s, csrf)
    desk.store.sign_out(request.cookies.get(COOKIE, ""))
    resp = redirect_to("/login")
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, desk: DeskDep) -> Response:
    if desk.store.user_count() > 0:
        return redirect_to("/login")
    return _pre_form(desk, request, "setup.html", error=None, loopback=_loopback(request))


@router.post("/setup")
def setup(request: Request, desk: DeskDep, name: Annotated[str, Form()], password: Annotated[str, Form()],
          pre: Annotated[str, Form()] = "") -> Response:
    _check_pre(request, pre)
    if desk.store.user_count() > 0:
        raise HTTPException(403, "The desk has a coordinator already; sign in.")
    if not _loopback(request):
        raise HTTPException(403, "The first coordinator can only be made on this machine (127.0.0.1), "
                                 "or with `bookvan desk user add`.")
    try:
        desk.store.add_user(name, password)
    except ValueError as e:
        return _pre_form(desk, request, "setup.html", error=str(e), loopback=True)
    return _signed_in(desk.store.sign_in(name, password) or "")
