"""Mini-batches on the model's device: where fit() gets each (xb, yb, wb).

The user's arrays stay NumPy. fit() builds one feed for its training rows
(X, y and the row weights w) and the loop asks it for each epoch's batches,
cut from that epoch's row order π (batch b = rows π[bB : (b+1)B]):

- ``StreamFeed`` gathers the rows of each batch into host buffers allocated
  once (``glassnet.data.batching.Gather``) and hands them to the device: on
  the CPU as they are, on a GPU as one copy per array per batch;
- ``ResidentFeed`` copies the whole training set to the device once per
  fit() and gathers each batch there (``xp.take`` into device buffers
  allocated once), so a batch costs no transfer at all; only π is copied,
  once per epoch.

``feed_for`` chooses: on a device, resident when X, y and w together take
at most ``RESIDENT_FRACTION`` of the free device memory, streamed otherwise.
Either way the batches, their order and so the trained weights are the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from glassnet.core.backend import Backend
from glassnet.data.batching import Gather

#: share of the free device memory a training set may take to live there
RESIDENT_FRACTION = 0.5


def feed_for(backend: Backend, arrays: tuple, batch_size: int, dtype=None):
    """The feed for ``arrays`` = (X, y, w or None) on ``backend``'s device;
    X's batches come in ``dtype`` (the model's), cast as they are gathered
    (fit keeps float64 data as given rather than converting it whole)."""
    if backend.is_host:
        return StreamFeed(backend, arrays, batch_size, dtype)
    nbytes = sum(a.nbytes for a in arrays if a is not None)
    if nbytes <= RESIDENT_FRACTION * backend.free_bytes():
        return ResidentFeed(backend, arrays, batch_size, dtype)
    return StreamFeed(backend, arrays, batch_size, dtype)


def _dtypes(arrays: tuple, dtype) -> list:
    """Each array's batch dtype: X in ``dtype`` (when given), the rest as is."""
    return [None if a is None else (dtype if k == 0 and dtype is not None
                                    else a.dtype) for k, a in enumerate(arrays)]


class StreamFeed:
    """Each batch gathered on the host, then moved to the device."""

    resident = False

    def __init__(self, backend: Backend, arrays: tuple, batch_size: int,
                 dtype=None):
        self.to_device, self.B = backend.to_device, batch_size
        self.gathers = tuple(None if a is None else Gather(a, batch_size, dt)
                             for a, dt in zip(arrays, _dtypes(arrays, dtype),
                                              strict=True))

    def batches(self, order: np.ndarray, first: int, n_batches: int) -> Iterator:
        """(b, xb, yb, wb) for batches first … n_batches − 1 of ``order``."""
        B = self.B
        for b in range(first, n_batches):
            idx = order[b * B:(b + 1) * B]
            yield (b, *(None if g is None else self.to_device(g(idx))
                        for g in self.gathers))


class ResidentFeed:
    """The training set on the device; each batch gathered there."""

    resident = True

    def __init__(self, backend: Backend, arrays: tuple, batch_size: int,
                 dtype=None):
        xp = self.xp = backend.xp
        self.to_device, self.B = backend.to_device, batch_size
        dtypes = _dtypes(arrays, dtype)
        self.sources = tuple(None if a is None else backend.to_device(a, dt)
                             for a, dt in zip(arrays, dtypes, strict=True))
        self.buffers = tuple(None if a is None else       # (n, …) once per fit
                             xp.empty((batch_size, *a.shape[1:]), dtype=dt)
                             for a, dt in zip(arrays, dtypes, strict=True))  # reused

    def batches(self, order: np.ndarray, first: int, n_batches: int) -> Iterator:
        """(b, xb, yb, wb) for batches first … n_batches − 1 of ``order``."""
        B, take = self.B, self.xp.take
        order = self.to_device(np.ascontiguousarray(order))   # π, once per epoch
        for b in range(first, n_batches):
            idx = order[b * B:(b + 1) * B]
            m = len(idx)
            yield (b, *(None if s is None else take(s, idx, axis=0, out=buf[:m])
                        for s, buf in zip(self.sources, self.buffers, strict=True)))
