"""What arrived: per item (per crate in a crate-level plan), from a plan and the day's scans.

The crate scans are replayed by :func:`bookvan.routing.scan.check_scans`; each crate's state
is then given to the items packed in it (:func:`bookvan.routing.manifest.packing.crate_contents`).
The status an ILS loads back (``item_id, status, node_id, time``):

- ``arrived``: the crate was unloaded at its final destination (``node_id`` there, ``time`` of the scan);
- ``in_transit``: still on a van (``vehicle_id`` set, ``node_id`` blank) or unloaded at a node that is
  not its destination (the depot between hub legs, or a wrong branch: ``crate_status`` says which);
- ``missing``: a scan reported the crate missing (``node_id`` where it was reported);
- ``waiting``: never loaded (not yet picked up, or left out of the plan), at its origin.

A per-item check-in export of the library system (:mod:`bookvan.data.checkins`), when given,
has the last word on the items it lists: checked in at the destination is ``arrived``,
checked in elsewhere is ``in_transit`` at that node.

Everything not ``arrived`` and not ``missing`` becomes tomorrow's transfers, from where it is
now (a van's load comes back to its depot at the end of its run) to its destination:
``carry_over.csv`` that ``bookvan plan --transfers`` reads (one row per item when the plan
came from an item list, else aggregated). A missing crate is left out of it: nobody knows where
its items are, so a coordinator must find them first (they are listed on the page).
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bookvan.data.csv_safe import write_csv_rows
from bookvan.routing.manifest.overview import _CSS
from bookvan.routing.manifest.packing import crate_contents
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.scan import DayState, check_scans

__all__ = ["ARRIVED_COLUMNS", "STATUSES", "ArrivalReport", "arrival_report", "write_arrival_report"]

ARRIVED_COLUMNS = ("item_id", "status", "node_id", "time", "vehicle_id", "crate_id", "crate_status",
                   "transfer_id", "origin_id", "destination_id", "kind", "title")
STATUSES = ("arrived", "in_transit", "missing", "waiting")
_STATUS = {"delivered": "arrived", "on_board": "in_transit", "in_transit": "in_transit",
           "misplaced": "in_transit", "missing": "missing", "waiting": "waiting", "not_planned": "waiting"}


@dataclass(frozen=True)
class ArrivalReport:
    """One row per item (``rows``), the carry-over transfers and the scan state it came from."""

    plan_id: str
    date: str
    rows: tuple[dict, ...]
    carry_over: tuple[dict, ...]
    carry_over_items: bool  # True: one row per item; False: the aggregated transfers form
    state: DayState

    def counts(self) -> dict[str, int]:
        c = Counter(r["status"] for r in self.rows)
        return {s: c.get(s, 0) for s in STATUSES}


def _text(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT else str(x)


def _crate_items(plan: Plan) -> dict[str, list[dict]]:
    """Crate id → item records; a crate-level plan gets one pseudo-record per crate (its item count)."""
    contents = crate_contents(plan)
    if contents:
        return contents
    from bookvan.routing.manifest.crates import crate_ids

    out: dict[str, list[dict]] = {}
    for r in plan.transfers.itertuples(index=False):
        if _text(getattr(r, "leg_of", None)) and int(getattr(r, "leg", 1) or 1) > 1:
            continue  # a later hub leg: same crates as the first leg
        base = _text(getattr(r, "leg_of", None)) or str(r.transfer_id)
        n, items = int(r.crates), int(r.items)
        for k, cid in enumerate(crate_ids(base, n), start=1):
            out[cid] = [{"item_id": "", "items": items // n + (1 if k <= items % n else 0)}]
    return out


def arrival_report(plan: Plan, events: pd.DataFrame, checkins: pd.DataFrame | None = None) -> ArrivalReport:
    """Replay ``events`` (a scans table) on ``plan``; one report row per item (or crate).

    ``checkins`` (``item_id, node_id, time`` from :func:`bookvan.data.checkins.read_checkins`)
    overrides an item's crate state: checked in at its destination is ``arrived``, elsewhere
    ``in_transit`` at that node (the library system saw it there, whatever the crate scans say).
    """
    state = check_scans(plan, events)
    items = _crate_items(plan)
    by_item = bool(crate_contents(plan))
    transfers = {}
    for t in plan.transfers.reset_index(drop=True).sort_values("transfer_id").itertuples(index=False):
        transfers[str(t.transfer_id)] = t
        base = _text(getattr(t, "leg_of", None))
        if base and (base not in transfers or int(getattr(t, "leg", 1) or 1) == 1):
            transfers[base] = t  # a hub crate's id is its original transfer's: origin of leg 1, same kind
    depots = dict(zip(plan.vehicles["vehicle_id"].astype(str), plan.vehicles["depot_id"].astype(str), strict=True))
    rows: list[dict] = []
    carry: list[dict] = []
    for c in state.crates:
        status = _STATUS.get(c.status, "waiting")
        t = transfers.get(c.transfer_id)
        origin = _text(getattr(t, "origin_id", "")) if t is not None else ""
        kind = _text(getattr(t, "kind", "")) if t is not None else ""
        node = c.node_id if c.node_id is not None else ""
        for it in items.get(c.crate_id, [{"item_id": ""}]):
            rows.append({
                "item_id": _text(it.get("item_id")), "status": status, "node_id": node,
                "time": "" if c.last_scan is None else c.last_scan.isoformat(),
                "vehicle_id": c.vehicle_id or "", "crate_id": c.crate_id, "crate_status": c.status,
                "transfer_id": c.transfer_id, "origin_id": _text(it.get("origin_id")) or origin,
                "destination_id": c.destination_id, "kind": _text(it.get("kind")) or kind,
                "title": _text(it.get("title")), "_items": int(it.get("items", 1) or 0),
            })
    if checkins is not None and len(checkins):
        seen = {str(c.item_id): c for c in checkins.itertuples(index=False)}
        for r in rows:
            c = seen.get(r["item_id"]) if r["item_id"] else None
            if c is not None:
                r.update(status="arrived" if c.node_id == r["destination_id"] else "in_transit",
                         node_id=str(c.node_id), time=pd.Timestamp(c.time).isoformat(), vehicle_id="",
                         crate_status=r["crate_status"] + "+checked_in")
    for r in rows:
        if r["status"] in ("arrived", "missing"):
            continue
        here = depots.get(r["vehicle_id"], "") if r["vehicle_id"] else (r["node_id"] or r["origin_id"])
        if here == r["destination_id"] or not here:
            continue
        if by_item:
            carry.append({"item_id": r["item_id"], "title": r["title"], "origin_id": here,
                          "destination_id": r["destination_id"], "kind": r["kind"]})
        else:
            carry.append({"origin_id": here, "destination_id": r["destination_id"], "kind": r["kind"],
                          "items": r["_items"]})
    if not by_item:  # aggregate per origin, destination and kind, as `plan --transfers` wants
        agg: dict[tuple[str, str, str], int] = {}
        for c in carry:
            key = (c["origin_id"], c["destination_id"], c["kind"])
            agg[key] = agg.get(key, 0) + int(c["items"])
        carry = [{"transfer_id": f"C{i:04d}", "origin_id": o, "destination_id": d, "items": n, "kind": k}
                 for i, ((o, d, k), n) in enumerate(sorted(agg.items()), start=1) if n > 0]
    for r in rows:
        r.pop("_items")
    return ArrivalReport(plan.plan_id, plan.date.isoformat(), tuple(rows), tuple(carry), by_item, state)


_LABEL = {"arrived": "已到館 arrived", "in_transit": "運送中 in transit", "missing": "遺失 missing",
          "waiting": "未取件 waiting"}


def report_page(plan: Plan, report: ArrivalReport) -> str:
    """The coordinator's page: counts, then what to look for, what is on the way, what arrived."""
    e = lambda x: html.escape(_text(x), quote=True)  # noqa: E731
    names = {str(k): f"{_text(v['name_zh'])} {_text(v['name_en'])}" for k, v in plan.nodes.iterrows()}
    counts = report.counts()
    facts = "".join(f"<div><dt>{e(_LABEL[s])}</dt><dd>{counts[s]}</dd></div>" for s in STATUSES)
    sections = []
    for s in ("missing", "in_transit", "waiting", "arrived"):
        rows = [r for r in report.rows if r["status"] == s]
        if not rows:
            continue
        body = "".join(
            "<tr>" + "".join(f"<td>{e(x)}</td>" for x in (
                r["item_id"] or "–", r["title"], r["crate_id"],
                r["vehicle_id"] or names.get(r["node_id"], r["node_id"]),
                r["time"][11:16], names.get(r["destination_id"], r["destination_id"]), r["crate_status"])) + "</tr>"
            for r in rows)
        head = "".join(f"<th>{h}</th>" for h in ("條碼 Item", "題名 Title", "書箱 Crate", "在哪 Where",
                                                  "時間 Time", "目的地 To", "書箱狀態 Crate status"))
        cls = ' class="alert"' if s == "missing" else ""
        sections.append(f"<section{cls}><h2>{e(_LABEL[s])} ({len(rows)})</h2>"
                        f"<table><tr>{head}</tr>{body}</table></section>")
    title = f"到館回報 What arrived · {report.date}"
    carry = (f"<p>{len(report.carry_over)} 筆轉為明日調撥 row(s) carried over to tomorrow: carry_over.csv "
             "(bookvan plan --transfers carry_over.csv)；遺失者不列入 missing items are not carried over.</p>")
    return (f'<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
            f'<div class="sub">plan {e(report.plan_id)} · {report.state.events} scan(s)</div>'
            f'<dl class="facts">{facts}</dl>{carry}{"".join(sections)}</body></html>\n')


def write_arrival_report(plan: Plan, report: ArrivalReport, folder: Path) -> list[str]:
    """``arrived.csv`` (for the ILS), ``arrived.html`` (for the coordinator), ``carry_over.csv``."""
    write_csv_rows(folder / "arrived.csv", ARRIVED_COLUMNS, report.rows)
    (folder / "arrived.html").write_text(report_page(plan, report), encoding="utf-8")
    cols = (("item_id", "title", "origin_id", "destination_id", "kind") if report.carry_over_items
            else ("transfer_id", "origin_id", "destination_id", "items", "kind"))
    write_csv_rows(folder / "carry_over.csv", cols, report.carry_over)
    return ["arrived.csv", "arrived.html", "carry_over.csv"]


def load_and_report(
    plan_dir: Path, events_file: Path, checkins_file: Path | None = None, column_map: Path | None = None
) -> tuple[Plan, ArrivalReport]:
    """Read a plan folder, a scans file and an optional check-in export (exit-2 errors) and report."""
    from bookvan.data.checkins import read_checkins
    from bookvan.data.scans import read_scans
    from bookvan.routing.manifest.plan import load_plan

    plan = load_plan(plan_dir)
    events = read_scans(events_file)
    checkins = None
    if checkins_file is not None:
        checkins = read_checkins(checkins_file, set(map(str, plan.nodes["node_id"])), column_map)
    return plan, arrival_report(plan, events, checkins)
