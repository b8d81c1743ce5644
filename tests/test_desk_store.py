"""The desk's store, on SQLite and on a real PostgreSQL server started by the test.

Same tests on both: users and passwords, sessions, plan versions adopted by compare-and-set
(a second coordinator is told the plan changed), driver links, scans stored once per client id
and still there after the store is opened again (a server restart).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from desk_fixtures import postgres_server

from bookvan.desk.store import PlanChanged, open_store, users_t

TPE = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _close_stores(monkeypatch):
    """Close every store a test opens: its pooled PostgreSQL connections would otherwise be
    garbage-collected while open (psycopg's ResourceWarning, an error under filterwarnings)."""
    opened, real = [], open_store

    def tracked(url):
        opened.append(real(url))
        return opened[-1]

    monkeypatch.setitem(globals(), "open_store", tracked)
    yield
    for store in opened:
        store.engine.dispose()


@pytest.fixture(scope="module")
def pg_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.db'}"
    base = request.getfixturevalue("pg_url")
    eng = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"t_{abs(hash(str(tmp_path))) % 10**8}"
    with eng.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    eng.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def test_migrate_twice_and_schema_version(url):
    s = open_store(url)
    s2 = open_store(url)
    assert s.schema_version() == s2.schema_version() == 1
    assert s.secret() == s2.secret() and len(s.secret()) == 64


def test_users_passwords_and_sessions(url):
    s = open_store(url)
    assert s.user_count() == 0
    s.add_user("mei", "correct horse")
    with pytest.raises(ValueError, match="exists"):
        s.add_user("mei", "another one!")
    with pytest.raises(ValueError, match="8 characters"):
        s.add_user("lin", "short")
    with s.engine.connect() as c:
        stored = c.execute(sa.select(users_t.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert s.sign_in("mei", "wrong password") is None
    assert s.sign_in("nobody", "correct horse") is None
    tok = s.sign_in("mei", "correct horse")
    sess = s.session(tok)
    assert sess is not None and sess.user == "mei" and len(sess.csrf) >= 32
    assert s.session("forged") is None
    s.sign_out(tok)
    assert s.session(tok) is None


def test_adopt_is_compare_and_set(url):
    s = open_store(url)
    v1 = s.add_version("2026-12-01", "/p/1", "plan", "{}", 0, "mei")
    s.adopt(v1, 0, "mei")
    assert s.current_version("2026-12-01") == v1
    a = s.add_version("2026-12-01", "/p/2", "replan", "{}", v1, "mei")
    b = s.add_version("2026-12-01", "/p/3", "replan", "{}", v1, "lin")
    s.adopt(a, v1, "mei")
    with pytest.raises(PlanChanged) as e:
        s.adopt(b, v1, "lin")  # lin looked at v1, but mei adopted v2 in between
    assert (e.value.expected, e.value.current) == (v1, a)
    assert s.current_version("2026-12-01") == a
    assert s.version(a).adopted_by == "mei" and s.version(b).adopted_at is None
    s.adopt(v1, a, "lin")  # the previous plan stays retrievable and can be adopted again
    assert s.current_version("2026-12-01") == v1
    assert [v.id for v in s.versions("2026-12-01")] == [b, a, v1]


def test_concurrent_adoptions_one_wins(url):
    s = open_store(url)
    ids = [s.add_version("2026-12-02", f"/p/{i}", "plan", "{}", 0, f"u{i}") for i in range(6)]
    won, lost = [], []

    def go(i):
        try:
            s.adopt(i, 0, "x")
            won.append(i)
        except PlanChanged:
            lost.append(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 5
    assert s.current_version("2026-12-02") == won[0]


def test_run_links_unguessable_stable_and_expiring(url):
    s = open_store(url)
    later = dt.datetime(2099, 1, 1, tzinfo=TPE)
    t1 = s.run_link("2026-12-01", "VAN-1", 1, later)
    assert s.run_link("2026-12-01", "VAN-1", 1, later) == t1
    t2 = s.run_link("2026-12-01", "VAN-1", 2, later)
    assert t1 != t2 and len(t1) >= 32
    assert s.resolve_run_link(t1) == ("2026-12-01", "VAN-1", 1)
    assert s.resolve_run_link(t1[:-1] + ("A" if t1[-1] != "A" else "B")) is None
    old = s.run_link("2020-01-01", "VAN-1", 1, dt.datetime(2020, 1, 2, tzinfo=TPE))
    assert s.resolve_run_link(old) is None


def _scan(cid, crate="T1-C01", minute=5):
    return {"client_id": cid, "time": dt.datetime(2026, 12, 1, 9, minute, tzinfo=TPE), "vehicle_id": "VAN-1",
            "node_id": "KL-ANLE", "crate_id": crate, "event": "loaded"}


def test_scans_stored_once_by_client_id_and_survive_a_restart(url):
    s = open_store(url)
    assert s.add_scans("2026-12-01", [_scan("c-00000001"), _scan("c-00000001")], "t", 1) == ["c-00000001"] * 2
    assert s.add_scans("2026-12-01", [_scan("c-00000001"), _scan("c-00000002", "T1-C02", 6)], "t", 1)
    s.engine.dispose()
    again = open_store(url)  # a restart: a new engine on the same database
    rows = again.scans("2026-12-01")
    assert [r["client_id"] for r in rows] == ["c-00000001", "c-00000002"]
    assert rows[0]["time"] == dt.datetime(2026, 12, 1, 9, 5, tzinfo=TPE)  # same instant, whatever the zone
    assert again.scans("2026-12-02") == []


def test_concurrent_retries_of_the_same_scans(url):
    s = open_store(url)
    batch = [_scan(f"c-{i:08d}", f"T1-C{i:02d}", i) for i in range(1, 9)]
    errors = []

    def go():
        try:
            s.add_scans("2026-12-01", batch, "t", 1)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(s.scans("2026-12-01")) == 8
