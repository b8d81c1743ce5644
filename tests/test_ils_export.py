"""The ILS column-mapping file and header renaming shared by the history and item readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookvan.data.errors import InputError
from bookvan.data.ils_export import REASON_KIND, read_column_map, renamed


def test_mapping_tables_are_read_with_keys_lower_cased(tmp_path: Path) -> None:
    f = tmp_path / "map.toml"
    f.write_text('[columns]\n" FromBranch " = "origin"\n[kinds]\nReserve = " hold "\n', encoding="utf-8")
    got = read_column_map(f, ("columns", "kinds", "event_types"))
    assert got == {"columns": {"frombranch": "origin"}, "kinds": {"reserve": "hold"}, "event_types": {}}


def test_no_file_maps_nothing() -> None:
    assert read_column_map(None) == {"columns": {}}


def test_a_table_of_non_strings_names_the_file_and_table(tmp_path: Path) -> None:
    f = tmp_path / "map.toml"
    f.write_text("[columns]\nbranch = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[columns\] must map names to names") as e:
        read_column_map(f)
    assert str(f) in str(e.value)


def test_renamed_prefers_the_mapping_file_then_the_aliases() -> None:
    header = ["FromBranch", "tobranch", "Barcode", "extra"]
    aliases = {"frombranch": "origin", "tobranch": "destination"}
    assert renamed(header, aliases, {"frombranch": "source"}) == ["source", "destination", "barcode", "extra"]


def test_koha_reasons_map_to_transfer_kinds() -> None:
    assert REASON_KIND["reserve"] == "hold" and REASON_KIND["return"] == "return"
    assert set(REASON_KIND.values()) <= {"hold", "return", "rotation", "balance"}
