"""Arrow schemas of the tables that travel between stages, and one Parquet writer for them.

These schemas are the columns of the plan folder's tables, a public contract
(``../shared/contracts.md``): columns are only ever added, never renamed. Which tables make a
plan folder, and its reader and writer, are :mod:`bookvan.data.planfolder`'s. Timestamps are
tz-aware, Asia/Taipei.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bookvan.data.atomic import atomic_file

__all__ = [
    "CRATES_SCHEMA",
    "ITEMS_SCHEMA",
    "MATRIX_SCHEMA",
    "NODES_SCHEMA",
    "STOPS_SCHEMA",
    "TRANSFERS_SCHEMA",
    "TRANSFER_KINDS",
    "TZ",
    "VEHICLES_SCHEMA",
    "read_table",
    "write_table",
]

TZ = "Asia/Taipei"
_TS = pa.timestamp("s", tz=TZ)
TRANSFER_KINDS = ("hold", "return", "rotation", "balance")

NODES_SCHEMA = pa.schema([
    ("node_id", pa.string()),
    ("name_zh", pa.string()),
    ("name_en", pa.string()),
    ("kind", pa.string()),
    ("lat", pa.float64()),
    ("lon", pa.float64()),
    ("opens", _TS),
    ("closes", _TS),
    ("service_s", pa.int64()),
    # additions beyond the contract
    ("service_per_crate_s", pa.int64()),
    ("address", pa.string()),
    ("coord_approx", pa.bool_()),
    ("closed_reason", pa.string()),
])

VEHICLES_SCHEMA = pa.schema([
    ("vehicle_id", pa.string()),
    ("depot_id", pa.string()),
    ("capacity_crates", pa.int64()),
    ("shift_start", _TS),
    ("shift_end", _TS),
    # additions
    ("break_earliest", _TS),
    ("break_latest", _TS),
    ("break_s", pa.int64()),
    ("max_trips", pa.int64()),
])

TRANSFERS_SCHEMA = pa.schema([
    ("transfer_id", pa.string()),
    ("origin_id", pa.string()),
    ("destination_id", pa.string()),
    ("items", pa.int64()),
    ("crates", pa.int64()),
    ("kind", pa.string()),
    ("release", _TS),
    ("due", _TS),
    ("leg_of", pa.string()),
    ("leg", pa.int64()),
    # addition: a transfer larger than any van is split into parts of the original id
    ("part_of", pa.string()),
])

# addition: the items of an item-level transfer list, one row each; ``transfer_id`` is the
# grouped transfer (split parts and hub legs name it in ``part_of`` / ``leg_of``), ``crate_no``
# the crate of that transfer it is packed in (items_per_crate to a crate, in list order)
ITEMS_SCHEMA = pa.schema([
    ("transfer_id", pa.string()),
    ("item_id", pa.string()),
    ("title", pa.string()),
    ("origin_id", pa.string()),
    ("destination_id", pa.string()),
    ("kind", pa.string()),
    ("release", _TS),
    ("due", _TS),
    ("source_row", pa.int64()),
    ("crate_no", pa.int64()),
])

MATRIX_SCHEMA = pa.schema([
    ("from_id", pa.string()),
    ("to_id", pa.string()),
    ("distance_m", pa.float64()),
    ("duration_s", pa.float64()),
    ("source", pa.string()),
])

STOPS_SCHEMA = pa.schema([
    ("vehicle_id", pa.string()),
    ("trip", pa.int64()),
    ("seq", pa.int64()),
    ("node_id", pa.string()),
    ("arrival", _TS),
    ("departure", _TS),
    ("load_after", pa.int64()),
    ("pickup_ids", pa.list_(pa.string())),
    ("delivery_ids", pa.list_(pa.string())),
    # additions: when service starts (after waiting for opening), and the driver's break
    # taken after arriving here (on the stop or on the next leg): its length and start
    ("service_start", _TS),
    ("break_s", pa.int64()),
    ("break_start", _TS),
    # addition (bookvan replan): true for a stop already driven before the re-plan's time
    ("driven", pa.bool_()),
])


#: Optional ``crates.parquet`` (an addition to the plan folder): one row per physical crate,
#: items between the same two stops on the same run packed together (``routing.manifest.crates``).
CRATES_SCHEMA = pa.schema([
    ("crate_id", pa.string()),
    ("vehicle_id", pa.string()),
    ("trip", pa.int64()),
    ("group", pa.int64()),
    ("crate_no", pa.int64()),
    ("crates_in_group", pa.int64()),
    ("origin_id", pa.string()),
    ("destination_id", pa.string()),
    ("items", pa.int64()),
    ("transfer_ids", pa.list_(pa.string())),
    ("transfer_items", pa.list_(pa.int64())),
])


def write_table(df: pd.DataFrame, schema: pa.Schema, path: str | Path) -> None:
    """Write ``df`` as Parquet with ``schema`` (missing optional columns become nulls), atomically."""
    cols = {}
    for f in schema:
        if f.name in df.columns:
            cols[f.name] = pa.array(df[f.name].tolist(), type=f.type, from_pandas=True)
        else:
            cols[f.name] = pa.nulls(len(df), type=f.type)
    table = pa.table(cols, schema=schema)
    with atomic_file(path, "wb") as fh:
        pq.write_table(table, fh)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a Parquet table into pandas, keeping tz-aware timestamps."""
    return pq.read_table(path).to_pandas()
