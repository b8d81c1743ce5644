"""Crates needed for a number of items: the one rule, for one transfer or many at once."""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

__all__ = ["crates_for"]


@overload
def crates_for(items: int, items_per_crate: int) -> int: ...
@overload
def crates_for(items: npt.ArrayLike, items_per_crate: int) -> np.ndarray: ...


def crates_for(items: int | npt.ArrayLike, items_per_crate: int) -> int | np.ndarray:
    """Whole crates for ``items``: a partly filled crate is still a crate, no items no crate.

    So 1 … ``items_per_crate`` items take one crate, one more takes two, and 0 take none (a
    transfer always has at least one item, so it always has at least one crate).

    Raises
    ------
    ValueError
        ``items_per_crate`` below 1, or a negative number of items.
    """
    if items_per_crate < 1:
        raise ValueError(f"items_per_crate must be at least 1, got {items_per_crate}")
    if isinstance(items, (int, np.integer)) and not isinstance(items, bool):
        if items < 0:
            raise ValueError(f"items must be ≥ 0, got {items}")
        return -(-int(items) // items_per_crate)
    arr = np.asarray(items, dtype=float)
    if (arr < 0).any():
        raise ValueError("items must be ≥ 0")
    return np.ceil(arr / items_per_crate).astype("int64")
