"""A callback that simulates a crash: Ctrl-C after ``n`` batches of a fit.

Shared by the checkpoint and resume tests (CPU, checking device, GPU, CNN);
``from crash import Crash`` works as ``import checkxp`` does, the tests folder
being on the path pytest gives its test modules."""

from __future__ import annotations

import glassnet as gn


class Crash(gn.callbacks.Callback):
    """Raise KeyboardInterrupt at the end of batch ``n`` of this fit call."""

    def __init__(self, n: int):
        self.n, self.seen = n, 0

    def on_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt
