"""The travel-time matrix of a network: every ordered pair of nodes, as a MATRIX_SCHEMA table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.travel.estimate import ESTIMATE_SOURCE, EstimateParams, estimate_arrays

__all__ = ["MATRIX_COLUMNS", "build_matrix", "matrix_frame", "validate_nodes"]

MATRIX_COLUMNS = ("from_id", "to_id", "distance_m", "duration_s", "source")
NODES_LABEL = "nodes table"


def validate_nodes(nodes: pd.DataFrame, *, label: str = NODES_LABEL) -> pd.DataFrame:
    """Check the ``node_id``, ``lat``, ``lon`` columns; return them clean (float coords, str ids).

    Raises
    ------
    InputError
        Missing column, empty/duplicate id, missing or out-of-range coordinate (row numbers
        are 1-based positions in ``nodes``).
    """
    missing = [c for c in ("node_id", "lat", "lon") if c not in nodes.columns]
    if missing:
        raise InputError.single(label, f"missing column(s): {', '.join(missing)}", row=0)
    col = ProblemCollector(label)
    ids = nodes["node_id"].astype("string")
    lat = pd.to_numeric(nodes["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(nodes["lon"], errors="coerce").to_numpy(dtype=float)
    seen: dict[str, int] = {}
    for i, nid in enumerate(ids, start=1):
        if pd.isna(nid) or not str(nid).strip():
            col.add("empty node id", row=i, field="node_id")
        elif nid in seen:
            col.add(f"duplicate node id '{nid}' (first on row {seen[nid]})", row=i, field="node_id")
        else:
            seen[str(nid)] = i
    for name, arr, lim in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        for i in np.flatnonzero(~(np.isfinite(arr) & (np.abs(arr) <= lim))):
            col.add(
                f"'{nodes[name].iloc[i]}' is not a coordinate in -{lim:g}..{lim:g}",
                row=int(i) + 1,
                field=name,
            )
    col.raise_if_any()
    return pd.DataFrame({"node_id": ids.astype(str).to_numpy(), "lat": lat, "lon": lon})


def matrix_frame(
    node_ids: list[str] | np.ndarray, dist: np.ndarray, dur: np.ndarray, source: str
) -> pd.DataFrame:
    """Long MATRIX_SCHEMA table (``from_id`` major, in node order) from n × n arrays."""
    ids = np.asarray(node_ids, dtype=object)
    n = len(ids)
    return pd.DataFrame(
        {
            "from_id": np.repeat(ids, n),
            "to_id": np.tile(ids, n),
            "distance_m": np.asarray(dist, dtype=float).ravel(),
            "duration_s": np.asarray(dur, dtype=float).ravel(),
            "source": np.full(n * n, source, dtype=object),
        }
    )


def build_matrix(
    nodes: pd.DataFrame,
    *,
    roads: Path | None = None,
    cache_dir: Path | None = None,
    profile: str = "van",
    params: EstimateParams | None = None,
) -> pd.DataFrame:
    """Distance and duration for every ordered pair of ``nodes`` (columns node_id, lat, lon).

    Without ``roads`` the estimate model (:mod:`bookvan.data.travel.estimate`) is used and every
    row says ``source = "estimate"``; its parameters are in ``attrs["estimate_params"]``.
    Includes ``i → i`` rows with 0 m / 0 s; two distinct nodes never get a 0 leg.

    Raises
    ------
    InputError
        Bad node table, or unreadable road file.
    """
    clean = validate_nodes(nodes)
    if roads is not None:
        raise InputError.single(
            roads, "road networks are not supported yet; omit --roads to use the estimate"
        )
    p = params or EstimateParams()
    dist, dur = estimate_arrays(clean["lat"].to_numpy(), clean["lon"].to_numpy(), p)
    out = matrix_frame(clean["node_id"].to_numpy(), dist, dur, ESTIMATE_SOURCE)
    out.attrs["estimate_params"] = p.as_dict()
    out.attrs["profile"] = profile
    return out
