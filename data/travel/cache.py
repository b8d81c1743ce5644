"""On-disk cache of road graphs and travel-time matrices, keyed by content hash.

A key is the sha256 of everything the result depends on: the extract's bytes, the node
coordinates (for matrices), the profile parameters and :data:`CACHE_VERSION` (bumped when the
algorithm changes). Files are written atomically and only after a successful computation, so
a crash or a bad input never leaves a cache entry behind; an unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bookvan.data.atomic import atomic_file
from bookvan.data.tables import MATRIX_SCHEMA

__all__ = [
    "CACHE_VERSION",
    "CacheWarning",
    "default_cache_dir",
    "digest",
    "file_sha256",
    "read_graph_arrays",
    "read_matrix",
    "write_graph_arrays",
    "write_matrix",
]

CACHE_VERSION = 2
_META_KEY = b"bookvan.matrix"


def default_cache_dir() -> Path:
    """``$BOOKVAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/bookvan``, else ``~/.cache/bookvan``."""
    if os.environ.get("BOOKVAN_CACHE_DIR"):
        return Path(os.environ["BOOKVAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bookvan"


def file_sha256(path: Path, *, block: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def digest(*parts: object) -> str:
    """Hex sha256 of JSON-encoded parts (numpy arrays by their bytes)."""
    h = hashlib.sha256(f"bookvan-cache-v{CACHE_VERSION}".encode())
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(str(p.dtype).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        else:
            h.update(json.dumps(p, sort_keys=True, default=str).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _matrix_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / f"matrix-{key}.parquet"


def read_matrix(cache_dir: Path, key: str) -> pd.DataFrame | None:
    """The cached matrix of ``key`` with its metadata in ``attrs``, or None."""
    path = _matrix_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    except (OSError, pa.ArrowException, ValueError):
        return None
    df = table.to_pandas()
    df.attrs.update(meta)
    return df


def write_matrix(cache_dir: Path, key: str, df: pd.DataFrame) -> Path | None:
    """Write ``df`` (MATRIX_SCHEMA columns) and its JSON-able ``attrs`` atomically.

    A cache that cannot be written (read-only home, full disk) warns and returns None: the
    matrix is still good, only the next run will be slower.
    """
    table = pa.Table.from_pandas(
        df[list(MATRIX_SCHEMA.names)], schema=MATRIX_SCHEMA, preserve_index=False
    )
    table = table.replace_schema_metadata({_META_KEY: json.dumps(df.attrs, default=str).encode()})
    path = _matrix_path(cache_dir, key)
    try:
        with atomic_file(path, "wb") as fh:
            pq.write_table(table, fh)
    except OSError as e:
        _warn_unwritable(cache_dir, e)
        return None
    return path


def _graph_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / f"graph-{key}.npz"


def read_graph_arrays(cache_dir: Path, key: str) -> dict[str, np.ndarray] | None:
    """Arrays of a cached road graph, or None."""
    path = _graph_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError):
        return None


def write_graph_arrays(cache_dir: Path, key: str, arrays: dict[str, np.ndarray]) -> Path | None:
    """Write a road graph's arrays atomically (warn and return None if the cache is unwritable)."""
    path = _graph_path(cache_dir, key)
    try:
        with atomic_file(path, "wb") as fh:
            np.savez(fh, **arrays)
    except OSError as e:
        _warn_unwritable(cache_dir, e)
        return None
    return path


class CacheWarning(UserWarning):
    """The travel-time cache could not be written; results are fine, just not kept."""


def _warn_unwritable(cache_dir: Path, e: OSError) -> None:
    warnings.warn(
        f"travel-time cache {cache_dir} not written ({e.strerror or e}); "
        "set BOOKVAN_CACHE_DIR or --cache-dir to a writable folder",
        CacheWarning,
        stacklevel=3,
    )
