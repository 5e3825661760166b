"""The cells of a CSV file, by column (not public API).

A column whose every cell is a number (or missing) is one float64 array,
NaN where a cell is missing: 8 bytes a cell instead of a Python string of
50 or more. Only a column that holds text keeps its cells as strings (each
distinct string stored once). ``_csvread`` fills these from the file a chunk
of rows at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet.errors import ConfigError, DataError, expected

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
NOT_INTEGER = frozenset(".eEiInN_")  # in a number's text: not written as an integer


@dataclass
class Column:
    """The cells of one column: numbers, or text.

    A numeric column holds ``values`` (float64, NaN where a cell is missing),
    ``missing`` (True there), ``integer_text`` (every present cell written as
    an integer, e.g. "3" but not "3.0") and ``raw`` (the text of the cells
    that are not finite numbers and of the first missing cell of each chunk,
    by row, for error messages). A text column holds
    ``text``, one string per row, exactly as in the file.
    """

    values: np.ndarray | None = None
    missing: np.ndarray | None = None
    integer_text: bool = True
    raw: dict[int, str] = field(default_factory=dict)
    text: list[str] | None = None

    @property
    def numeric(self) -> bool:
        return self.values is not None

    def take(self, rows: np.ndarray) -> Column:
        if self.values is None:
            return Column(text=[self.text[i] for i in rows])
        index = {int(i): k for k, i in enumerate(rows)}
        return Column(self.values[rows], self.missing[rows], self.integer_text,
                      {index[i]: t for i, t in self.raw.items() if i in index})


@dataclass
class Table:
    """A CSV file's columns, each row with the line it started on."""

    source: str
    names: list[str]
    columns: list[Column]
    lines: np.ndarray  # (n,) int64
    delimiter: str
    header_line: int  # 0 when the file has no header row

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def where(self, row: int | None = None, col: int | None = None) -> str:
        """'file, line L, column C ('name')' for error messages."""
        parts = [self.source]
        if row is not None:
            parts.append(f"line {int(self.lines[row])}")
        elif self.header_line:
            parts.append(f"line {self.header_line}")
        if col is not None:
            parts.append(f"column {col + 1} ({self.names[col]!r})")
        return ", ".join(parts)

    def column(self, key: str | int, what: str) -> int:
        """The index of the column given by name or (negative) position."""
        width = len(self.names)
        if isinstance(key, bool) or not isinstance(key, str | int | np.integer):
            raise ConfigError(expected(f"{what} as a column name or index", repr(key),
                                       f"Pass e.g. {what}='label' or {what}=-1."))
        if isinstance(key, str):
            if key not in self.names:
                fix = "Check the spelling (names are case-sensitive)." \
                    if self.header_line else \
                    "The file has no header row; pass the column index instead."
                raise DataError(f"{self.where()}: " + expected(
                    f"{what} to be one of the columns {self.names}", repr(key), fix))
            return self.names.index(key)
        if not -width <= key < width:
            raise DataError(f"{self.where()}: " + expected(
                f"{what} index in [{-width}, {width - 1}]", key,
                f"The file has {width} columns."))
        return int(key) % width

    def cells(self, j: int) -> list[str]:
        """Column j as text: the cells of a text column; for a numeric column,
        each number written the way class names are ('2', '7.5'), '' where
        missing, and the file's text where it is not finite."""
        c = self.columns[j]
        if c.text is not None:
            return c.text
        out = ["" if m else _number_text(v) for v, m in zip(c.values.tolist(),
                                                             c.missing.tolist(),
                                                             strict=True)]
        for i, text in c.raw.items():
            out[i] = text
        return out

    def take(self, rows) -> Table:
        """The table with only ``rows`` (indices, in order)."""
        rows = np.asarray(rows, dtype=np.int64)
        return Table(self.source, self.names, [c.take(rows) for c in self.columns],
                     self.lines[rows], self.delimiter, self.header_line)

    @classmethod
    def from_rows(cls, source: str, names: list[str], rows: list[list[str]],
                  lines: list[int], delimiter: str = ",", header_line: int = 0,
                  text_columns: frozenset[int] = frozenset()) -> Table:
        """A table from rows of cells already in memory (e.g. typed by a user)."""
        builders = [_ColumnBuilder(j in text_columns) for j in range(len(names))]
        if rows:
            for j, cells in enumerate(zip(*rows, strict=True)):
                builders[j].add(list(cells))
        return cls(source, names, [b.finish() for b in builders],
                   np.asarray(lines, dtype=np.int64), delimiter, header_line)


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_TOKENS


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v)


class _ColumnBuilder:
    """Collects a column chunk by chunk: numbers while every cell is one (or
    missing); text from the first cell that is neither, if ``text`` is not
    already set. ``late`` is the row at which a numeric column turned to text
    (its earlier cells are then read again, see ``read_table``)."""

    def __init__(self, text: bool = False):
        self.parts: list[np.ndarray] = []
        self.text: list[str] | None = [] if text else None
        self.integer_text = True
        self.raw: dict[int, str] = {}
        self.rows = 0
        self.late: int | None = None
        self._intern: dict[str, str] = {}

    def add(self, cells: list[str]) -> None:
        if self.text is None and not self._add_numbers(cells):
            self.text = []
            self.late = self.rows if self.rows else None
            self.parts = []
        if self.text is not None:
            intern = self._intern
            self.text += [intern.setdefault(c, c) for c in cells]
        self.rows += len(cells)

    def _add_numbers(self, cells: list[str]) -> bool:
        """Convert a chunk of cells to float64; False if one is not a number."""
        try:
            values = np.asarray(cells, dtype=np.float64)
        except ValueError:
            values = np.empty(len(cells))
            for i, cell in enumerate(cells):
                try:
                    values[i] = float(cell)
                except ValueError:
                    if not is_missing(cell):
                        return False
                    values[i] = np.nan
        bad = set(np.flatnonzero(~np.isfinite(values)).tolist())
        first_missing = True
        for i in sorted(bad):   # not finite: keep the text (of one missing a chunk)
            if not is_missing(cells[i]) or first_missing:
                self.raw[self.rows + i] = cells[i]
                first_missing = first_missing and not is_missing(cells[i])
        if self.integer_text:
            written = "".join(c for i, c in enumerate(cells) if i not in bad) \
                if bad else "".join(cells)
            self.integer_text = not NOT_INTEGER.intersection(written)
        self.parts.append(values)
        return True

    def finish(self) -> Column:
        if self.text is not None:
            return Column(text=self.text)
        values = np.concatenate(self.parts) if self.parts else np.empty(0)
        missing = np.isnan(values)
        for i, text in self.raw.items():  # a number that is not finite is not missing
            missing[i] = is_missing(text)
        return Column(values, missing, self.integer_text, self.raw)
