"""The few words printed on manifests, labels and the overview, in zh-TW and English.

``--lang both`` prints Chinese first with English beside it, as bilingual signs in Taiwan do.
"""

from __future__ import annotations

__all__ = ["LANGS", "day_text", "kind_word", "node_name", "word"]

LANGS = ("zh-TW", "en", "both")

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("司機派送單", "Driver manifest"),
    "date": ("日期", "Date"),
    "van": ("車輛", "Van"),
    "trip": ("趟次", "Trip"),
    "departure": ("出發", "Departure"),
    "back": ("返回", "Back at depot"),
    "crates": ("箱數", "Crates"),
    "distance": ("里程", "Distance"),
    "driving": ("行車時間", "Driving time"),
    "driver": ("司機姓名", "Driver name"),
    "odo_out": ("里程表（出發）", "Odometer out"),
    "odo_in": ("里程表（返回）", "Odometer in"),
    "replan_from": ("重新規劃，自", "Re-plan from"),
    "rest_of_day": ("只列尚未完成的站點", "only the stops still to do"),
    "no": ("序", "No."),
    "arrival": ("預計到達 / 開放時間", "Arrival / open"),
    "stop": ("站點 / 地址", "Stop / address"),
    "unload": ("卸貨", "Unload"),
    "load": ("裝貨", "Load"),
    "done": ("完成", "Done"),
    "sign": ("簽收", "Signature"),
    "page": ("第 {x} 頁，共 {y} 頁", "page {x} of {y}"),
    "plan": ("計畫", "plan"),
    "break": ("休息", "break"),
    "closed": ("休館", "closed"),
    "wait": ("等候開門", "wait until"),
    "on_board": ("車上", "on board"),
    "loaded": ("裝", "loaded"),
    "unloaded": ("卸", "unloaded"),
    "via": ("經分揀", "via sorting"),
    "map": ("路線圖", "Route map"),
    "straight": ("直線示意，非實際道路", "straight lines, not roads"),
    "road": ("道路路線", "road geometry"),
    "crate": ("箱", "crate"),
    "nothing": ("—", "—"),
    "unassigned": ("未排入的調撥", "Unassigned transfers"),
    "overview": ("當日總覽", "Day overview"),
    "runs": ("趟數", "Runs"),
    "stops": ("停靠", "Stops"),
    "transfers": ("調撥", "Transfers"),
    "vans": ("車輛數", "Vans"),
    "transfer": ("調撥單", "transfer"),
    "route": ("起 → 訖", "from → to"),
    "kind": ("類別", "kind"),
    "reason": ("原因", "reason"),
    "files": ("檔案", "files"),
    "planned": ("已排入", "planned"),
    "left": ("未排入", "unassigned"),
    "solver": ("求解器", "solver"),
    "not_used": ("今日未出車", "not used today"),
    "timeline": ("時間軸：停靠、開放時間與休息", "Timeline: stops, opening hours and breaks"),
}

_KINDS: dict[str, tuple[str, str]] = {
    "hold": ("預約", "hold"),
    "return": ("歸還", "return"),
    "rotation": ("輪調", "rotation"),
    "balance": ("調撥", "balance"),
}


def _pick(pair: tuple[str, str], lang: str, sep: str = " ") -> str:
    zh, en = pair
    if lang == "zh-TW":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh}{sep}{en}"


_WEEKDAYS = (
    ("一", "Mon"),
    ("二", "Tue"),
    ("三", "Wed"),
    ("四", "Thu"),
    ("五", "Fri"),
    ("六", "Sat"),
    ("日", "Sun"),
)


def day_text(date: object, lang: str) -> str:
    """``2026-12-01（週二）`` / ``2026-12-01 (Tue)`` for headers."""
    zh, en = _WEEKDAYS[date.weekday()]  # type: ignore[attr-defined]
    if lang == "both":
        return f"{date:%Y-%m-%d}（週{zh} {en}）"
    return _pick((f"{date:%Y-%m-%d}（週{zh}）", f"{date:%Y-%m-%d} ({en})"), lang)


def word(key: str, lang: str, sep: str = " ") -> str:
    """The printed word for ``key`` in ``lang`` (zh-TW, en or both)."""
    return _pick(_WORDS[key], lang, sep)


def kind_word(kind: str, lang: str) -> str:
    """Transfer kind (hold/return/…) as printed; unknown kinds print as they are."""
    return _pick(_KINDS.get(kind, (kind, kind)), lang, "/")


def node_name(name_zh: str, name_en: str, lang: str, sep: str = "\n") -> str:
    """A node's name: Chinese, English, or Chinese with English beneath (``sep``)."""
    return _pick((name_zh or name_en, name_en or name_zh), lang, sep)
