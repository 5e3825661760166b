"""The safetensors reader/writer: round trips, interop, and hostile files."""

from __future__ import annotations

import json
import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from glassnet.errors import ConfigError, ModelFileError, ShapeError
from glassnet.io import read_safetensors, write_safetensors

DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "i1", "u1", "?"]


def _sample(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "?":
        return rng.random(shape) > 0.5
    return (rng.standard_normal(shape) * 50).astype(dtype)


def _small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.safetensors"
    tensors = {
        "W0": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b0": np.array([1.5, -2.0], dtype=np.float32),
        "flag": np.array(True),
    }
    write_safetensors(path, tensors, {"note": "hé"})
    return path


def _write_raw(path: Path, header: bytes | dict, data: bytes = b"") -> Path:
    if isinstance(header, dict):
        header = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)
    return path


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (4,), (2, 3, 5)])
def test_round_trip_every_dtype_and_shape(tmp_path, dtype, shape):
    path = tmp_path / "t.safetensors"
    original = _sample(dtype, shape)
    write_safetensors(path, {"x": original, "y": _sample("<f4", (2,), seed=1)})
    tensors, metadata = read_safetensors(path)
    got = tensors["x"]
    assert got.shape == shape and got.dtype == np.dtype(dtype)
    assert got.tobytes() == original.tobytes()
    assert got.flags.writeable and got.flags.owndata
    assert metadata["glassnet.format_version"] == "1"
    assert len(metadata["glassnet.sha256"]) == 64


def test_layout_is_aligned_and_metadata_kept(tmp_path):
    path = _small_file(tmp_path)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0
    tensors, metadata = read_safetensors(path)
    assert metadata["note"] == "hé"
    assert list(tensors) == ["W0", "b0", "flag"]


def test_big_endian_and_noncontiguous_input(tmp_path):
    path = tmp_path / "t.safetensors"
    x = np.arange(12, dtype=">f8").reshape(3, 4).T
    write_safetensors(path, {"x": x})
    np.testing.assert_array_equal(read_safetensors(path)[0]["x"], x)


def test_empty_tensor_dict(tmp_path):
    path = tmp_path / "t.safetensors"
    write_safetensors(path, {})
    assert read_safetensors(path)[0] == {}


def test_writer_rejects_bad_input(tmp_path):
    path = tmp_path / "t.safetensors"
    with pytest.raises(ShapeError, match="dtypes"):
        write_safetensors(path, {"x": np.zeros(2, np.complex64)})
    with pytest.raises(ConfigError):
        write_safetensors(path, {"__metadata__": np.zeros(2)})
    with pytest.raises(ConfigError):
        write_safetensors(path, {"x": np.zeros(2)}, {"k": 1})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="UTF-8"):
        write_safetensors(path, {"\ud800": np.zeros(2)})
    assert not path.exists() and os.listdir(tmp_path) == []


# --------------------------------------------------------------------- interop


def test_safetensors_package_reads_our_files(tmp_path):
    stn = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "ours.safetensors"
    tensors = {f"t{i}": _sample(dt, (2, 3), seed=i) for i, dt in enumerate(DTYPES)}
    tensors["scalar"] = np.array(3.0)
    tensors["empty"] = np.zeros((0, 2), np.int32)
    write_safetensors(path, tensors, {"a": "b"})
    loaded = stn.load_file(str(path))
    assert set(loaded) == set(tensors)
    for name, arr in tensors.items():
        assert loaded[name].shape == arr.shape
        assert loaded[name].tobytes() == arr.tobytes()


def test_we_read_safetensors_package_files(tmp_path):
    stn = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "theirs.safetensors"
    tensors = {f"t{i}": _sample(dt, (3, 2), seed=i) for i, dt in enumerate(DTYPES)}
    tensors["scalar"] = np.array(7, np.int64)
    stn.save_file(tensors, str(path), metadata={"k": "v"})
    with pytest.raises(ModelFileError, match="require_checksum=False"):
        read_safetensors(path)
    loaded, metadata = read_safetensors(path, require_checksum=False)
    assert metadata == {"k": "v"}
    for name, arr in tensors.items():
        assert loaded[name].shape == arr.shape
        assert loaded[name].tobytes() == arr.tobytes()


# ------------------------------------------------------------------ corruption


def test_every_truncation_is_rejected(tmp_path):
    raw = _small_file(tmp_path).read_bytes()
    cut = tmp_path / "cut.safetensors"
    for length in range(len(raw)):
        cut.write_bytes(raw[:length])
        with pytest.raises(ModelFileError):
            read_safetensors(cut)


def test_random_byte_flips_are_all_detected(tmp_path):
    raw = _small_file(tmp_path).read_bytes()
    rng = np.random.default_rng(1234)
    bad = tmp_path / "flipped.safetensors"
    positions = rng.integers(0, len(raw), size=1000)
    masks = rng.integers(1, 256, size=1000)
    for position, mask in zip(positions, masks, strict=True):
        data = bytearray(raw)
        data[position] ^= int(mask)
        bad.write_bytes(bytes(data))
        with pytest.raises(ModelFileError):
            read_safetensors(bad)


def test_every_position_flip_is_detected(tmp_path):
    """Beyond the random sample: flip each byte once, the padding included."""
    raw = _small_file(tmp_path).read_bytes()
    bad = tmp_path / "flipped.safetensors"
    for position in range(len(raw)):
        data = bytearray(raw)
        data[position] ^= 0x01
        bad.write_bytes(bytes(data))
        with pytest.raises(ModelFileError):
            read_safetensors(bad)


def test_flip_is_ignored_only_without_checksum_key(tmp_path):
    path = _small_file(tmp_path)
    raw = path.read_bytes()
    i = raw.index(b"glassnet.sha256")
    path.write_bytes(raw[:i] + b"glassnet.sha257" + raw[i + 15 :])
    with pytest.raises(ModelFileError, match="checksum"):
        read_safetensors(path)


@pytest.mark.parametrize(
    ("length", "match"),
    [(0, "is 0"), (2**64 - 1, "exceeds"), (10_000, "exceeds"), (50, "JSON")],
)
def test_wrong_header_lengths(tmp_path, length, match):
    raw = _small_file(tmp_path).read_bytes()
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", length) + raw[8:])
    with pytest.raises(ModelFileError, match=match):
        read_safetensors(path)


def test_header_over_cap(tmp_path):
    path = _small_file(tmp_path)
    with pytest.raises(ModelFileError, match="max_header_bytes"):
        read_safetensors(path, max_header_bytes=64)
    with pytest.raises(ModelFileError, match="max_file_bytes"):
        read_safetensors(path, max_file_bytes=100)


@pytest.mark.parametrize(
    "header",
    [
        b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},'
        b' "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
        b'{"__metadata__": {"k": "1", "k": "2"},'
        b' "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
        b'{"a": {"dtype": "F32", "dtype": "F32", "shape": [1],'
        b' "data_offsets": [0, 4]}}',
    ],
)
def test_duplicate_keys_rejected(tmp_path, header):
    path = _write_raw(tmp_path / "dup.safetensors", header, b"\0" * 4)
    with pytest.raises(ModelFileError, match="duplicate"):
        read_safetensors(path, require_checksum=False)


def _entry(dtype="F32", shape=(1,), offsets=(0, 4), **extra) -> dict:
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)} | (
        extra
    )


@pytest.mark.parametrize(
    ("header", "data"),
    [
        (b"[1, 2, 3]", b""),
        (b'"text"', b""),
        (b"null", b""),
        (b'{"a": NaN}', b""),
        (b"\xff\xfe{}", b""),
        (b"{" * 100_000, b""),
        (b'{"a":' + b"[" * 100_000, b""),  # recursion depth, not a crash
        ({"a": _entry(dtype="F8")}, b"\0" * 4),
        ({"a": _entry(dtype="F32", shape=[True])}, b"\0" * 4),
        ({"a": _entry(shape=[-1])}, b"\0" * 4),
        ({"a": _entry(shape=[1.0])}, b"\0" * 4),
        ({"a": _entry(offsets=[0, 4, 8])}, b"\0" * 4),
        ({"a": _entry(offsets=[4, 0])}, b"\0" * 4),
        ({"a": _entry(extra_field=1)}, b"\0" * 4),
        ({"a": {"dtype": "F32", "shape": [1]}}, b"\0" * 4),
        ({"a": [1, 2]}, b"\0" * 4),
        ({"a": _entry(shape=[2])}, b"\0" * 4),  # size mismatch
        ({"a": _entry()}, b"\0" * 8),  # trailing bytes
        ({"a": _entry(), "b": _entry()}, b"\0" * 8),  # overlap
        ({"a": _entry(), "b": _entry(offsets=[8, 12])}, b"\0" * 12),  # gap
        ({"a": _entry(shape=[0, 2**70], offsets=[0, 0])}, b""),
        ({"a": _entry(shape=[1] * 100)}, b"\0" * 4),
        ({"a": _entry(dtype="BOOL", shape=[4])}, b"\0\1\2\0"),
        ({"__metadata__": {"k": 1}}, b""),
        ({"__metadata__": ["k"]}, b""),
        ({"__metadata__": {"glassnet.format_version": "2"}}, b""),
    ],
)
def test_malformed_headers_rejected(tmp_path, header, data):
    path = _write_raw(tmp_path / "bad.safetensors", header, data)
    with pytest.raises(ModelFileError, match="bad.safetensors"):
        read_safetensors(path, require_checksum=False)


def test_pickle_and_zip_rejected_without_executing(tmp_path):
    pkl = tmp_path / "model.safetensors"
    pkl.write_bytes(pickle.dumps({"W0": np.zeros((2, 2))}))
    with pytest.raises(ModelFileError, match="pickle"):
        read_safetensors(pkl)
    zipped = tmp_path / "model.pt"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps([1, 2, 3]))
    with pytest.raises(ModelFileError, match="zip"):
        read_safetensors(zipped)


def test_not_a_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        read_safetensors(tmp_path / "missing.safetensors")
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_safetensors(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(ModelFileError, match="not a regular file"):
            read_safetensors(fifo)  # must not block waiting for a writer
    for size in range(8):
        short = tmp_path / "short"
        short.write_bytes(b"\0" * size)
        with pytest.raises(ModelFileError, match="shorter"):
            read_safetensors(short)
