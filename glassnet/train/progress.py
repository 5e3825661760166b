"""What fit() prints while it trains.

verbose=1 on a terminal with tqdm installed: one bar per epoch, with the
batches done, the time left (ETA) and the running loss and metrics. In a
Jupyter notebook with tqdm and ipywidgets installed, the same bar in tqdm's
notebook (widget) form. Otherwise (verbose=2, output redirected to a file or
a pipe, no tqdm): one stable line per epoch, easy to grep and to diff:

    epoch  3/40  loss 0.6799  accuracy 0.6375  lr 0.01  val_loss 0.7648  0.01s
"""

from __future__ import annotations

import importlib.util
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
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


def in_notebook() -> bool:
    """True inside a Jupyter kernel (looked up without importing IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "ipykernel" in sys.modules \
        and hasattr(shell, "kernel")


def _notebook_tqdm():
    """tqdm's widget bar, when tqdm and ipywidgets are both installed."""
    if importlib.util.find_spec("ipywidgets") is None:
        return None
    try:
        from tqdm.notebook import tqdm
    except ImportError:
        return None
    return tqdm


def bar_class(verbose, stream: IO | None = None):
    """The tqdm class to draw with, or None for one plain line per epoch:
    a bar only for verbose=1, in a notebook (widget form) or on a terminal."""
    if verbose != 1:
        return None
    if stream is None and in_notebook():
        return _notebook_tqdm()
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return _tqdm() if callable(isatty) and isatty() else None


def use_bar(verbose, stream: IO | None = None) -> bool:
    """Whether fit() draws a progress bar (see ``bar_class``)."""
    return bar_class(verbose, stream) is not None


class EpochProgress:
    """Per-epoch progress report; fit() calls begin/batch/end for each epoch."""

    def __init__(self, verbose, n_batches: int, end_epoch: int,
                 stream: IO | None = None):
        self.verbose = verbose
        self.n_batches, self.end_epoch = n_batches, end_epoch
        self.stream = stream
        self.bar_class = bar_class(verbose, stream)
        widget = _notebook_tqdm()
        self.notebook = widget is not None and self.bar_class is widget
        self.bar = None
        self._last = 0.0

    def begin(self, epoch: int, first_batch: int = 0) -> None:
        if self.bar_class is None:
            return
        width = len(str(self.end_epoch))
        desc = f"epoch {epoch + 1:>{width}}/{self.end_epoch}"
        if self.notebook:  # the widget sizes itself
            self.bar = self.bar_class(total=self.n_batches, initial=first_batch,
                                      unit="batch", desc=desc, leave=True)
            self._last = 0.0
            return
        # shutil falls back to 80×24 where the terminal reports 0×0 (e.g. some
        # CI ptys), where tqdm would otherwise draw nothing.
        cols, rows = shutil.get_terminal_size()
        self.bar = self.bar_class(
            total=self.n_batches, initial=first_batch, unit="batch", desc=desc,
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
