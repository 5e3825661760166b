"""Telling class labels from regression targets: what stratified splits
(``splits.py``) and stratified folds (``folds.py``) stratify by."""

from __future__ import annotations

import numpy as np


def class_labels(y: np.ndarray | None) -> np.ndarray | None:
    """Return 1-D class labels if ``y`` looks like classification targets.

    Integer, boolean and string labels of shape (n,) or (n, 1) qualify, and
    so do one-hot rows of shape (n, K) (their argmax is returned). Anything
    else (float regression targets) gives ``None``.
    """
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 1 and (y.dtype.kind in "iubUSO"):
        return y
    if y.ndim == 2 and y.shape[1] > 1 and np.isin(y, (0, 1)).all():
        if np.all(y.sum(axis=1) == 1):
            return y.argmax(axis=1)
    return None
