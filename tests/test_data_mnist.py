"""IDX and npz readers, MNIST search order, and the real MNIST when present."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from glassnet.data import load_mnist, read_idx, read_npz, write_idx
from glassnet.data import mnist as mnist_module
from glassnet.errors import ConfigError, DataError


def fake_mnist(n_train: int = 20, n_test: int = 10, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_idx_set(folder: Path, arrays: dict, compress: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in mnist_module.IDX_NAMES.items():
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{name}{suffix}", arrays[key], compress=compress)


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("GLASSNET_DATA_DIR", raising=False)
    monkeypatch.delenv("GLASSNET_CACHE_DIR", raising=False)


# ---------------------------------------------------------------- IDX format


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([3, 1, 4], dtype=np.uint8),
        np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3),
        np.array([-5, 70000], dtype=np.int32),
    ],
)
def test_idx_round_trip(tmp_path, array, compress):
    path = write_idx(tmp_path / "a.idx", array, compress=compress)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.flags.writeable
    np.testing.assert_array_equal(back, array)


def test_idx_magic_numbers(tmp_path):
    write_idx(tmp_path / "labels", np.zeros(5, np.uint8))
    assert (tmp_path / "labels").read_bytes()[:4] == b"\x00\x00\x08\x01"
    assert read_idx(tmp_path / "labels", magic=0x801).shape == (5,)
    with pytest.raises(DataError, match="0x00000803.*0x00000801"):
        read_idx(tmp_path / "labels", magic=0x803)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-1], "expected 40 bytes"),  # truncated
        (lambda b: b + b"\x00", "expected 40 bytes"),  # trailing garbage
        (lambda b: b[:2], "header"),
        (lambda b: b[:6], "header bytes"),
        (lambda b: b"\x12\x34" + b[2:], "magic number"),
        (lambda b: b[:2] + b"\x07" + b[3:], "magic number"),
        (lambda b: gzip.compress(b)[:-6], "gzip"),
        (lambda b: gzip.compress(b)[:10] + b"x" * 20, "gzip"),
    ],
)
def test_idx_damaged_files_fail_cleanly(tmp_path, damage, message):
    good = write_idx(tmp_path / "good", np.zeros((2, 3, 4), np.uint8)).read_bytes()
    bad = tmp_path / "bad"
    bad.write_bytes(damage(good))
    with pytest.raises(DataError, match=message) as info:
        read_idx(bad)
    assert "bad" in str(info.value)


def test_idx_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "nope")


# ----------------------------------------------------------------- npz format


def test_npz_object_array_refused(tmp_path):
    path = tmp_path / "evil.npz"
    arrays = fake_mnist()
    arrays["y_train"] = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="object array"):
        read_npz(path)


def test_npz_truncated_and_garbage(tmp_path):
    good = tmp_path / "good.npz"
    np.savez_compressed(good, **fake_mnist())
    for i, data in enumerate([good.read_bytes()[:-100], b"not a zip at all" * 8]):
        bad = tmp_path / f"bad{i}.npz"
        bad.write_bytes(data)
        with pytest.raises(DataError, match=f"bad{i}.npz"):
            read_npz(bad)


def test_npz_missing_keys(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DataError, match="y_train"):
        read_npz(path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("x_train", np.zeros((20, 28, 28), np.float32), "uint8 images"),
        ("x_test", np.zeros((10, 784), np.uint8), "shape"),
        ("y_train", np.full(20, 10, np.uint8), "labels 0-9"),
        ("y_test", np.zeros(9, np.uint8), "10 integer labels"),
    ],
)
def test_mnist_npz_validation(tmp_path, no_env, key, value, message):
    arrays = fake_mnist()
    arrays[key] = value
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DataError, match=message):
        load_mnist(data_dir=tmp_path, download=False, cache_dir=tmp_path / "cache")


# ------------------------------------------------------------- search order


def test_data_dir_npz_then_idx_then_fashion(tmp_path, no_env):
    arrays = fake_mnist()
    np.savez(tmp_path / "mnist.npz", **arrays)
    x, y, xt, yt = load_mnist(
        data_dir=tmp_path, download=False, cache_dir=tmp_path / "c"
    )
    assert x.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(y, arrays["y_train"])
    write_idx_set(tmp_path / "idx" / "mnist", arrays)
    x2, *_ = load_mnist(
        data_dir=tmp_path / "idx", download=False, cache_dir=tmp_path / "c"
    )
    np.testing.assert_array_equal(x2, arrays["x_train"])
    other = fake_mnist(seed=1)
    write_idx_set(tmp_path / "idx" / "fashion", other, compress=False)
    *_, yt3 = load_mnist(
        "fashion-mnist",
        data_dir=tmp_path / "idx",
        download=False,
        cache_dir=tmp_path / "c",
    )
    np.testing.assert_array_equal(yt3, other["y_test"])


def test_env_var_is_searched(tmp_path, monkeypatch):
    np.savez(tmp_path / "fashion-mnist.npz", **fake_mnist(seed=2))
    monkeypatch.setenv("GLASSNET_DATA_DIR", str(tmp_path))
    x, *_ = load_mnist("fashion-mnist", download=False, cache_dir=tmp_path / "c")
    np.testing.assert_array_equal(x, fake_mnist(seed=2)["x_train"])


def test_cache_dir_from_environment(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_module.default_cache_dir() == tmp_path / "xdg" / "glassnet"
    monkeypatch.setenv("GLASSNET_CACHE_DIR", str(tmp_path / "mine"))
    assert mnist_module.default_cache_dir() == tmp_path / "mine"


def test_missing_files_say_where_to_put_them(tmp_path, no_env):
    with pytest.raises(DataError) as info:
        load_mnist(download=False, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert (
        "GLASSNET_DATA_DIR" in message and str(tmp_path / "cache" / "mnist") in message
    )
    with pytest.raises(ConfigError):
        load_mnist("cifar")


# -------------------------------------------------------------- real MNIST


def _real_mnist_dir() -> Path:
    folder = os.environ.get("GLASSNET_DATA_DIR")
    if not folder or not (Path(folder) / "mnist.npz").is_file():
        pytest.skip("set GLASSNET_DATA_DIR to a folder with mnist.npz")
    return Path(folder)


def test_real_mnist_from_data_dir(tmp_path):
    _real_mnist_dir()
    x, y, xt, yt = load_mnist(download=False, cache_dir=tmp_path)
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert x.dtype == np.uint8 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10)) and yt.max() == 9
    assert 30 < x.mean() < 40  # MNIST's mean pixel is about 33
    assert not any(tmp_path.iterdir())  # nothing was downloaded
