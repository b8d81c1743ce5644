"""One crates rule for one transfer and for many: ceil(items / per crate), none for no items."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookvan.data.crates import crates_for


@pytest.mark.parametrize(("items", "per", "crates"), [(0, 30, 0), (1, 30, 1), (30, 30, 1), (31, 30, 2)])
def test_hand_worked(items: int, per: int, crates: int) -> None:
    assert crates_for(items, per) == crates


@given(st.lists(st.integers(0, 10_000), max_size=20), st.integers(1, 100))
def test_arrays_agree_with_single_transfers_and_fit(items: list[int], per: int) -> None:
    many = crates_for(np.array(items, dtype="int64"), per)
    assert many.dtype == np.int64
    assert list(many) == [crates_for(i, per) for i in items]
    for i, c in zip(items, many, strict=True):
        assert c * per >= i > (c - 1) * per or (i == 0 and c == 0)  # enough, and no spare crate


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="items_per_crate"):
        crates_for(3, 0)
    with pytest.raises(ValueError, match="≥ 0"):
        crates_for(-1, 30)
    with pytest.raises(ValueError, match="≥ 0"):
        crates_for(np.array([1, -2]), 30)
