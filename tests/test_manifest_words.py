"""The printed words: zh-TW, English, or both with Chinese first."""

from __future__ import annotations

import datetime as dt

from bookvan.routing.manifest.words import LANGS, day_text, kind_word, node_name, word


def test_word_in_each_language() -> None:
    assert word("van", "zh-TW") == "車輛"
    assert word("van", "en") == "Van"
    assert word("van", "both") == "車輛 Van"
    assert word("van", "both", sep="\n") == "車輛\nVan"
    assert word("nothing", "both") == "—"  # the same word is not printed twice
    assert LANGS == ("zh-TW", "en", "both")


def test_day_text_names_the_weekday() -> None:
    d = dt.date(2026, 12, 1)  # a Tuesday
    assert day_text(d, "zh-TW") == "2026-12-01（週二）"
    assert day_text(d, "en") == "2026-12-01 (Tue)"
    assert day_text(d, "both") == "2026-12-01（週二 Tue）"


def test_kind_words_and_unknown_kinds() -> None:
    assert kind_word("hold", "both") == "預約/hold"
    assert kind_word("return", "zh-TW") == "歸還"
    assert kind_word("repair", "both") == "repair"


def test_node_name_falls_back_to_the_other_language() -> None:
    assert node_name("基隆市立圖書館", "Keelung Library", "both") == "基隆市立圖書館\nKeelung Library"
    assert node_name("", "Keelung Library", "zh-TW") == "Keelung Library"
    assert node_name("基隆", "", "en") == "基隆"
