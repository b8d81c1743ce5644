"""The desk's database: users, sign-in sessions, plan versions, driver links and crate scans.

SQLAlchemy Core, so the same statements run on the default SQLite file and on PostgreSQL
given a URL (``postgresql+psycopg://…``): dialect-neutral DDL, bound parameters, and no
upsert syntax (idempotent inserts catch the unique-key error instead). Every write is one
transaction; a scan is acknowledged only after its commit, so a restart loses none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

__all__ = ["PlanChanged", "Store", "open_store"]

SCHEMA_VERSION = 1
SESSION_HOURS = 12
_hasher = PasswordHasher()

meta = sa.MetaData()
settings_t = sa.Table(
    "desk_settings", meta,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
users_t = sa.Table(
    "users", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
sessions_t = sa.Table(
    "sessions", meta,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
days_t = sa.Table(  # one row per planned date: which version is adopted (0: none yet)
    "days", meta,
    sa.Column("date", sa.String(10), primary_key=True),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)
versions_t = sa.Table(
    "plan_versions", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("date", sa.String(10), nullable=False, index=True),
    sa.Column("folder", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),  # plan | replan | …
    sa.Column("detail", sa.Text, nullable=False),  # JSON: the inputs that made it
    sa.Column("base_version", sa.Integer, nullable=False),  # adopted version when it was made (0: none)
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("adopted_by", sa.String(80)),
    sa.Column("adopted_at", sa.DateTime(timezone=True)),
)
run_links_t = sa.Table(
    "run_links", meta,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("vehicle_id", sa.String(64), nullable=False),
    sa.Column("trip", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("date", "vehicle_id", "trip", name="run_links_run"),
)
scans_t = sa.Table(
    "scans", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_id", sa.String(80), nullable=False, unique=True),
    sa.Column("date", sa.String(10), nullable=False, index=True),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("vehicle_id", sa.String(64), nullable=False),
    sa.Column("node_id", sa.String(64), nullable=False),
    sa.Column("crate_id", sa.String(80), nullable=False),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("source", sa.String(80), nullable=False),  # driver link, upload by user …
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)


class PlanChanged(Exception):
    """Another coordinator adopted a plan for this date since this one was looked at."""

    def __init__(self, date: str, expected: int, current: int) -> None:
        super().__init__(f"the plan of {date} changed: version {current} is adopted now, not {expected}")
        self.date, self.expected, self.current = date, expected, current


@dataclass(frozen=True)
class Session:
    user_id: int
    user: str
    csrf: str


@dataclass(frozen=True)
class Version:
    id: int
    date: str
    folder: str
    action: str
    detail: str
    base_version: int
    created_by: str
    created_at: dt.datetime
    adopted_by: str | None
    adopted_at: dt.datetime | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back naive (they were stored as UTC)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _utc(t: dt.datetime) -> dt.datetime:
    """Stored in UTC: SQLite keeps the wall time only, so a local time must not go in as is."""
    if t.tzinfo is None:
        raise ValueError("a scan time needs its UTC offset")
    return t.astimezone(dt.UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sqlite_pragmas(dbapi_conn: Any, _rec: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # an acknowledged scan survives a power cut
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """All reads and writes of the desk; one instance per server, safe across threads."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        """Create missing tables and record the schema version (a later version adds steps here)."""
        meta.create_all(self.engine)
        with self.engine.begin() as c:
            row = c.execute(sa.select(settings_t.c.value).where(settings_t.c.key == "schema_version")).first()
            if row is None:
                c.execute(settings_t.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row[0]) > SCHEMA_VERSION:
                raise RuntimeError(f"the database is from a newer bookvan (schema {row[0]} > {SCHEMA_VERSION})")

    def schema_version(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(sa.select(settings_t.c.value).where(settings_t.c.key == "schema_version")).scalar())

    def secret(self) -> str:
        """This desk's own random secret (made on first start), for tokens derived from driver links."""
        with self.engine.connect() as c:
            v = c.execute(sa.select(settings_t.c.value).where(settings_t.c.key == "secret")).scalar()
        if v:
            return str(v)
        try:
            with self.engine.begin() as c:
                c.execute(settings_t.insert().values(key="secret", value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another server process made it first
        return self.secret()

    # -- users and sessions ---------------------------------------------------------------
    def user_count(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(sa.select(sa.func.count()).select_from(users_t)).scalar() or 0)

    def add_user(self, name: str, password: str) -> None:
        """Add a coordinator (argon2id hash); ValueError when the name is taken or too weak a password."""
        name = name.strip()
        if not name or len(name) > 80:
            raise ValueError("a user name of 1 to 80 characters is needed")
        if len(password) < 8:
            raise ValueError("the password needs at least 8 characters")
        try:
            with self.engine.begin() as c:
                c.execute(users_t.insert().values(name=name, password_hash=_hasher.hash(password), created_at=_now()))
        except IntegrityError:
            raise ValueError(f"user '{name}' exists already") from None

    def sign_in(self, name: str, password: str) -> str | None:
        """A new session token when the password is right, else None."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(users_t.c.id, users_t.c.password_hash).where(users_t.c.name == name)).first()
        if row is None:
            _hasher.hash(password)  # same work either way: no user-name oracle by timing
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            c.execute(sa.delete(sessions_t).where(sessions_t.c.expires_at < _now()))
            c.execute(sessions_t.insert().values(
                token_hash=_hash(token), user_id=row.id, csrf=secrets.token_urlsafe(32),
                expires_at=_now() + dt.timedelta(hours=SESSION_HOURS),
            ))
        return token

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        q = (
            sa.select(sessions_t.c.user_id, users_t.c.name, sessions_t.c.csrf, sessions_t.c.expires_at)
            .join(users_t, users_t.c.id == sessions_t.c.user_id)
            .where(sessions_t.c.token_hash == _hash(token))
        )
        with self.engine.connect() as c:
            row = c.execute(q).first()
        if row is None or _aware(row.expires_at) < _now():
            return None
        return Session(row.user_id, row.name, row.csrf)

    def sign_out(self, token: str) -> None:
        with self.engine.begin() as c:
            c.execute(sa.delete(sessions_t).where(sessions_t.c.token_hash == _hash(token)))

    # -- plan versions ----------------------------------------------------------------------
    def current_version(self, date: str) -> int:
        with self.engine.connect() as c:
            v = c.execute(sa.select(days_t.c.current_version).where(days_t.c.date == date)).scalar()
        return int(v or 0)

    def add_version(self, date: str, folder: str, action: str, detail: str, base_version: int, user: str) -> int:
        """Record a proposed plan (not adopted yet); returns its id."""
        with self.engine.begin() as c:
            res = c.execute(versions_t.insert().values(
                date=date, folder=folder, action=action, detail=detail, base_version=base_version,
                created_by=user, created_at=_now(),
            ))
            return int(res.inserted_primary_key[0])

    def adopt(self, version_id: int, expected_current: int, user: str) -> None:
        """Make ``version_id`` the date's plan, only if ``expected_current`` is still adopted.

        Raises
        ------
        PlanChanged
            Someone adopted another version in between (compare-and-set on the ``days`` row).
        """
        v = self.version(version_id)
        if v is None:
            raise KeyError(version_id)
        try:
            with self.engine.begin() as c:
                if c.execute(sa.select(days_t.c.date).where(days_t.c.date == v.date)).first() is None:
                    c.execute(days_t.insert().values(date=v.date, current_version=0, changed_at=_now()))
        except IntegrityError:
            pass  # created by a concurrent first adoption; the compare-and-set below decides
        with self.engine.begin() as c:
            res = c.execute(
                sa.update(days_t)
                .where(days_t.c.date == v.date, days_t.c.current_version == expected_current)
                .values(current_version=version_id, changed_at=_now())
            )
            if res.rowcount != 1:
                now = c.execute(sa.select(days_t.c.current_version).where(days_t.c.date == v.date)).scalar()
                raise PlanChanged(v.date, expected_current, int(now or 0))
            c.execute(sa.update(versions_t).where(versions_t.c.id == version_id).values(
                adopted_by=user, adopted_at=_now()))

    def version(self, version_id: int) -> Version | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(versions_t).where(versions_t.c.id == version_id)).first()
        return None if row is None else Version(**row._mapping)

    def versions(self, date: str | None = None) -> list[Version]:
        q = sa.select(versions_t).order_by(versions_t.c.id.desc())
        if date is not None:
            q = q.where(versions_t.c.date == date)
        with self.engine.connect() as c:
            return [Version(**r._mapping) for r in c.execute(q)]

    def days(self) -> list[tuple[str, int]]:
        with self.engine.connect() as c:
            return [(r.date, r.current_version) for r in c.execute(sa.select(days_t).order_by(days_t.c.date.desc()))]

    # -- driver links -----------------------------------------------------------------------
    def run_link(self, date: str, vehicle_id: str, trip: int, expires_at: dt.datetime) -> str:
        """The unguessable token of one run of one date (made once, then the same)."""
        sel = sa.select(run_links_t.c.token).where(
            run_links_t.c.date == date, run_links_t.c.vehicle_id == vehicle_id, run_links_t.c.trip == trip)
        with self.engine.connect() as c:
            tok = c.execute(sel).scalar()
        if tok:
            return str(tok)
        try:
            with self.engine.begin() as c:
                tok = secrets.token_urlsafe(24)
                c.execute(run_links_t.insert().values(
                    token=tok, date=date, vehicle_id=vehicle_id, trip=trip, expires_at=_utc(expires_at)))
                return tok
        except IntegrityError:  # made by a concurrent request
            with self.engine.connect() as c:
                return str(c.execute(sel).scalar())

    def resolve_run_link(self, token: str) -> tuple[str, str, int] | None:
        """(date, van, trip) of a valid, unexpired token; None otherwise."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(run_links_t).where(run_links_t.c.token == token)).first()
        if row is None or _aware(row.expires_at) < _now():
            return None
        return row.date, row.vehicle_id, int(row.trip)

    # -- scans ------------------------------------------------------------------------------
    def add_scans(self, date: str, scans: list[dict[str, Any]], source: str, plan_version: int) -> list[str]:
        """Store scans, each once by its ``client_id``; returns the client ids now stored (acknowledged).

        A scan already stored (a retry after a lost answer) is acknowledged again, not stored twice.
        """
        rows = [
            {
                "client_id": str(s["client_id"]), "date": date, "time": _utc(s["time"]),
                "vehicle_id": str(s["vehicle_id"]), "node_id": str(s["node_id"]), "crate_id": str(s["crate_id"]),
                "event": str(s["event"]), "note": str(s.get("note") or ""), "plan_version": plan_version,
                "source": source, "received_at": _now(),
            }
            for s in scans
        ]
        ids = [r["client_id"] for r in rows]
        for _attempt in range(3):
            try:
                with self.engine.begin() as c:
                    have = set(c.execute(sa.select(scans_t.c.client_id).where(scans_t.c.client_id.in_(ids))).scalars())
                    new, seen = [], set(have)
                    for r in rows:
                        if r["client_id"] not in seen:
                            new.append(r)
                            seen.add(r["client_id"])
                    if new:
                        c.execute(scans_t.insert(), new)
                return ids
            except IntegrityError:
                continue  # a concurrent request stored one of them first: look again
        raise RuntimeError("scans could not be stored after three attempts")

    def scans(self, date: str) -> list[dict[str, Any]]:
        q = sa.select(scans_t).where(scans_t.c.date == date).order_by(scans_t.c.time, scans_t.c.id)
        with self.engine.connect() as c:
            return [{**r._mapping, "time": _aware(r.time)} for r in c.execute(q)]


def open_store(url: str) -> Store:
    """Connect (``sqlite:///file.db`` or ``postgresql+psycopg://…``) and migrate."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    store = Store(engine)
    store.migrate()
    return store
