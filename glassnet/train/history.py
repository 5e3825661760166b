"""``History``: what fit() recorded, epoch by epoch (Keras-compatible)."""

from __future__ import annotations

import csv
import io
import json
import math
from html import escape

import numpy as np

from glassnet.errors import ConfigError, expected
from glassnet.files.atomic import atomic_write_bytes
from glassnet.plots.curves import history_figure

_HTML_ROWS = 12  # epochs shown in the notebook table (the first and last ones)


class History:
    """Per-epoch training and validation values.

    ``history.history`` maps names ("loss", "val_loss", "accuracy",
    "val_accuracy", "lr", …) to one value per epoch; ``history.epoch`` holds
    the epoch indices. ``diagnostics`` holds the glass-box records, and
    ``validation_indices`` the rows a ``validation_split`` held out.

    Epochs are counted from 1 for people — in every message, in the files
    (``to_csv``, ``to_json``: "epoch" 1, 2, 3, …) and in the file names of
    ``ModelCheckpoint`` — and from 0 in Python, as in Keras: ``history.epoch``,
    ``best()``, the callbacks' ``epoch`` argument and the diagnostics records
    are indices (epoch index 0 is epoch 1).
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.diagnostics: list[dict] = []
        self.validation_indices: np.ndarray | None = None
        self.train_indices: np.ndarray | None = None
        self.interrupted = False
        self.stopped_reason: str | None = None
        self.params: dict = {}

    def append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        n = len(self.epoch)
        for k, v in logs.items():
            self.history.setdefault(k, [float("nan")] * (n - 1)).append(float(v))
        for vals in self.history.values():
            if len(vals) < n:
                vals.append(float("nan"))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __len__(self) -> int:
        return len(self.epoch)

    def best(self, monitor: str = "val_loss", mode: str = "min") -> tuple[int, float]:
        """(epoch, value) of the best recorded value of ``monitor``."""
        if monitor not in self.history or mode not in ("min", "max"):
            got = (f"monitor={monitor!r}, mode={mode!r}; recorded: "
                   f"{sorted(self.history) or 'nothing yet'}")
            raise ConfigError(expected("a recorded name and mode 'min' or 'max'", got,
                                       "Pass e.g. best('loss') without validation "
                                       "data, or best('val_accuracy', 'max')."))
        vals = np.array(self.history[monitor], dtype=float)
        i = int(np.nanargmin(vals) if mode == "min" else np.nanargmax(vals))
        return self.epoch[i], float(vals[i])

    def to_csv(self, path=None) -> str:
        keys = list(self.history)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["epoch", *keys])
        for i, e in enumerate(self.epoch):
            w.writerow([e + 1, *[repr(self.history[k][i]) for k in keys]])
        text = buf.getvalue()
        if path is not None:
            atomic_write_bytes(path, text.encode())
        return text

    def to_dict(self) -> dict:
        clean = {k: [None if (isinstance(x, float) and not math.isfinite(x)) else x
                     for x in v] for k, v in self.history.items()}
        return {"epoch_base": 1, "epoch": [e + 1 for e in self.epoch],
                "history": clean, "interrupted": self.interrupted,
                "stopped_reason": self.stopped_reason,
                "diagnostics": [_shift(r, +1) for r in self.diagnostics]}

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=1, default=_jsonable)
        if path is not None:
            atomic_write_bytes(path, text.encode())
        return text

    @classmethod
    def from_dict(cls, d: dict) -> History:
        h = cls()
        base = 1 if d.get("epoch_base") == 1 else 0   # files before it: from 0
        h.epoch = [int(e) - base for e in d.get("epoch", [])]
        h.history = {k: [float("nan") if x is None else float(x) for x in v]
                     for k, v in d.get("history", {}).items()}
        h.diagnostics = [_shift(r, -base) for r in d.get("diagnostics", [])]
        h.interrupted = bool(d.get("interrupted", False))
        h.stopped_reason = d.get("stopped_reason")
        return h

    def plot(self, title: str = ""):
        """Loss and metrics per epoch as a matplotlib figure (training solid,
        validation dashed); in Jupyter it displays inline. Needs matplotlib."""
        return history_figure(self, title)

    def _repr_html_(self) -> str:
        """Jupyter: a table of the values per epoch (long runs: first and last)."""
        keys = [k for k in self.history if k != "time"]
        n = len(self.epoch)
        shown = list(range(n)) if n <= _HTML_ROWS else \
            [*range(_HTML_ROWS // 2), None, *range(n - _HTML_ROWS // 2, n)]
        head = "".join(f"<th>{escape(k)}</th>" for k in ["epoch", *keys])
        rows = []
        for i in shown:
            if i is None:
                rows.append(f"<tr><td colspan='{len(keys) + 1}'>⋮</td></tr>")
                continue
            cells = "".join(f"<td>{self.history[k][i]:.4g}</td>" for k in keys)
            rows.append(f"<tr><td>{self.epoch[i] + 1}</td>{cells}</tr>")
        note = f"History: {n} epoch{'s' if n != 1 else ''}"
        if self.stopped_reason:
            note += f" — {escape(self.stopped_reason)}"
        return (f"<div class='glassnet-history'><p>{note} "
                "(<code>history.plot()</code> draws the curves)</p><table>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
                "</table></div>")

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return f"History(epochs={len(self)}, last={last})"


def _shift(record, by: int):
    """A diagnostics record with its epoch and batch counted from ``by`` more."""
    if not isinstance(record, dict) or not by:
        return record
    return {**record, **{k: record[k] + by for k in ("epoch", "batch")
                         if isinstance(record.get(k), int)}}


def _jsonable(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o).__name__)
