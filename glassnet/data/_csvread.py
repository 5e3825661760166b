"""Read a CSV file into a table of columns with line numbers (not public API).

Decoding (UTF-8 with or without BOM), delimiter sniffing (or Excel's
``sep=;`` first line) and the stream of rows live in ``_csvrows.py``;
header detection and row-length checks live here; turning cells into
features lives in ``features.py``. Every error names the file, line and
column (1-based).

The file is read as a stream, a chunk of rows at a time, and kept by column:
a column whose every cell is a number (or missing) becomes one float64 array
(NaN where missing) — 8 bytes a cell instead of a Python string of 50 or
more — and only text columns keep their cells as strings (each distinct one
stored once). Memory is then close to that of the arrays X and y.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import IO

import numpy as np

from glassnet.data._csvrows import (  # noqa: F401 - sniff_delimiter re-exported
    _EXCEL_SEP,
    _NAMES,
    DELIMITERS,
    _codec,
    _decode_error,
    _head,
    _rows,
    sniff_delimiter,
)
from glassnet.data._table import (
    NOT_INTEGER,
    Column,
    Table,
    _ColumnBuilder,
    is_missing,
    is_number,
)
from glassnet.errors import ConfigError, DataError, expected
from glassnet.files.regular import MAX_CSV_BYTES, open_regular

_CELLS_PER_CHUNK = 1 << 14  # rows are converted to columns this many cells at a time


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
    raw: bytes | None = None,
) -> Table:
    """Read ``path`` into a ``Table`` with checked, rectangular rows.

    ``text_columns`` (names or indices) keep their cells as text even when
    they hold numbers (one-hot columns: "02134" stays "02134"). The file must
    be a regular file of at most ``max_bytes`` bytes. With ``raw`` those bytes
    are parsed instead of a file, and ``path`` only names the source in
    messages (an upload, say).
    """
    source = str(path)
    codec = _codec(encoding)
    if delimiter is not None and delimiter not in DELIMITERS and len(delimiter) != 1:
        raise ConfigError(expected("a one-character delimiter", repr(delimiter),
                                   "Pass delimiter=',' or ';' or '\\t'."))
    if raw is not None:
        if max_bytes is not None and len(raw) > max_bytes:
            raise DataError(f"{source}: " + expected(
                f"at most {max_bytes:,} bytes", f"{len(raw):,}",
                "Send a smaller file."))
        return _parse(io.BytesIO(bytes(raw)), source, codec, delimiter, header,
                      text_columns)
    with open_regular(path, "CSV file", max_bytes, DataError) as (f, _):
        return _parse(f, source, codec, delimiter, header, text_columns)


def _parse(f: IO[bytes], source: str, codec: str, delimiter, header,
           text_columns) -> Table:
    try:
        return _read(f, source, codec, delimiter, header, text_columns)
    except UnicodeDecodeError:
        raise _decode_error(f, source, codec) from None


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
        if not is_missing(cell) and NOT_INTEGER.intersection(cell):
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
