"""Reading the tidy tables that analyses return into the arrays a figure draws; no statistics here."""

from __future__ import annotations

import numpy as np
import pandas as pd


def require_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    """Fail with the missing column names when ``table`` is not the kind of table a figure draws."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} needs a table with columns {columns}; missing {missing}")
    if table.empty:
        raise ValueError(f"{what} was given an empty table; there is nothing to draw")


def wide(table: pd.DataFrame, rows: str, columns: str, values: list[str]) -> tuple[list, list, list[np.ndarray]]:
    """Pivot ``values`` to (rows × columns) arrays, keeping both orders as they first appear in ``table``."""
    keyed = table.assign(**{c: table[c].astype(object).where(table[c].notna(), None) for c in (rows, columns)})
    repeated = keyed.duplicated([rows, columns])
    if repeated.any():
        example = keyed.loc[repeated, [rows, columns]].iloc[0].tolist()
        raise ValueError(f"the table has several rows for {rows}, {columns} = {example}: it is grouped by more "
                         f"columns than {columns!r}; filter it to one value of the others, or group by {columns!r} alone")
    row_keys = list(dict.fromkeys(keyed[rows]))
    col_keys = list(dict.fromkeys(keyed[columns]))
    i = pd.Index(row_keys, dtype=object).get_indexer(keyed[rows])
    j = pd.Index(col_keys, dtype=object).get_indexer(keyed[columns])
    arrays = []
    for value in values:
        array = np.full((len(row_keys), len(col_keys)), np.nan)
        array[i, j] = pd.to_numeric(keyed[value], errors="coerce").to_numpy(float)
        arrays.append(array)
    if not np.isfinite(arrays[0]).any():
        raise ValueError(f"no {values[0]!r} in the table is a number; there is nothing to draw")
    return row_keys, col_keys, arrays
