"""Take up what an earlier plan left waiting (``bookvan plan --carry-over PREV_PLAN_DIR``).

A plan that honoured the schedule lists in plan.json ``waits`` every transfer that goes
another day (not visited today, collected to the depot for a later delivery, or left out by
the vans), with the transfer itself. A plan made without the schedule has no ``waits``; then
its ``unassigned`` transfers are taken from its transfers table. Either way the items are
those of the earlier plan, so nothing is lost or counted twice between days.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from bookvan.data.errors import InputError
from bookvan.data.transfers import transfers_frame

__all__ = ["join_carry_over", "read_carry_over", "unassigned_rows"]


def read_carry_over(prev_dir: str | Path, date: dt.date, node_ids: set[str] | None = None) -> pd.DataFrame:
    """The earlier plan's waiting transfers as a transfers table for ``date``.

    Raises
    ------
    InputError
        The folder is not a plan folder, its date is not before ``date``, or a waiting
        transfer names a node the network does not have.
    """
    d = Path(prev_dir)
    where = d / "plan.json"
    try:
        plan = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(d, "not a plan folder (no plan.json)", field="--carry-over") from None
    except (OSError, ValueError) as e:
        raise InputError.single(where, f"not readable: {e}", field="--carry-over") from None
    try:
        prev = dt.date.fromisoformat(str(plan.get("date")))
    except ValueError:
        raise InputError.single(where, "no valid date", field="date") from None
    if prev >= date:
        raise InputError.single(where, f"the earlier plan is for {prev}, not before {date}", field="date")
    if "waits" in plan:
        recs = []
        for i, w in enumerate(plan["waits"], start=1):
            try:
                recs.append({
                    "transfer_id": str(w["transfer_id"]), "origin_id": str(w["origin_id"]),
                    "destination_id": str(w["destination_id"]), "items": int(w["items"]),
                    "crates": int(w["crates"]), "kind": str(w["kind"]),
                    "release": w.get("release"), "due": w.get("due"),
                    "leg_of": None, "leg": None, "part_of": None,
                })
            except (KeyError, TypeError, ValueError) as e:
                raise InputError.single(where, f"waits entry {i} is incomplete ({e})", field="waits") from None
        out = transfers_frame(recs)
    else:
        left = {str(u.get("transfer_id")) for u in plan.get("unassigned", [])}
        try:
            tr = pq.read_table(d / "transfers.parquet").to_pandas()
        except (OSError, ValueError) as e:
            raise InputError.single(d / "transfers.parquet", f"not readable: {e}") from None
        out = transfers_frame(unassigned_rows(tr, left))
    if node_ids is not None:
        bad = sorted((set(out["origin_id"]) | set(out["destination_id"])) - node_ids)
        if bad:
            raise InputError.single(where, f"waiting transfers name unknown node(s): {', '.join(bad)}", field="waits")
    return out


def unassigned_rows(tr: pd.DataFrame, left: set[str]) -> list[dict[str, object]]:
    """Unassigned rows as standalone transfers; hub legs all left out become the original."""
    recs = []
    legs = tr["leg_of"].notna() if "leg_of" in tr else pd.Series(False, index=tr.index)
    for r in tr.loc[~legs & tr["transfer_id"].astype(str).isin(left)].to_dict("records"):
        recs.append({**r, "leg_of": None, "leg": None, "part_of": None})
    for orig, grp in tr.loc[legs].groupby("leg_of"):
        grp = grp.sort_values("leg")
        out = grp.loc[grp["transfer_id"].astype(str).isin(left)]
        if len(out) == len(grp):
            first, last = grp.iloc[0].to_dict(), grp.iloc[-1].to_dict()
            recs.append({**first, "transfer_id": str(orig), "destination_id": last["destination_id"],
                         "due": last["due"], "leg_of": None, "leg": None, "part_of": None})
        else:
            recs += [{**r, "leg_of": None, "leg": None, "part_of": None} for r in out.to_dict("records")]
    return recs


def join_carry_over(todo: pd.DataFrame, prev_dir: str | Path, date: dt.date, node_ids: set[str]) -> pd.DataFrame:
    """Today's transfers with the earlier plan's waiting ones first; a repeated id is an error."""
    carried = read_carry_over(prev_dir, date, node_ids)
    clash = sorted(set(carried["transfer_id"]) & set(todo["transfer_id"]))
    if clash:
        raise InputError.single(
            prev_dir, f"transfer id(s) both waiting and new today: {', '.join(clash[:5])}", field="--carry-over"
        )
    if not len(carried):
        return todo
    return transfers_frame(carried.to_dict("records") + todo.to_dict("records"))
