"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in.

IDX layout (http://yann.lecun.com/exdb/mnist/), all integers big-endian:

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    4·d bytes   the size of each dimension (uint32)
    the rest    the elements, row-major; exactly prod(sizes) of them

So MNIST labels start with magic 0x00000801 (uint8, 1-D) and images with
0x00000803 (uint8, 3-D). Gzipped files (.gz) are recognised by their first
two bytes and decompressed in memory.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from glassnet.errors import DataError, ShapeError, expected

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            expected("an IDX file", f"{path} (not found)", "Check the path.")
        ) from None
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            expected(
                f"a complete gzip file at {path}",
                f"a damaged one ({error})",
                "The file is truncated or corrupted; delete it and download it again.",
            )
        ) from None


def read_idx(
    path: str | os.PathLike,
    *,
    magic: int | None = None,
) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a native-endian array.

    ``magic`` (e.g. 0x00000803 for uint8 images) makes any other header an
    error. The byte count must match the header exactly: a truncated file or
    one with trailing bytes raises ``DataError``.
    """
    path = Path(path)
    data = _read_bytes(path)
    fix = "The file is truncated or is not an IDX file; delete it and fetch it again."
    if len(data) < 4:
        raise DataError(
            expected(f"an IDX header of 4+ bytes in {path}", f"{len(data)} bytes", fix)
        )
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    found = (code << 8) | ndim
    if zero != 0 or code not in IDX_DTYPES or ndim == 0:
        raise DataError(
            expected(
                f"an IDX magic number 0x0000TTDD (TT a type code, DD "
                f"the number of dimensions) in {path}",
                f"0x{int.from_bytes(data[:4], 'big'):08x}",
                fix,
            )
        )
    if magic is not None and found != magic:
        raise DataError(
            expected(
                f"IDX magic number 0x{magic:08x} in {path}",
                f"0x{found:08x}",
                "Check that images and labels files are not "
                "swapped and that this is the right file.",
            )
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(
            expected(f"{header} header bytes in {path}", f"{len(data)} bytes", fix)
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    want = header + math.prod(dims) * dtype.itemsize
    if len(data) != want:
        raise DataError(
            expected(
                f"{want} bytes for an IDX array of shape {dims} in {path}",
                f"{len(data)} bytes",
                fix,
            )
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))  # a writable native copy


def write_idx(
    path: str | os.PathLike, array: np.ndarray, *, compress: bool = False
) -> Path:
    """Write ``array`` as an IDX file (gzipped when ``compress``); return the path."""
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None or not 1 <= array.ndim <= 255:
        raise ShapeError(
            expected(
                "an array of an IDX type (u)int8, int16, int32, float32, float64",
                f"dtype {array.dtype}, {array.ndim} dims",
                "Convert with array.astype(np.uint8) (or another IDX type) first.",
            )
        )
    body = (
        struct.pack(">HBB", 0, code, array.ndim)
        + struct.pack(f">{array.ndim}I", *array.shape)
        + array.astype(IDX_DTYPES[code], copy=False).tobytes()
    )
    path = Path(path)
    path.write_bytes(gzip.compress(body, mtime=0) if compress else body)
    return path
