"""From the bytes of a CSV file to rows of text cells (not public API).

The text codec (UTF-8 with or without BOM), the error naming the first
undecodable byte by line and column, delimiter sniffing among , ; and tab
(or Excel's ``sep=;`` first line, ``_EXCEL_SEP``), and the stream of
(row, line) pairs. ``_csvread.py`` turns these rows into a table of columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from typing import IO

from glassnet.errors import ConfigError, DataError, expected

DELIMITERS = (",", ";", "\t")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_EXCEL_SEP = re.compile(r"^\ufeff?sep=(.)\r?\n?$")


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


def _head(f: IO[bytes], codec: str, n: int = 50) -> list[str]:
    """The first ``n`` lines of text (for sniffing), the file rewound after."""
    f.seek(0)
    stream = io.TextIOWrapper(f, encoding=codec, newline="")
    try:
        return [line for line in (stream.readline() for _ in range(n)) if line]
    finally:
        stream.detach()


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
