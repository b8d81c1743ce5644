"""Checks of numeric command-line options: NaN, infinite and overflowing values are exit 2.

click's ranges let ``nan`` through (every comparison with NaN is false) and accept integers
larger than the solvers take (OR-Tools seeds are 32-bit), so these callbacks name the option
and its allowed range before any work starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import typer

from bookvan.data.hours import DAY_S

__all__ = [
    "MAX_DAYS",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "MAX_TIME_LIMIT_S",
    "positive_seconds",
    "quantile_between_0_and_1",
]

#: Largest seed: OR-Tools re-seeds with a signed 32-bit integer.
MAX_SEED = 2**31 - 1
#: ``scenario run`` overrides: the limits of a scenario file's ``[simulation]`` (scenarios.spec
#: holds the same numbers; a test keeps them equal, and importing it here would load pandas).
MAX_DAYS = 3660
MAX_REPLICATIONS = 1000
#: Longest search: a day.
MAX_TIME_LIMIT_S = float(DAY_S)


def _finite_between(lo: float, hi: float, *, what: str) -> Callable[[float | None], float | None]:
    def check(value: float | None) -> float | None:
        if value is None:
            return value
        if not math.isfinite(value) or not lo < value <= hi:
            raise typer.BadParameter(f"{value!r} is not {what}: use a number above {lo:g} and at most {hi:g}")
        return value

    return check


#: ``--time-limit``: a finite number of seconds, more than 0, at most a day.
positive_seconds = _finite_between(0.0, MAX_TIME_LIMIT_S, what="a time limit in seconds")


def quantile_between_0_and_1(value: float) -> float:
    """``--quantile``: strictly between 0 and 1."""
    if not math.isfinite(value) or not 0.0 < value < 1.0:
        raise typer.BadParameter(f"{value!r} is not a quantile: use a number strictly between 0 and 1")
    return value
