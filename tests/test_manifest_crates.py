"""Crate ids: stable, unique, and parse back to the transfer and crate number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookvan.routing.manifest.crates import crate_id, crate_ids, parse_crate_id

_ID = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)


def test_crate_id_format_is_documented_one():
    assert crate_id("T0007", 2, 3) == "T0007-C02"
    assert crate_ids("T1", 3) == ("T1-C01", "T1-C02", "T1-C03")
    assert crate_id("T1", 7, 120) == "T1-C007"


@given(base=_ID, total=st.integers(1, 300))
def test_ids_unique_sortable_and_parse_back(base, total):
    ids = crate_ids(base, total)
    assert len(set(ids)) == total
    assert list(ids) == sorted(ids)  # zero padding keeps crate order in a sorted list
    for n, cid in enumerate(ids, start=1):
        assert parse_crate_id(cid) == (base, n)


@pytest.mark.parametrize("bad", ["T1", "T1-C", "-C01", "T1-Cxx"])
def test_parse_rejects_non_crate_ids(bad):
    with pytest.raises(ValueError):
        parse_crate_id(bad)


def test_crate_number_outside_range_is_an_error():
    with pytest.raises(ValueError):
        crate_id("T1", 0, 2)
    with pytest.raises(ValueError):
        crate_id("T1", 3, 2)
