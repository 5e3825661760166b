"""Read a CSV file into a table of columns with line numbers (not public API).

Decoding (UTF-8 with or without BOM), delimiter sniffing (or Excel's
``sep=;`` first line), header detection and row-length checks live here;
turning cells into features lives in ``features.py``. Every error names the
file, line and column (1-based).

The file is read as a stream, a chunk of rows at a time, and kept by column:
a column whose every cell is a number (or missing) becomes one float64 array
(NaN where missing) — 8 bytes a cell instead of a Python string of 50 or
more — and only text columns keep their cells as strings (each distinct one
stored once). Memory is then close to that of the arrays X and y.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import IO

import numpy as np

from glassnet.errors import ConfigError, DataError, expected
from glassnet.files.regular import MAX_CSV_BYTES, open_regular

DELIMITERS = (",", ";", "\t")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
_EXCEL_SEP = re.compile(r"^\ufeff?sep=(.)\r?\n?$")
_CELLS_PER_CHUNK = 1 << 14  # rows are converted to columns this many cells at a time
_NOT_INTEGER = frozenset(".eEiInN_")  # in a number's text: not written as an integer


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
            self.integer_text = not _NOT_INTEGER.intersection(written)
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


def sniff_delimiter(text: str) -> str:
    """Pick among , ; and tab the one that splits the first lines most evenly.

    Score = (share of rows having the most common field count, that count);
    a delimiter must give more than one field. Ties prefer , then ; then tab.
    """
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(r)
                for r in csv.reader(io.StringIO(sample), delimiter=delimiter)
                if r
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        score = (hits / len(counts), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _codec(encoding: str) -> str:
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return "utf-8-sig"  # also strips a leading byte-order mark
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(expected("a known text encoding", repr(encoding),
                                   "Pass e.g. encoding='utf-8'.")) from None
    return encoding


def _decode_error(f: IO[bytes], source: str, encoding: str) -> DataError:
    """The first undecodable byte, by line and column, read again line by line."""
    f.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    for line, raw in enumerate(f, start=1):
        try:
            decoder.decode(raw)
        except UnicodeDecodeError as error:
            byte = raw[error.start] if error.start < len(raw) else 0
            return DataError(
                f"{source}, line {line}, column {error.start + 1} (byte "
                f"{offset + error.start}): " + expected(
                    f"{error.encoding} text", f"the byte 0x{byte:02x}",
                    "Re-save the file as UTF-8, or pass the file's encoding, "
                    "e.g. encoding='latin-1'."))
        offset += len(raw)
    return DataError(f"{source}: " + expected(f"{encoding} text", "undecodable bytes",
                                              "Re-save the file as UTF-8."))


def _looks_like_header(first: list[str], table: Table) -> bool:
    """Documented rule: row 1 is a header when one of its cells is not a number
    but the rest of that column is, or when every cell of row 1 is a
    non-numeric text that appears nowhere else in its column."""
    if not table.n_rows:
        return not any(is_number(c) for c in first)
    texts = [not is_number(c) and not is_missing(c) for c in first]
    for j, text in enumerate(texts):
        c = table.columns[j]
        if text and c.numeric and not c.missing.all():
            return True
    return all(texts) and all(
        c.numeric or first[j] not in set(c.text) for j, c in
        enumerate(table.columns))


def read_table(
    path: str | os.PathLike,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str = "utf-8",
    text_columns: frozenset[str | int] = frozenset(),
    max_bytes: int | None = MAX_CSV_BYTES,
) -> Table:
    """Read ``path`` into a ``Table`` with checked, rectangular rows.

    ``text_columns`` (names or indices) keep their cells as text even when
    they hold numbers (one-hot columns: "02134" stays "02134"). The file must
    be a regular file of at most ``max_bytes`` bytes.
    """
    source = str(path)
    codec = _codec(encoding)
    if delimiter is not None and delimiter not in DELIMITERS and len(delimiter) != 1:
        raise ConfigError(expected("a one-character delimiter", repr(delimiter),
                                   "Pass delimiter=',' or ';' or '\\t'."))
    with open_regular(path, "CSV file", max_bytes, DataError) as (f, _):
        try:
            return _read(f, source, codec, delimiter, header, text_columns)
        except UnicodeDecodeError:
            raise _decode_error(f, source, codec) from None


def _head(f: IO[bytes], codec: str, n: int = 50) -> list[str]:
    """The first ``n`` lines of text (for sniffing), the file rewound after."""
    f.seek(0)
    stream = io.TextIOWrapper(f, encoding=codec, newline="")
    try:
        return [line for line in (stream.readline() for _ in range(n)) if line]
    finally:
        stream.detach()


def _read(f: IO[bytes], source: str, codec: str, delimiter: str | None,
          header: bool | None, text_columns: frozenset) -> Table:
    head = _head(f, codec)
    skip = 0
    excel = _EXCEL_SEP.match(head[0]) if head else None
    if excel and delimiter is None:          # Excel's "sep=;" first line
        delimiter, skip = excel.group(1), 1
    if delimiter is None:
        delimiter = sniff_delimiter("".join(head))
    rows = _rows(f, codec, source, delimiter, skip)
    first = next(rows, None)
    if first is None:
        raise DataError(f"{source}, line {1 + skip}: " + expected(
            "a header row and data rows", "an empty file",
            "Write the column names on line 1 and one example per line."))
    cells, line1 = first
    width = len(cells)
    guess = [c.strip() or f"col{j + 1}" for j, c in enumerate(cells)]
    keep = _indices(text_columns, guess, width)
    table, late = _collect(rows, source, width, line1, delimiter, keep)
    has_header = _looks_like_header(cells, table) if header is None else bool(header)
    if has_header:
        table.names = _header_names(cells, source, line1)
        table.header_line = line1
    else:
        table.names = [f"col{j + 1}" for j in range(width)]
        late |= _prepend(table, cells, line1)
        late |= {j for j in _indices(text_columns, [], width)
                 if table.columns[j].numeric}
    if not table.n_rows:
        raise DataError(f"{source}, line {line1 + 1}: " + expected(
            "at least one data row after the header", "none",
            "Add examples below the header (or pass header=False if line 1 is "
            "data)."))
    if late:  # columns that turned to text after their first chunk: read again
        again, _ = _collect(_rows(f, codec, source, delimiter,
                                  skip + int(has_header)),
                            source, width, line1, delimiter, frozenset(late),
                            only=frozenset(late))
        for j in late:
            table.columns[j] = again.columns[j]
    return table


def _rows(f: IO[bytes], codec: str, source: str, delimiter: str, skip: int = 0
          ) -> Iterator[tuple[list[str], int]]:
    """(row, line it starts on) for every non-blank row after the first
    ``skip`` of them, streamed from the start of the file."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding=codec, newline="")
    try:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise DataError(
                    f"{source}, line {start}: "
                    + expected(
                        "well-formed CSV",
                        f"a parse error ({error})",
                        "Check for an unclosed or stray quote character.",
                    )
                ) from None
            if row and any(cell.strip() for cell in row):
                if skip:
                    skip -= 1
                else:
                    yield row, start
            start = reader.line_num + 1
    finally:
        with suppress(ValueError):  # the file may be closed already
            text.detach()           # else the caller's file stays open


def _indices(keys: frozenset, names: list[str], width: int) -> frozenset[int]:
    """Column indices of ``keys`` (names found in ``names``, or indices)."""
    out = set()
    for k in keys:
        if isinstance(k, str):
            if k in names:
                out.add(names.index(k))
        elif isinstance(k, int | np.integer) and -width <= k < width:
            out.add(int(k) % width)
    return frozenset(out)


def _collect(rows: Iterator, source: str, width: int, line1: int, delimiter: str,
             keep: frozenset[int], only: frozenset[int] | None = None
             ) -> tuple[Table, set[int]]:
    """Every remaining row into columns, a chunk at a time; also the numeric
    columns that met text after their first chunk. With ``only``, just those
    columns are collected (the others are left empty)."""
    wanted = range(width) if only is None else sorted(only)
    builders = {j: _ColumnBuilder(j in keep) for j in wanted}
    lines: list[int] = []
    chunk: list[list[str]] = []
    size = max(64, _CELLS_PER_CHUNK // max(width, 1))
    sep = _NAMES.get(delimiter, repr(delimiter)) + "s"
    for row, line in rows:
        if len(row) != width:
            col = min(len(row), width)
            problem = expected(
                f"{width} fields separated by {sep} (as on line {line1})",
                f"{len(row)} fields",
                "Quote values that contain the delimiter, and fill or mark "
                "missing values (e.g. NA) instead of dropping fields.")
            raise DataError(f"{source}, line {line}, column {col + 1}: {problem}")
        chunk.append(row)
        lines.append(line)
        if len(chunk) == size:
            _add_chunk(builders, chunk)
            chunk = []
    if chunk:
        _add_chunk(builders, chunk)
    columns = [builders[j].finish() if j in builders else Column(text=[])
               for j in range(width)]
    late = {j for j, b in builders.items() if b.late}
    return Table(source, [], columns, np.asarray(lines, dtype=np.int64),
                 delimiter, 0), late


def _add_chunk(builders: dict[int, _ColumnBuilder], chunk: list[list[str]]) -> None:
    columns = list(zip(*chunk, strict=True))          # rows → columns, in C
    for j, builder in builders.items():
        builder.add(list(columns[j]))


def _prepend(table: Table, cells: list[str], line: int) -> set[int]:
    """Row 1 was data after all: put it first in every column; return the
    numeric columns it makes text (they are read again)."""
    late = set()
    table.lines = np.concatenate([[line], table.lines]).astype(np.int64)
    for j, (c, cell) in enumerate(zip(table.columns, cells, strict=True)):
        if c.text is not None:
            c.text.insert(0, cell)
            continue
        if not (is_missing(cell) or is_number(cell)):
            late.add(j)
            continue
        v = np.nan if is_missing(cell) else float(cell)
        c.values = np.concatenate([[v], c.values])
        c.missing = np.concatenate([[bool(is_missing(cell))], c.missing])
        c.raw = {i + 1: t for i, t in c.raw.items()}
        if not np.isfinite(v) and not is_missing(cell):
            c.raw[0] = cell
        if not is_missing(cell) and _NOT_INTEGER.intersection(cell):
            c.integer_text = False
    return late


def _header_names(first: list[str], source: str, line: int) -> list[str]:
    """Column names from the header row: stripped, unique, blanks named colJ."""
    names = [c.strip() or f"col{j + 1}" for j, c in enumerate(first)]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise DataError(f"{source}, line {line}, column {j + 1}: " + expected(
                "unique column names",
                f"{name!r} again (first in column {seen[name] + 1})",
                "Rename one of the two columns."))
        seen[name] = j
    return names
