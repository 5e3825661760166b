"""What fit() prints while it trains.

verbose=1 on a terminal with tqdm installed: one bar per epoch, with the
batches done, the time left (ETA) and the running loss and metrics.
Otherwise (verbose=2, output redirected to a file or a pipe, no tqdm): one
stable line per epoch, easy to grep and to diff between runs:

    epoch  3/40  loss 0.6799  accuracy 0.6375  lr 0.01  val_loss 0.7648  0.01s
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import IO

_REFRESH_S = 0.1  # seconds between postfix updates: formatting is not free


def log_line(epoch: int, end: int, logs: dict) -> str:
    """The one-line summary of an epoch (0-based ``epoch``, ``end`` epochs)."""
    parts = [f"epoch {epoch + 1:>{len(str(end))}}/{end}"]
    for k, v in logs.items():
        if k == "time":
            parts.append(f"{v:.2f}s")
        elif k == "lr":
            parts.append(f"lr {v:.3g}")
        else:
            parts.append(f"{k} {v:.4f}")
    return "  ".join(parts)


_SHORT = {"accuracy": "acc", "top_k_accuracy": "top_k"}
_BAR = "{desc} {percentage:3.0f}%|{bar:12}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}"


def _metrics_text(logs: dict) -> str:
    """'loss=0.4312 acc=0.912 val_loss=…' for the bar's tail."""
    parts = []
    for k, v in logs.items():
        if k in ("time", "lr"):
            continue
        prefix, base = ("val_", k[4:]) if k.startswith("val_") else ("", k)
        parts.append(f"{prefix}{_SHORT.get(base, base)}={v:.4f}")
    return " ".join(parts)


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def use_bar(verbose, stream: IO | None = None) -> bool:
    """A bar only for verbose=1, on a terminal, with tqdm installed."""
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return verbose == 1 and callable(isatty) and bool(isatty()) \
        and _tqdm() is not None


class EpochProgress:
    """Per-epoch progress report; fit() calls begin/batch/end for each epoch."""

    def __init__(self, verbose, n_batches: int, end_epoch: int,
                 stream: IO | None = None):
        self.verbose = verbose
        self.n_batches, self.end_epoch = n_batches, end_epoch
        self.stream = stream
        self.bar_class = _tqdm() if use_bar(verbose, stream) else None
        self.bar = None
        self._last = 0.0

    def begin(self, epoch: int, first_batch: int = 0) -> None:
        if self.bar_class is None:
            return
        width = len(str(self.end_epoch))
        # shutil falls back to 80×24 where the terminal reports 0×0 (e.g. some
        # CI ptys), where tqdm would otherwise draw nothing.
        cols, rows = shutil.get_terminal_size()
        self.bar = self.bar_class(
            total=self.n_batches, initial=first_batch, unit="batch",
            desc=f"epoch {epoch + 1:>{width}}/{self.end_epoch}",
            bar_format=_BAR + "{postfix}]",
            file=self.stream or sys.stdout, leave=True,
            ncols=min(cols, 120), nrows=max(rows, 2))
        self._last = 0.0

    def batch(self, sums: dict, seen: int) -> None:
        """One batch done; ``sums`` are the running sums over ``seen`` rows."""
        if self.bar is None:
            return
        self.bar.update(1)
        now = time.monotonic()
        if now - self._last >= _REFRESH_S:
            self._last = now
            running = {k: v / max(seen, 1) for k, v in sums.items()}
            self.bar.set_postfix_str(_metrics_text(running), refresh=False)

    def end(self, epoch: int, logs: dict) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(_metrics_text(logs), refresh=False)
            self.close()
        elif self.verbose:
            print(log_line(epoch, self.end_epoch, logs), file=self.stream or
                  sys.stdout, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
