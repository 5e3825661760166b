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

from glassnet.data._table import Table, is_missing
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
    c = table.columns[j]
    if not c.numeric:
        raise _not_a_number(table, j, hint, fill)
    infinite = min((i for i in c.raw if not c.missing[i]), default=None)
    hole = int(np.argmax(c.missing)) if fill is None and c.missing.any() else None
    if infinite is not None and (hole is None or infinite < hole):
        raise CellError(infinite, j, expected("a finite number",
                                              repr(c.raw[infinite]),
                                              "Replace the infinite value."))
    if hole is not None:
        raise CellError(hole, j, expected(
            "a value", f"a missing one ({c.raw.get(hole, '')!r})",
            "Fill the cell, or pass missing='drop', 'mean', 'median' or "
            "'most_frequent' when loading the training data."))
    values = c.values
    if c.missing.any():
        values = np.where(c.missing, float(fill), values)
    return values


def _not_a_number(table: Table, j: int, hint: str, fill) -> CellError:
    """The first cell of a text column that is neither a number nor missing
    (nor missing without a ``fill``)."""
    for i, cell in enumerate(table.columns[j].text):
        try:
            float(cell)
            continue
        except ValueError:
            if is_missing(cell):
                if fill is None:
                    return CellError(i, j, expected(
                        "a value", f"a missing one ({cell!r})",
                        "Fill the cell, or pass missing='drop', 'mean', 'median' "
                        "or 'most_frequent' when loading the training data."))
                continue
        if _DECIMAL_COMMA.match(cell):
            hint = "Write decimals with a point (1.5, not 1,5)"
        return CellError(i, j, expected("a number", repr(cell), hint + "."))
    raise AssertionError("a text column holds a cell that is not a number")


def category_column(
    table: Table,
    j: int,
    categories: list[str],
    fill: float | str | None,
    what: str = "a category",
    unknown: str = "error",
) -> np.ndarray:
    """Column ``j`` as indices into ``categories`` (missing -> ``fill``); with
    ``unknown="ignore"`` a category not in the list gives -1."""
    lookup = {c: k for k, c in enumerate(categories)}
    cells = table.cells(j)
    codes = np.empty(len(cells), dtype=np.int64)
    for i, raw in enumerate(cells):
        cell = raw.strip()
        if is_missing(cell):
            if fill is None:
                raise CellError(
                    i,
                    j,
                    expected(
                        "a value",
                        f"a missing one ({raw!r})",
                        "Fill the cell, or load with missing='most_frequent'.",
                    ),
                )
            cell = str(fill)
        key = canonical_class(cell) if what == "a class" else cell
        if key not in lookup:
            if unknown == "ignore":
                codes[i] = -1
                continue
            shown = categories if len(categories) <= 12 else categories[:12] + ["..."]
            raise CellError(
                i,
                j,
                expected(
                    f"{what} seen in training, one of {shown}",
                    repr(raw),
                    "Use a known value, or retrain with data that contains it"
                    + (" (glassnet predict: --unknown ignore)." if what ==
                       "a category" else "."),
                ),
            )
        codes[i] = lookup[key]
    return codes


def is_float(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False
