"""The cells of a CSV table as numbers (not public API).

A numeric cell becomes a float64, a categorical one the index of its
category; a missing cell takes the column's fill value. A bad cell raises
``CellError(row, col, message)``, and the caller reports the earliest one in
the file with its line and column.
"""

from __future__ import annotations

import math
import re

import numpy as np

from glassnet.data._csvread import Table, is_missing
from glassnet.errors import expected

_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")


class CellError(Exception):
    """A problem at (row, col); the earliest one in the file is reported."""

    def __init__(self, row: int, col: int, message: str):
        super().__init__(message)
        self.row, self.col, self.message = row, col, message


def canonical_class(cell: str) -> str:
    """Class names: text stripped; numbers written the same way ("01" -> "1")."""
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else str(value)


_NOT_A_NUMBER = (
    "Fix the cell, or pass one_hot=[the column name] (or one_hot=True) "
    "to treat the column as categories"
)


NOT_A_TARGET = (
    "A regression target must be numeric; pass task='classification' for classes"
)


def numeric_column(
    table: Table, j: int, fill: float | str | None, hint: str = _NOT_A_NUMBER
) -> np.ndarray:
    """Column ``j`` as float64; missing cells take ``fill`` or raise CellError."""
    cells = [row[j] for row in table.rows]
    try:
        values = np.asarray(cells, dtype=np.float64)
        if np.isfinite(values).all():
            return values
    except ValueError:
        pass
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            v = float(cell)
        except ValueError:
            v = math.nan
            if not is_missing(cell):
                if _DECIMAL_COMMA.match(cell):
                    hint = "Write decimals with a point (1.5, not 1,5)"
                message = expected("a number", repr(cell), hint + ".")
                raise CellError(i, j, message) from None
        if math.isnan(v) or is_missing(cell):
            if fill is None:
                raise CellError(
                    i,
                    j,
                    expected(
                        "a value",
                        f"a missing one ({cell!r})",
                        "Fill the cell, or pass missing='drop', 'mean', 'median' or "
                        "'most_frequent' when loading the training data.",
                    ),
                )
            v = float(fill)
        elif not math.isfinite(v):
            raise CellError(
                i,
                j,
                expected("a finite number", repr(cell), "Replace the infinite value."),
            )
        values[i] = v
    return values


def category_column(
    table: Table,
    j: int,
    categories: list[str],
    fill: float | str | None,
    what: str = "a category",
) -> np.ndarray:
    """Column ``j`` as indices into ``categories`` (missing -> ``fill``)."""
    lookup = {c: k for k, c in enumerate(categories)}
    codes = np.empty(len(table.rows), dtype=np.int64)
    for i, row in enumerate(table.rows):
        cell = row[j].strip()
        if is_missing(cell):
            if fill is None:
                raise CellError(
                    i,
                    j,
                    expected(
                        "a value",
                        f"a missing one ({row[j]!r})",
                        "Fill the cell, or load with missing='most_frequent'.",
                    ),
                )
            cell = str(fill)
        key = canonical_class(cell) if what == "a class" else cell
        if key not in lookup:
            shown = categories if len(categories) <= 12 else categories[:12] + ["..."]
            raise CellError(
                i,
                j,
                expected(
                    f"{what} seen in training, one of {shown}",
                    repr(row[j]),
                    "Use a known value, or retrain with data that contains it.",
                ),
            )
        codes[i] = lookup[key]
    return codes


def is_float(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False
