"""The playground's data: generated 2-D point sets, an uploaded CSV, the
input features computed from (x₁, x₂), and the grid the heat maps are drawn on.

The built-in sets come from ``glassnet.data.generated`` with an explicit
seed, scaled to lie in [-6, 6]² as in TensorFlow Playground. ``noise`` is a
share of that scale (0 … 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.data import generated as g
from glassnet.data.csv import load_csv_bytes
from glassnet.data.splits import split_indices
from glassnet.errors import DataError, expected
from glassnet.playground.settings import MAX_UPLOAD_BYTES

N_POINTS = 400                 # points of a built-in dataset (train + test)
VIEW = 6.0                     # built-in data is drawn on [-VIEW, VIEW]²
MAX_UPLOAD_ROWS = 2000
MAX_UPLOAD_VALUE = 1e6


def generate(name: str, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X (N_POINTS, 2) in about [-6, 6]², y (N_POINTS,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    n = N_POINTS
    if name == "circles":
        X, y = g.circles(n, noise=0.4 * noise, factor=0.5, seed=rng)
        return 5.0 * X, y
    if name == "xor":
        X, y = g.xor_points(n, noise=0.4 * noise, seed=rng)
        return 5.0 * X, y
    if name == "gauss":
        X, y = g.blobs(n, centers=[[-2.0, -2.0], [2.0, 2.0]], std=0.6 + 4.0 * noise,
                       seed=rng)
        return X, y
    if name == "spirals":
        X, y = g.spirals(n, classes=2, noise=0.6 * noise, seed=rng)
        return 5.5 * X, y
    if name == "moons":
        X, y = g.moons(n, noise=0.4 * noise, seed=rng)
        return 3.5 * (X - [0.5, 0.25]), y
    raise DataError(expected("a built-in dataset", repr(name),
                             "Pick circles, xor, gauss, spirals or moons."))


def read_upload(raw: bytes) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """An uploaded CSV: two numeric feature columns and a two-class target
    (the last column), checked by ``load_csv_bytes`` like any CSV file."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise DataError(expected(f"a CSV of at most {MAX_UPLOAD_BYTES // 1024} KB",
                                 f"{len(raw):,} bytes",
                                 "Upload fewer rows (the page shows up to "
                                 f"{MAX_UPLOAD_ROWS})."))
    ds = load_csv_bytes(raw, source="upload.csv", task="classification")
    if ds.X.shape[1] != 2:
        raise DataError(expected("2 feature columns (x₁, x₂) and the class last",
                                 f"{ds.X.shape[1]} feature columns {ds.feature_names}",
                                 "Keep two numeric columns and the class column."))
    if len(ds.class_names or []) != 2:
        raise DataError(expected("2 classes in the last column",
                                 f"{len(ds.class_names or [])} {ds.class_names}",
                                 "The playground separates two classes."))
    if np.abs(ds.X).max() > MAX_UPLOAD_VALUE:
        raise DataError(expected(f"feature values within ±{MAX_UPLOAD_VALUE:g}",
                                 f"{np.abs(ds.X).max():g}", "Rescale the columns "
                                 "(the page draws the plane they span)."))
    if len(ds.X) > MAX_UPLOAD_ROWS or len(ds.X) < 4:
        raise DataError(expected(f"4 to {MAX_UPLOAD_ROWS} rows", len(ds.X),
                                 "Upload a sample of your data."))
    return ds.X, ds.y, list(ds.class_names)


@dataclass
class Points:
    """Train and test points in the data's own coordinates (x₁, x₂)."""

    X_train: np.ndarray     # (n_train, 2)
    y_train: np.ndarray     # (n_train,) in {0, 1}
    X_test: np.ndarray      # (n_test, 2)
    y_test: np.ndarray
    extent: tuple[float, float, float, float]   # x₁ from, x₁ to, x₂ from, x₂ to
    class_names: list[str]

    def to_dict(self) -> dict:
        return {"train": _rows(self.X_train, self.y_train),
                "test": _rows(self.X_test, self.y_test),
                "extent": list(self.extent), "class_names": self.class_names}


def _rows(X: np.ndarray, y: np.ndarray) -> list:
    return [[round(float(a), 4), round(float(b), 4), int(c)]
            for (a, b), c in zip(X, y, strict=True)]


def split(X: np.ndarray, y: np.ndarray, train_ratio: float, seed: int,
          class_names: list[str], fixed_view: bool) -> Points:
    """A stratified split with ``train_ratio`` of the points for training."""
    n_test = min(max(1, round(len(X) * (1.0 - train_ratio))), len(X) - 2)
    train, test = split_indices(len(X), n_test, y=y, seed=seed)
    extent = (-VIEW, VIEW, -VIEW, VIEW) if fixed_view else _extent(X)
    return Points(X[train], y[train], X[test], y[test], extent, class_names)


def _extent(X: np.ndarray) -> tuple[float, float, float, float]:
    """Bounds of the points with a 10% margin (an uploaded CSV's own scale)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(0.1 * (hi - lo), 1e-3)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]),
            float(lo[1] - pad[1]), float(hi[1] + pad[1]))


# -- input features -------------------------------------------------------------
FEATURE_FORMULAS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}


def features(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The network's input: one column per chosen feature of (x₁, x₂), (n, F)."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURE_FORMULAS[name](x1, x2) for name in names])


def grid(extent: tuple[float, float, float, float], n: int) -> np.ndarray:
    """Cell centres of an n×n grid over ``extent``, row by row from the top
    (largest x₂) like a canvas: (n·n, 2)."""
    x1 = extent[0] + (np.arange(n) + 0.5) * (extent[1] - extent[0]) / n
    x2 = extent[3] - (np.arange(n) + 0.5) * (extent[3] - extent[2]) / n
    g1, g2 = np.meshgrid(x1, x2)            # (n, n): g2 constant along a row
    return np.column_stack([g1.ravel(), g2.ravel()])
