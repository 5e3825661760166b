"""Shuffled mini-batches in bounded memory, from arrays or memory maps.

Each epoch draws a permutation π of the n rows from the iterator's generator
and cuts it into batches of B rows: batch b holds rows π[bB : (b+1)B]. Rows
are gathered into buffers allocated once, shape (B, ...); the last, partial
batch is a leading slice of the same buffers. Nothing ever copies the whole
dataset, so an ``np.load(path, mmap_mode="r")`` array larger than memory
trains with only B rows resident at a time (plus the OS page cache).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from glassnet._validation import Seed, as_rng, check_positive_int
from glassnet.errors import ShapeError, expected

Batch = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]


class Gather:
    """Copy rows ``idx`` of ``source`` into a buffer allocated once.

        gather = Gather(X, B)        # buffer (B, *X.shape[1:]), X's dtype
        xb = gather(idx)             # = X[idx], written into the buffer

    ``idx`` holds at most B valid row indices, in any order; the result is a
    leading slice of the buffer, overwritten by the next call. With another
    ``dtype`` the rows are staged in the source dtype and cast into the buffer
    (so a uint8 memory map trains as float32 without converting it whole).
    The training loop and ``BatchIterator`` both gather batches with it.
    """

    def __init__(self, source: np.ndarray, rows: int, dtype: Any = None):
        self.source = source
        dtype = source.dtype if dtype is None else dtype
        self.buffer = np.empty((rows, *source.shape[1:]), dtype=dtype)
        # rows are staged in the source dtype when a cast is needed
        self.stage = (
            None
            if self.buffer.dtype == source.dtype
            else np.empty((rows, *source.shape[1:]), dtype=source.dtype)
        )

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        m = len(idx)
        if self.stage is None:
            # mode="clip" lets NumPy write straight into `out` (indices are valid)
            np.take(self.source, idx, axis=0, out=self.buffer[:m], mode="clip")
        else:
            np.take(self.source, idx, axis=0, out=self.stage[:m], mode="clip")
            np.copyto(self.buffer[:m], self.stage[:m], casting="same_kind")
        return self.buffer[:m]


class BatchIterator:
    """Iterate ``(xb, yb, wb)`` mini-batches; yb / wb are None without y / weights.

    X: (n, ...) any numeric array, including read-only memory maps.
    y: (n, ...) targets; integer labels stay int64, float targets take ``dtype``.
    sample_weight: (n,) per-row weights, yielded as ``wb`` in ``dtype``.
    scale: optional factor applied to each X batch in the buffer
        (e.g. 1/255 for uint8 images, without converting the whole array).

    With ``shuffle`` the rows of each batch are gathered in ascending index
    order (sequential reads from disk); which rows form a batch, and the
    batch order, come from the seeded permutation, so the same seed gives the
    same batches. The yielded arrays are overwritten by the next batch: copy
    one if you need to keep it.
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int = 32,
        *,
        shuffle: bool = True,
        seed: Seed = None,
        sample_weight: Any = None,
        drop_last: bool = False,
        dtype: Any = np.float32,
        scale: float | None = None,
    ):
        X = np.asarray(X)  # a memmap stays a view of the file: no copy
        if X.ndim == 0 or len(X) == 0 or X.dtype.kind not in "biuf":
            raise ShapeError(
                expected(
                    "X as a numeric array with at least one row",
                    f"shape {X.shape}, dtype {X.dtype}",
                    "Pass an array of shape (n_samples, ...).",
                )
            )
        self.n = len(X)
        self.batch_size = min(check_positive_int(batch_size, "batch_size"), self.n)
        self.shuffle, self.drop_last, self.scale = shuffle, drop_last, scale
        self.rng = as_rng(seed)
        self.x = Gather(X, self.batch_size, dtype)
        labels = y is not None and np.asarray(y).dtype.kind in "biu"
        self.y = self._optional(y, "y", np.int64 if labels else dtype)
        self.w = self._optional(sample_weight, "sample_weight", dtype)
        if self.w is not None and self.w.source.ndim != 1:
            raise ShapeError(
                expected(
                    f"sample_weight of shape ({self.n},)",
                    self.w.source.shape,
                    "Pass one weight per row.",
                )
            )
        self._order = np.arange(self.n)
        self._idx = np.empty(self.batch_size, dtype=np.intp)

    def _optional(self, a: Any, name: str, dtype: Any) -> Gather | None:
        if a is None:
            return None
        a = np.asarray(a)
        if a.ndim == 0 or len(a) != self.n or a.dtype.kind not in "biuf":
            raise ShapeError(
                expected(
                    f"{name} with {self.n} numeric rows (one per row)",
                    f"shape {a.shape}, dtype {a.dtype}",
                    f"Pass {name} with len(X) rows.",
                )
            )
        return Gather(a, self.batch_size, dtype)

    @property
    def n_batches(self) -> int:
        full, rest = divmod(self.n, self.batch_size)
        return full + (rest > 0 and not self.drop_last)

    def __len__(self) -> int:
        return self.n_batches

    def __iter__(self) -> Iterator[Batch]:
        return self.epoch()

    def epoch(self) -> Iterator[Batch]:
        """One pass over the data, in a new order drawn from the generator."""
        order = self.rng.permutation(self.n) if self.shuffle else self._order
        B = self.batch_size
        for b in range(self.n_batches):
            part = order[b * B : (b + 1) * B]
            idx = self._idx[: len(part)]
            idx[...] = part
            if self.shuffle:
                idx.sort()
            xb = self.x(idx)
            if self.scale is not None:
                xb *= self.scale
            yield (
                xb,
                None if self.y is None else self.y(idx),
                None if self.w is None else self.w(idx),
            )
