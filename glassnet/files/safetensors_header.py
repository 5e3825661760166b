"""The JSON header of a safetensors file: its checks, its bytes, its checksum.

    {"__metadata__": {str: str},
     "W0": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
     ...}

Everything a reader needs is checked here before a single tensor byte is
read: each entry's fields and types, a known dtype, and that the byte ranges
tile the data section exactly — no gaps, no overlaps, nothing left over.

glassnet writes one canonical form of the header (``encode_header``) and two
metadata keys:

    glassnet.format_version = "1"
    glassnet.sha256 = SHA-256( u64le(len(H)) ‖ H ‖ data section )

where H is the canonical header JSON with the ``glassnet.sha256`` key left
out. Covering the header as well as the data, and requiring the header bytes
to be exactly the canonical JSON plus space padding, means that any changed
byte anywhere in the file is detected.
"""

from __future__ import annotations

import hashlib
import math
import struct
from typing import Any, NamedTuple

import numpy as np

from glassnet.files._json import canonical_json, loads_strict

# safetensors dtype code -> explicit little-endian NumPy dtype.
DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
METADATA_KEY = "__metadata__"
CHECKSUM_KEY = "glassnet.sha256"
VERSION_KEY = "glassnet.format_version"
FORMAT_VERSION = "1"
_ENTRY_FIELDS = {"dtype", "shape", "data_offsets"}


class HeaderProblem(ValueError):
    """A header defect; the caller adds the file name and turns it into
    ``ModelFileError``."""


class TensorEntry(NamedTuple):
    """One validated header entry."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int


def parse_header(raw: bytes) -> dict[str, Any]:
    """The header bytes as a JSON object, or ``HeaderProblem``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderProblem(f"header is not valid UTF-8 (byte {exc.start})") from None
    try:
        header = loads_strict(text)
    except ValueError as exc:
        raise HeaderProblem(f"header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise HeaderProblem(
            f"header must be a JSON object, found {type(header).__name__}"
        )
    return header


def split_header(
    header: dict[str, Any], data_len: int
) -> tuple[dict[str, str], list[TensorEntry]]:
    """Return (metadata, entries sorted by offset) or raise ``HeaderProblem``."""
    metadata: dict[str, str] = {}
    entries: list[TensorEntry] = []
    for name, value in header.items():
        if name == METADATA_KEY:
            metadata = _check_metadata(value)
        else:
            entries.append(_check_entry(name, value))
    entries.sort(key=lambda e: (e.begin, e.end))
    _check_layout(entries, data_len)
    return metadata, entries


def _check_metadata(value: Any) -> dict[str, str]:
    if value is None:  # the reference implementation writes null for "none"
        return {}
    if not isinstance(value, dict):
        raise HeaderProblem(
            f"{METADATA_KEY!r} must be a JSON object, found {type(value).__name__}"
        )
    for key, item in value.items():
        if not isinstance(item, str):
            raise HeaderProblem(
                f"metadata value for {key!r} must be a string, "
                f"found {type(item).__name__}"
            )
    return dict(value)


def _is_size(value: Any) -> bool:
    # bool is an int subclass in Python; `true` is not a size.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_entry(name: str, entry: Any) -> TensorEntry:
    where = f"tensor {name!r}"
    if not isinstance(entry, dict):
        raise HeaderProblem(f"{where} must be a JSON object")
    if set(entry) != _ENTRY_FIELDS:
        raise HeaderProblem(
            f"{where} must have exactly the fields {sorted(_ENTRY_FIELDS)}, "
            f"found {sorted(entry)}"
        )
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise HeaderProblem(
            f"{where} has unsupported dtype {dtype!r}; supported: {sorted(DTYPES)}"
        )
    if not isinstance(shape, list) or not all(_is_size(d) for d in shape):
        raise HeaderProblem(f"{where}: shape must be a list of non-negative ints")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_size(o) for o in offsets)
        or offsets[0] > offsets[1]
    ):
        raise HeaderProblem(
            f"{where}: data_offsets must be [begin, end] with 0 <= begin <= end"
        )
    return TensorEntry(name, dtype, tuple(shape), offsets[0], offsets[1])


def nbytes(entry: TensorEntry) -> int:
    """Bytes the entry's shape and dtype need (exact Python integer math)."""
    return math.prod(entry.shape) * DTYPES[entry.dtype].itemsize


def _check_layout(entries: list[TensorEntry], data_len: int) -> None:
    """Byte ranges must tile [0, data_len) exactly, in order."""
    position = 0
    for e in entries:
        if e.begin != position:
            kind = "gap before" if e.begin > position else "overlap at"
            raise HeaderProblem(f"{kind} tensor {e.name!r} (offset {e.begin})")
        if e.end - e.begin != nbytes(e):
            raise HeaderProblem(
                f"tensor {e.name!r}: shape {list(e.shape)} of {e.dtype} needs "
                f"{nbytes(e)} bytes, data_offsets give {e.end - e.begin}"
            )
        position = e.end
    if position != data_len:
        raise HeaderProblem(
            f"tensors cover {position} bytes but the data section has {data_len}"
        )


# ------------------------------------------------- canonical bytes, checksum


def encode_header(header: dict[str, Any]) -> bytes:
    """Canonical JSON padded with spaces so that 8 + len ≡ 0 (mod 8)."""
    body = canonical_json(header)
    return body + b" " * (-len(body) % 8)


def hash_header(header: dict[str, Any]) -> Any:
    """sha256 object fed u64le(len(H)) ‖ H, H = header without its checksum."""
    meta = {k: v for k, v in header[METADATA_KEY].items() if k != CHECKSUM_KEY}
    body = canonical_json({**header, METADATA_KEY: meta})
    h = hashlib.sha256(struct.pack("<Q", len(body)))
    h.update(body)
    return h


def start_checksum(
    raw: bytes,
    header: dict[str, Any],
    metadata: dict[str, str],
    require_checksum: bool,
) -> Any:
    """Return a sha256 object already fed the header, or None if unchecked."""
    version = metadata.get(VERSION_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise HeaderProblem(
            f"glassnet file format version {version!r} is not supported "
            f"(this glassnet reads {FORMAT_VERSION!r}); upgrade glassnet"
        )
    if CHECKSUM_KEY not in metadata:
        if require_checksum:
            raise HeaderProblem(
                f"no {CHECKSUM_KEY!r} checksum in the metadata, so it was not "
                "written by glassnet or is damaged (pass require_checksum=False "
                "to read a trusted file from another tool)"
            )
        return None
    if raw != encode_header(header):
        raise HeaderProblem("header bytes differ from what glassnet writes (edited?)")
    return hash_header(header)
