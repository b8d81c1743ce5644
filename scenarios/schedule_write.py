"""Write a built schedule: schedule.csv, the branch timetables (CSV and a printable page), templates.

The printable page (``timetable.html``) has one A5-size sheet per node, in Traditional Chinese
and English, to post at the branch desk: the visit days, the expected arrival window and the
van. The template routes of the typical week are written as plan folders (``templates/``, each
passes ``bookvan check``) and as one table (``templates.csv``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from bookvan.data.csv_safe import write_csv_rows
from bookvan.data.hours import DAY_S, WEEKDAYS
from bookvan.data.network import Network
from bookvan.data.outdir import output_folder
from bookvan.data.planfolder import write_plan_folder
from bookvan.data.schedule import SCHEDULE_FILE, Schedule, parse_visit_days, write_schedule
from bookvan.scenarios.schedule_build import BuildSettings, BuiltSchedule

__all__ = ["timetable_html", "timetable_rows", "write_built_schedule"]

_ZH_WD = ("週一", "週二", "週三", "週四", "週五", "週六", "週日")
_EN_WD = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _clock(s: int) -> str:
    s %= DAY_S
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def timetable_rows(schedule: Schedule, network: Network) -> list[dict[str, str]]:
    """Per node: names, days (both languages), target, arrival window, van."""
    rows = []
    for n in network.node_ids:
        ns = schedule.get(n)
        if ns is None:
            continue
        row = network.node(n)
        w = ns.window_s()
        rows.append({
            "node_id": n,
            "name_zh": str(row["name_zh"]),
            "name_en": str(row["name_en"]),
            "days": ns.days.text,
            "days_zh": ns.days.zh,
            "days_en": ns.days.en,
            "target_arrival": ns.target_text,
            "window_from": _clock(w[0]) if w else "",
            "window_to": _clock(w[1]) if w else "",
            "vehicle_id": ns.vehicle_id or "",
        })
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """A person opens these in a spreadsheet: every cell formula-safe (bookvan.data.csv_safe)."""
    write_csv_rows(path, list(rows[0]) if rows else [], rows)


_CSS = """
@page { size: A5 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK TC", "WenQuanYi Zen Hei", "AR PL UMing TW", sans-serif; color: #111; }
.sheet { page-break-after: always; border: 2px solid #1f4e79; border-radius: 6px; padding: 10mm;
         width: 186mm; min-height: 118mm; box-sizing: border-box; margin: 0 auto 8mm; }
h1 { font-size: 22pt; margin: 0 0 1mm; } h2 { font-size: 13pt; margin: 0 0 6mm; color: #444; font-weight: normal; }
table { border-collapse: collapse; width: 100%; font-size: 14pt; }
th { text-align: left; width: 38%; color: #1f4e79; padding: 3mm 2mm; vertical-align: top; }
td { padding: 3mm 2mm; border-bottom: 1px solid #ccc; }
.days span { display: inline-block; border: 1px solid #999; border-radius: 3px; padding: 1mm 2mm; margin: 0 1mm 1mm 0;
             color: #bbb; font-size: 12pt; }
.days span.on { background: #1f4e79; color: #fff; border-color: #1f4e79; font-weight: bold; }
.big { font-size: 24pt; font-weight: bold; }
.foot { font-size: 9pt; color: #555; margin-top: 5mm; }
"""


def timetable_html(rows: list[dict[str, str]], note: str) -> str:
    """One printable sheet per node, Traditional Chinese first, English beneath."""
    e = html.escape
    sheets = []
    for r in rows:
        days = parse_visit_days(r["days"])
        chips = "".join(
            f'<span class="{"on" if d in days.weekdays else ""}">{_ZH_WD[i]}<br>{_EN_WD[i]}</span>'
            for i, d in enumerate(WEEKDAYS)
        )
        window = (
            f'<span class="big">{e(r["window_from"])}–{e(r["window_to"])}</span>'
            f'<br>預計 {e(r["target_arrival"])} 到達 · expected at {e(r["target_arrival"])}'
            if r["target_arrival"]
            else "未定 · not fixed"
        )
        sheets.append(f"""<div class="sheet">
<h1>{e(r["name_zh"])}</h1><h2>{e(r["name_en"])} · {e(r["node_id"])}</h2>
<table>
<tr><th>物流車到館日<br><small>Van visit days</small></th>
<td class="days">{chips}<br>{e(r["days_zh"])} · {e(r["days_en"])}</td></tr>
<tr><th>到館時間<br><small>Arrival window</small></th><td>{window}</td></tr>
<tr><th>車輛<br><small>Van</small></th><td>{e(r["vehicle_id"] or "—")}</td></tr>
<tr><th>請準備<br><small>Please have ready</small></th>
<td>已封箱並簽收的物流箱 · crates packed and signed before the van arrives</td></tr>
</table>
<div class="foot">{e(note)}</div>
</div>""")
    return (
        '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>物流車時刻表 Van timetable</title>'
        f"<style>{_CSS}</style></head><body>{''.join(sheets)}</body></html>"
    )


def write_built_schedule(
    built: BuiltSchedule, network: Network, settings: BuildSettings, out: str | Path
) -> Path:
    """Write the whole build into ``out`` (replaced only once everything is written)."""
    rows = timetable_rows(built.schedule, network)
    note = (
        "基隆市公共圖書館 物流車固定班表 · Keelung City Public Library standing van schedule. "
        "時間為預計到達時段，路況可能影響 · Times are the expected arrival window; traffic may vary."
    )
    with output_folder(Path(out), "schedule") as tmp:
        write_schedule(built.schedule, tmp / SCHEDULE_FILE)
        _write_csv(tmp / "timetable.csv", rows)
        (tmp / "timetable.html").write_text(timetable_html(rows, note), encoding="utf-8")
        trows = []
        for d, plan in sorted(built.templates.items()):
            folder = tmp / "templates" / f"{d:%Y-%m-%d}-{WEEKDAYS[d.weekday()]}"
            write_plan_folder(folder, plan.plan_json(), {
                "nodes": plan.nodes, "vehicles": plan.vehicles, "transfers": plan.transfers,
                "matrix": plan.matrix, "stops": plan.stops,
            })
            when = plan.stops["service_start"].fillna(plan.stops["arrival"]) if len(plan.stops) else []
            for (_, s), at in zip(plan.stops.iterrows(), when, strict=True):
                trows.append({"weekday": WEEKDAYS[d.weekday()], "date": d.isoformat(),
                              "vehicle_id": s["vehicle_id"], "trip": str(s["trip"]), "seq": str(s["seq"]),
                              "node_id": s["node_id"], "arrival": f"{at:%H:%M}"})
        _write_csv(tmp / "templates.csv", trows)
        info = {
            "settings": {"start": settings.start.isoformat(), "weeks": settings.weeks, "seed": settings.seed,
                         "within_days": settings.within_days, "share": settings.share,
                         "tolerance_min": settings.tolerance_min, "patterns": list(settings.patterns)},
            "hold_service_share": round(built.service_share, 4),
            "visits_per_week": built.visits_per_week,
            "visit_cost_ntd": built.visit_cost_ntd,
            "p90_crates_per_day": round(built.p90_crates_per_day, 1),
            "template_cost_ntd": {
                d.isoformat(): p.summary.get("schedule", {}).get("cost_ntd")  # type: ignore[union-attr]
                for d, p in sorted(built.templates.items())
            },
            "notes": list(built.notes),
        }
        (tmp / "build.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(out)
