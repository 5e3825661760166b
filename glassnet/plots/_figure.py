"""Headless figures: matplotlib's object API with the Agg canvas.

No pyplot, so no global figure state and no GUI backend: every plot function
builds a ``Figure``, draws on it and writes a PNG, which works the same on a
laptop, a server and in CI. Called without a path, a plot function returns
the figure instead, and a notebook shows it inline.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from glassnet.errors import ConfigError
from glassnet.files.atomic import atomic_write_bytes

POSITIVE, NEGATIVE = "#1f77b4", "#d62728"  # weight sign colours: blue +, red −
TRAIN, VALID = "#1f77b4", "#ff7f0e"


def new_figure(width: float = 6.4, height: float = 4.8):
    """A Figure drawn by the Agg (PNG) canvas; raises if matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ConfigError("plots need matplotlib, which is not installed. Install "
                          "it with: pip install 'glassnet[plot]'") from exc
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Write the figure as PNG (atomically) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, png_bytes(fig, dpi))
    return path


def png_bytes(fig, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def shown_inline(fig):
    """Give a pyplot-free figure a PNG display, so Jupyter draws it inline when
    it is the last expression of a cell (IPython looks up ``_repr_png_``)."""
    fig._repr_png_ = lambda: png_bytes(fig)
    return fig


def finish(fig, path: str | os.PathLike[str] | None):
    """Save to ``path`` and return the path; without a path, return the figure
    itself, which Jupyter draws inline."""
    return shown_inline(fig) if path is None else save(fig, path)


def grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    """(rows, cols) for n small panels."""
    cols = min(n, max_cols)
    return -(-n // cols), cols
