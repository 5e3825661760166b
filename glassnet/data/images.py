"""Generated images (no download): outlines of shapes for convolutional networks.

``shapes(n, size)`` draws one outline per image — a square, a circle, a plus or
an ×, at a random place and size — with soft one-pixel strokes and Gaussian
noise. A square and a plus are made of horizontal and vertical edges, an ×
of diagonal ones and a circle of every direction, so the first-layer filters
of a network that tells them apart have to become edge detectors.
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import Seed, as_rng, check_non_negative, check_positive_int
from glassnet.errors import ConfigError, expected

SHAPE_NAMES = ("square", "circle", "plus", "cross")


def shapes(n: int = 1000, size: int = 16, noise: float = 0.1, seed: Seed = 0
           ) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): X (n, size, size, 1) float32 in [0, 1], y (n,) int64 classes
    indexing ``SHAPE_NAMES``, balanced and shuffled."""
    n = check_positive_int(n, "n", "Pass e.g. n=1000.")
    size = check_positive_int(size, "size", "Pass e.g. size=16.")
    if size < 8:
        raise ConfigError(expected("size ≥ 8 pixels", size, "Pass e.g. size=16."))
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    y = np.arange(n, dtype=np.int64) % len(SHAPE_NAMES)
    rng.shuffle(y)
    centre = rng.uniform(0.4, 0.6, size=(2, n, 1, 1)) * size
    radius = rng.uniform(0.2, 0.32, size=(n, 1, 1)) * size
    rows, cols = np.mgrid[0:size, 0:size] + 0.5             # pixel centres
    dy, dx = rows - centre[0], cols - centre[1]             # (n, size, size)
    ady, adx = np.abs(dy), np.abs(dx)
    inside = np.maximum(ady, adx) <= radius + 0.5
    distance = np.stack([                                   # to the outline
        np.abs(np.maximum(ady, adx) - radius),              # square
        np.abs(np.hypot(dy, dx) - radius),                  # circle
        np.where(inside, np.minimum(ady, adx), np.inf),     # plus
        np.where(inside, np.abs(ady - adx) / np.sqrt(2), np.inf),   # ×
    ])[y, np.arange(n)]
    X = np.clip(1.0 - distance, 0.0, 1.0)                   # soft 1-pixel strokes
    X += noise * rng.standard_normal(X.shape)
    return np.clip(X, 0.0, 1.0).astype(np.float32)[..., None], y
