"""Reader and writer of the safetensors file layout, in NumPy alone.

Layout (https://github.com/huggingface/safetensors):

    [8 bytes]  N, header length, little-endian u64
    [N bytes]  UTF-8 JSON header, padded with spaces so 8 + N ≡ 0 (mod 8)
               (``safetensors_header``: its checks, bytes and checksum)
    [rest]     raw little-endian tensor bytes; data_offsets index into it

Files written here carry a SHA-256 checksum of header and data, so any
changed byte anywhere in the file is detected. Loading never executes
anything: the file is parsed as JSON and copied into fresh NumPy arrays.
"""

from __future__ import annotations

import os
import stat
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

import numpy as np

from glassnet.errors import ConfigError, ModelFileError, ShapeError
from glassnet.files.atomic import atomic_write_bytes
from glassnet.files.regular import kind_of
from glassnet.files.safetensors_header import (
    CHECKSUM_KEY,
    DTYPES,
    FORMAT_VERSION,
    METADATA_KEY,
    VERSION_KEY,
    HeaderProblem,
    TensorEntry,
    encode_header,
    hash_header,
    nbytes,
    parse_header,
    split_header,
    start_checksum,
)

MAX_HEADER_BYTES = 16 * 1024 * 1024

_CODE_BY_KIND = {
    (np.dtype(dt).kind, np.dtype(dt).itemsize): code for code, dt in DTYPES.items()
}
# First bytes of formats people mistake for a safetensors model.
_FOREIGN_MAGIC = (
    (b"PK\x03\x04", "a zip archive (a PyTorch .pt/.pth or NumPy .npz file?)"),
    (b"\x80", "a Python pickle (torch.save / pickle.dump output?)"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x89HDF", "an HDF5 file (a Keras .h5 model?)"),
)
_FIX = "Re-save the model with glassnet, or check that the path is right."


# --------------------------------------------------------------------- write


def write_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, np.ndarray],
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Atomically write ``tensors`` (and string ``metadata``) as safetensors.

    Tensors are stored widest dtype first, then by name, so every tensor is
    aligned to its item size, as in the reference implementation.
    """
    arrays = sorted(
        ((name, *_as_little_endian(name, a)) for name, a in tensors.items()),
        key=lambda t: (-t[2].itemsize, t[0]),
    )
    meta = _check_user_metadata(metadata)
    header: dict[str, Any] = {METADATA_KEY: meta}
    offset = 0
    for name, code, arr in arrays:
        header[name] = {
            "dtype": code,
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + arr.nbytes],
        }
        offset += arr.nbytes
    chunks = [_byte_view(arr) for _, _, arr in arrays]
    try:
        h = hash_header(header)
        for chunk in chunks:
            h.update(chunk)
        meta[CHECKSUM_KEY] = h.hexdigest()
        encoded = encode_header(header)
    except UnicodeEncodeError as exc:
        raise ConfigError(
            f"expected names and metadata encodable as UTF-8, received {exc.object!r}."
            " Remove lone surrogate characters."
        ) from exc
    prefix = struct.pack("<Q", len(encoded))
    atomic_write_bytes(path, [prefix, encoded, *chunks])


def _as_little_endian(name: Any, value: Any) -> tuple[str, np.ndarray]:
    if not isinstance(name, str) or name == METADATA_KEY:
        raise ConfigError(
            f"expected tensor names to be strings other than {METADATA_KEY!r}, "
            f"received {name!r}. Rename the tensor."
        )
    arr = np.asarray(value)
    code = _CODE_BY_KIND.get((arr.dtype.kind, arr.dtype.itemsize))
    if code is None:
        raise ShapeError(
            f"expected tensor {name!r} to have one of the dtypes "
            f"{sorted(DTYPES)}, received {arr.dtype}. Convert it with .astype()."
        )
    return code, np.asarray(arr, dtype=DTYPES[code], order="C")


def _byte_view(arr: np.ndarray) -> memoryview:
    return memoryview(arr.reshape(-1).view(np.uint8))


def _check_user_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ConfigError(
                f"expected metadata as str -> str, received {key!r}: "
                f"{type(value).__name__}. Encode values with str() or json.dumps."
            )
        if key not in (CHECKSUM_KEY, VERSION_KEY):  # always recomputed
            meta[key] = value
    meta[VERSION_KEY] = FORMAT_VERSION
    return meta


# ---------------------------------------------------------------------- read


def read_safetensors(
    path: str | os.PathLike[str],
    *,
    max_header_bytes: int = MAX_HEADER_BYTES,
    max_file_bytes: int | None = None,
    require_checksum: bool = True,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read and fully validate a safetensors file; return (tensors, metadata).

    Any problem raises ``ModelFileError`` naming the file. Files without a
    ``glassnet.sha256`` checksum (e.g. written by the ``safetensors`` package)
    need ``require_checksum=False``; a checksum that is present is always
    verified. Arrays are fresh, writable copies.
    """
    where = os.fspath(path)
    try:
        with _open_regular(where, max_file_bytes) as (f, size):
            return _read_open(where, f, size, max_header_bytes, require_checksum)
    except ModelFileError:
        raise
    except HeaderProblem as exc:
        raise _error(where, str(exc)) from None
    except MemoryError:
        raise _error(where, "not enough memory to load it", "") from None
    except (OSError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _error(where, f"{type(exc).__name__}: {exc}") from exc


def _error(where: Any, problem: str, fix: str = _FIX) -> ModelFileError:
    return ModelFileError(f"cannot load {where!s}: {problem}. {fix}".rstrip())


@contextmanager
def _open_regular(
    where: Any, max_file_bytes: int | None
) -> Iterator[tuple[IO[bytes], int]]:
    # O_NONBLOCK: opening a FIFO must not wait for a writer (it is then rejected).
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(where, flags)
    except FileNotFoundError:
        raise _error(where, "no such file", "Check the path.") from None
    except OSError as exc:
        raise _error(where, f"cannot open it ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _error(where, f"it is {kind_of(info.st_mode)}, not a regular file",
                         "Pass the path of a file.")
        if max_file_bytes is not None and info.st_size > max_file_bytes:
            raise _error(
                where,
                f"file is {info.st_size} bytes, over the limit of {max_file_bytes}",
                "Raise max_file_bytes if you trust this file.",
            )
        f = open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f, info.st_size


def _read_exact(f: IO[bytes], n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise HeaderProblem("the file changed size while it was being read")
    return data


def _read_open(
    where: Any, f: IO[bytes], size: int, max_header_bytes: int, require_checksum: bool
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    if size < 8:
        raise HeaderProblem(
            f"file is {size} bytes, shorter than the 8-byte header length "
            "(truncated or empty)"
        )
    prefix = _read_exact(f, 8)
    (n,) = struct.unpack("<Q", prefix)
    if n == 0 or n > max_header_bytes or n > size - 8:
        raise _bad_length(where, prefix, n, size, max_header_bytes)
    raw = _read_exact(f, n)
    header = parse_header(raw)
    data_len = size - 8 - n
    metadata, entries = split_header(header, data_len)
    hasher = start_checksum(raw, header, metadata, require_checksum)
    arrays = {e.name: _read_tensor(f, e, hasher) for e in entries}
    if f.read(1):
        raise HeaderProblem("the file grew while it was being read")
    if hasher is not None and hasher.hexdigest() != metadata[CHECKSUM_KEY]:
        raise HeaderProblem(
            "checksum mismatch: the file is corrupted (changed after it was saved)"
        )
    return {name: arrays[name] for name in header if name != METADATA_KEY}, metadata


def _bad_length(
    where: Any, prefix: bytes, n: int, size: int, cap: int
) -> ModelFileError:
    for magic, kind in _FOREIGN_MAGIC:
        if prefix.startswith(magic):
            return _error(
                where,
                f"this looks like {kind}, not a safetensors file",
                "glassnet never loads pickles or archives: they can run code. "
                "Convert the weights to safetensors first.",
            )
    if _looks_like_text(prefix):
        return _error(
            where,
            f"this looks like a text file (a CSV? it starts {prefix!r}), not a "
            "safetensors file",
            "Pass the .safetensors model file (commands take MODEL before DATA).",
        )
    if n == 0 or n > size - 8:
        problem = "is 0" if n == 0 else f"exceeds the {size - 8} bytes after it"
        return _error(
            where, f"header length {n} {problem} (truncated or not safetensors)"
        )
    return _error(
        where,
        f"header length {n} is over the limit of {cap} bytes",
        "Raise max_header_bytes if you trust this file.",
    )


def _looks_like_text(prefix: bytes) -> bool:
    """Eight bytes of printable UTF-8 text (a safetensors header length never
    is: it would be over 2**53 bytes)."""
    try:
        text = prefix.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _read_tensor(f: IO[bytes], entry: TensorEntry, hasher: Any) -> np.ndarray:
    arr = np.empty(entry.shape, dtype=DTYPES[entry.dtype])
    view = _byte_view(arr)
    if f.readinto(view) != nbytes(entry):
        raise HeaderProblem("the file changed size while it was being read")
    if hasher is not None:
        hasher.update(view)
    if entry.dtype == "BOOL" and np.any(arr.view(np.uint8) > 1):
        raise HeaderProblem(f"BOOL tensor {entry.name!r} holds bytes other than 0/1")
    return arr
