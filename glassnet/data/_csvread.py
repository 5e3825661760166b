"""Read a CSV file into a table of strings with line numbers (not public API).

Decoding (UTF-8 with or without BOM), delimiter sniffing, header detection
and row-length checks live here; turning strings into numbers lives in
``features.py``. Every error names the file, line and column (1-based).
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.errors import ConfigError, DataError, expected

DELIMITERS = (",", ";", "\t")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})


@dataclass
class Table:
    """Rows of string cells, each with the line it started on."""

    source: str
    names: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str
    header_line: int  # 0 when the file has no header row

    def where(self, row: int | None = None, col: int | None = None) -> str:
        """'file, line L, column C ('name')' for error messages."""
        parts = [self.source]
        if row is not None:
            parts.append(f"line {self.lines[row]}")
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


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_TOKENS


def _decode(raw: bytes, source: str, encoding: str) -> str:
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # also strips a leading byte-order mark
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        start = error.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise DataError(
            f"{source}, line {line}, column {column} (byte {start}): "
            + expected(
                f"{error.encoding} text",
                f"the byte 0x{raw[start]:02x}",
                "Re-save the file as UTF-8, or pass the file's encoding, "
                "e.g. encoding='latin-1'.",
            )
        ) from None
    except LookupError:
        raise ConfigError(
            expected(
                "a known text encoding", repr(encoding), "Pass e.g. encoding='utf-8'."
            )
        ) from None


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


def _parse(text: str, source: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    rows, lines = [], []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, lines
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
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1


def _looks_like_header(rows: list[list[str]]) -> bool:
    """Documented rule: row 1 is a header when one of its cells is not a number
    but the rest of that column is, or when every cell of row 1 is a
    non-numeric text that appears nowhere else in its column."""
    first, rest = rows[0], rows[1:]
    if not rest:
        return not any(is_number(c) for c in first)
    texts = [not is_number(c) and not is_missing(c) for c in first]
    for j, text in enumerate(texts):
        below = [r[j] for r in rest if j < len(r) and not is_missing(r[j])]
        if text and below and all(is_number(c) for c in below):
            return True
    return all(texts) and all(
        first[j] not in {r[j] for r in rest if j < len(r)} for j in range(len(first))
    )


def read_table(
    path: str | os.PathLike,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str = "utf-8",
    raw: bytes | None = None,
) -> Table:
    """Read ``path`` into a ``Table`` with checked, rectangular rows.

    With ``raw`` the bytes are parsed instead of reading a file, and ``path``
    only names the source in error messages (an upload, say).
    """
    source = str(path)
    raw = _read_bytes(path, source) if raw is None else bytes(raw)
    text = _decode(raw, source, encoding)
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    elif delimiter not in DELIMITERS and len(delimiter) != 1:
        raise ConfigError(expected("a one-character delimiter", repr(delimiter),
                                   "Pass delimiter=',' or ';' or '\\t'."))
    rows, lines = _parse(text, source, delimiter)
    if not rows:
        raise DataError(f"{source}, line 1: " + expected(
            "a header row and data rows", "an empty file",
            "Write the column names on line 1 and one example per line."))
    has_header = _looks_like_header(rows) if header is None else bool(header)
    width, first_line = len(rows[0]), lines[0]
    if has_header:
        names = _header_names(rows[0], source, first_line)
        rows, lines = rows[1:], lines[1:]
    else:
        names = [f"col{j + 1}" for j in range(width)]
    if not rows:
        raise DataError(f"{source}, line {first_line + 1}: " + expected(
            "at least one data row after the header", "none",
            "Add examples below the header (or pass header=False if line 1 is "
            "data)."))
    table = Table(source, names, rows, lines, delimiter,
                  first_line if has_header else 0)
    _check_widths(table, width, first_line)
    return table


def _read_bytes(path: str | os.PathLike, source: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(expected("an existing CSV file", f"{source} (not found)",
                                 "Check the path and the working directory.")
                        ) from None
    except IsADirectoryError:
        raise DataError(expected("a CSV file", f"{source} (a directory)",
                                 "Pass the path of the file itself.")) from None


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


def _check_widths(table: Table, width: int, first_line: int) -> None:
    """Every row has the header's (or first row's) number of fields."""
    sep = _NAMES.get(table.delimiter, repr(table.delimiter)) + "s"
    for row, line in zip(table.rows, table.lines, strict=True):
        if len(row) != width:
            col = min(len(row), width)
            problem = expected(
                f"{width} fields separated by {sep} (as on line {first_line})",
                f"{len(row)} fields",
                "Quote values that contain the delimiter, and fill or mark "
                "missing values (e.g. NA) instead of dropping fields.")
            raise DataError(f"{table.source}, line {line}, column {col + 1}: "
                            f"{problem}")
