"""BatchIterator: buffer reuse, coverage, determinism, memory maps."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.data import BatchIterator, Gather
from glassnet.errors import ConfigError, ShapeError


def data(n=103, f=5):
    X = np.arange(n * f, dtype=np.float32).reshape(n, f)
    y = np.arange(n) % 3
    return X, y


def test_every_row_once_per_epoch_and_partial_batch():
    X, y = data()
    it = BatchIterator(X, y, batch_size=10, seed=0)
    assert it.n_batches == len(it) == 11
    for _ in range(2):
        rows, sizes = [], []
        for xb, yb, wb in it.epoch():
            assert wb is None and yb.dtype == np.int64
            np.testing.assert_array_equal(yb, (xb[:, 0] // 5).astype(int) % 3)
            rows.extend((xb[:, 0] // 5).astype(int).tolist())
            sizes.append(len(xb))
        assert sorted(rows) == list(range(103))
        assert sizes == [10] * 10 + [3]


def test_buffers_are_reused():
    X, y = data()
    it = BatchIterator(X, y, batch_size=16, seed=1)
    first = None
    for xb, yb, _ in it:
        if first is None:
            first = (xb, yb)
        assert np.shares_memory(xb, first[0]) and np.shares_memory(yb, first[1])
        assert xb.base is first[0].base
        assert not np.shares_memory(xb, X)


def test_same_seed_same_order_and_epochs_differ():
    X, y = data()

    def order(seed, epochs=2):
        it = BatchIterator(X, y, batch_size=8, seed=seed)
        return [[yb.copy().tolist() for _, yb, _ in it] for _ in range(epochs)]

    a, b = order(7), order(7)
    assert a == b
    assert a[0] != a[1]
    assert order(8) != a
    rng = np.random.default_rng(7)
    assert order(rng) == a


def test_no_shuffle_drop_last_weights_and_cast():
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    w = np.linspace(0, 1, 10)
    y = np.linspace(0, 1, 10)[:, None]
    it = BatchIterator(X, y, 4, shuffle=False, sample_weight=w, drop_last=True)
    batches = list(it)
    assert len(batches) == it.n_batches == 2
    xb, yb, wb = batches[1]
    assert xb.dtype == np.float32 and yb.dtype == np.float32 and wb.dtype == np.float32
    np.testing.assert_array_equal(xb[:, 0], [8, 10, 12, 14])
    np.testing.assert_allclose(wb, w[4:8])


def test_read_only_memmap_with_scale(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (50, 4, 4), dtype=np.uint8)
    np.save(tmp_path / "x.npy", images)
    X = np.load(tmp_path / "x.npy", mmap_mode="r")
    assert not X.flags.writeable
    it = BatchIterator(X, batch_size=7, seed=0, scale=1 / 255)
    total = np.zeros((4, 4))
    for xb, yb, _ in it:
        assert yb is None and xb.shape[1:] == (4, 4) and xb.dtype == np.float32
        total += xb.sum(axis=0)
    np.testing.assert_allclose(total, images.sum(axis=0) / 255, rtol=1e-5)


def test_rows_sorted_within_batch_when_shuffled():
    X = np.arange(40, dtype=np.float32)[:, None]
    for xb, _, _ in BatchIterator(X, batch_size=8, seed=0):
        assert np.all(np.diff(xb[:, 0]) > 0)


def test_validation():
    X, y = data()
    with pytest.raises(ShapeError):
        BatchIterator(X, y[:-1])
    with pytest.raises(ShapeError):
        BatchIterator(X, sample_weight=np.ones((103, 2)))
    with pytest.raises(ConfigError):
        BatchIterator(X, batch_size=0)
    with pytest.raises(ShapeError):
        BatchIterator(np.array(["a", "b"]))
    assert BatchIterator(X[:3], batch_size=32).batch_size == 3


@pytest.mark.parametrize("how", ["batch_iterator", "fit"])
def test_training_on_a_memmap_never_copies_the_dataset(tmp_path, how):
    """Peak NumPy allocations stay far below the 24 MB file (tracemalloc sees
    NumPy's buffers; the pages of a file mapping are not allocations)."""
    import tracemalloc

    import glassnet as gn

    n, f = 24_000, 256
    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.standard_normal((n, f), dtype=np.float32))
    np.save(tmp_path / "y.npy", (np.arange(n) % 10).astype(np.uint8))
    X = np.load(tmp_path / "x.npy", mmap_mode="r")
    y = np.load(tmp_path / "y.npy", mmap_mode="r")
    net = gn.Sequential([gn.Dense(16, "relu", input_dim=f), gn.Dense(10, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam")
    tracemalloc.start()
    try:
        if how == "fit":
            h = net.fit(X, y, epochs=1, batch_size=500, verbose=0, seed=0)
            assert len(h) == 1 and np.isfinite(h["loss"][0])
        else:
            for xb, yb, _ in BatchIterator(X, y, batch_size=500, seed=0):
                net.train_step(xb, yb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.nbytes == n * f * 4 and peak < X.nbytes / 3, peak


def test_gather_is_np_take_into_one_buffer():
    """What the training loop does per batch: rows in permutation order (not
    sorted), the last batch partial, X / y / weights each in their dtype."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((23, 4)).astype(np.float32)
    y = rng.integers(0, 3, 23)
    w = rng.uniform(size=23)
    B = 5
    gathers = [Gather(a, B) for a in (X, y, w)]
    order = rng.permutation(23)
    for b in range(0, 23, B):
        idx = order[b:b + B]
        for gather, a in zip(gathers, (X, y, w), strict=True):
            got = gather(idx)
            assert got.dtype == a.dtype and np.shares_memory(got, gather.buffer)
            assert got.tobytes() == a[idx].tobytes()


def test_gather_casts_through_a_staging_buffer():
    X = np.arange(60, dtype=np.uint8).reshape(20, 3)
    gather = Gather(X, 4, np.float32)
    assert gather.stage is not None and gather.stage.dtype == np.uint8
    idx = np.array([7, 0, 19])
    assert gather(idx).tobytes() == X[idx].astype(np.float32).tobytes()
    assert Gather(X, 4).stage is None
