"""Scalers: each feature rescaled with statistics of the training rows only.

Fit on the training split, then apply the *same* transform to validation,
test and prediction data -- statistics from test rows must never leak into
training. ``to_dict()`` returns ``(config, arrays)`` so a model file can hold
the fitted scaler without pickle (``preprocessing.preprocessor_from_dict``
rebuilds it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import check_features, not_fitted
from glassnet.errors import ConfigError, expected

_EPS = np.finfo(np.float64).eps


def _float(X: np.ndarray) -> np.dtype:
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


def _mean_std(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column μ and σ, computed on X / max|X| so that columns of values
    near ±1e308 (whose squares, even sums, overflow) still give finite ones."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = X.mean(axis=0), X.std(axis=0)
    if np.isfinite(mean).all() and np.isfinite(std).all():
        return mean, std
    top = np.abs(X).max(axis=0)
    top = np.where(top > 0, top, 1.0)
    scaled = X / top                                   # |x / max|x|| ≤ 1
    return scaled.mean(axis=0) * top, scaled.std(axis=0) * top


class StandardScaler:
    """Standardise each feature:  z = (x − μ) / σ   (inverse: x = z σ + μ).

    μ, σ: per-feature mean and standard deviation of the training rows. A
    constant feature (σ ≈ 0) keeps σ = 1, so it maps to 0 instead of ±inf.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None  # (F,)
        self.scale_: np.ndarray | None = None  # (F,)

    def fit(self, X: Any) -> StandardScaler:
        X = check_features(X).astype(np.float64)
        self.mean_, std = _mean_std(X)
        constant = std <= 10 * _EPS * np.maximum(np.abs(self.mean_), 1.0)
        self.scale_ = np.where(constant, 1.0, std)
        return self

    def _fitted(self, X: Any) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise not_fitted(self)
        return check_features(X, len(self.mean_))

    def transform(self, X: Any) -> np.ndarray:
        X = self._fitted(X)
        with np.errstate(over="ignore"):
            Z = (X - self.mean_) / self.scale_
        if not np.isfinite(Z).all():   # x − μ overflowed: near ±1.8e308 both
            Z = X / self.scale_ - self.mean_ / self.scale_
        return Z.astype(_float(X), copy=False)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        Z = self._fitted(Z)
        return (Z * self.scale_ + self.mean_).astype(_float(Z), copy=False)

    def to_dict(self) -> tuple[dict, dict[str, np.ndarray]]:
        if self.mean_ is None or self.scale_ is None:
            raise not_fitted(self)
        return (
            {"class": "StandardScaler", "n_features": len(self.mean_)},
            {"mean": self.mean_.copy(), "scale": self.scale_.copy()},
        )

    @classmethod
    def from_dict(cls, config: dict, arrays: dict[str, np.ndarray]) -> StandardScaler:
        scaler = cls()
        n = saved_width(config)
        scaler.mean_ = saved_vector(arrays, "mean", n)
        scaler.scale_ = saved_vector(arrays, "scale", n)
        if (scaler.scale_ <= 0).any():
            raise ConfigError(expected("a saved scale σ > 0 for every feature",
                                       f"σ = {scaler.scale_.min()}",
                                       "Re-fit the scaler and save it again."))
        return scaler


class MinMaxScaler:
    """Rescale each feature into ``feature_range`` = (lo, hi):

        x' = lo + (x − min) · (hi − lo) / (max − min)

    min, max from the training rows; a constant feature maps to lo.
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        lo, hi = feature_range
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ConfigError(
                expected(
                    "feature_range (lo, hi) with lo < hi",
                    feature_range,
                    "Pass e.g. (0.0, 1.0).",
                )
            )
        self.feature_range = (float(lo), float(hi))
        self.data_min_: np.ndarray | None = None  # (F,)
        self.data_max_: np.ndarray | None = None  # (F,)

    @property
    def scale_(self) -> np.ndarray:
        if self.data_min_ is None or self.data_max_ is None:
            raise not_fitted(self)
        span = self.data_max_ - self.data_min_
        lo, hi = self.feature_range
        return (hi - lo) / np.where(span == 0, 1.0, span)

    def fit(self, X: Any) -> MinMaxScaler:
        X = check_features(X)
        self.data_min_ = X.min(axis=0).astype(np.float64)
        self.data_max_ = X.max(axis=0).astype(np.float64)
        return self

    def transform(self, X: Any) -> np.ndarray:
        scale = self.scale_
        X = check_features(X, len(scale))
        out = (X - self.data_min_) * scale + self.feature_range[0]
        return out.astype(_float(X), copy=False)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        scale = self.scale_
        Z = check_features(Z, len(scale))
        out = (Z - self.feature_range[0]) / scale + self.data_min_
        return out.astype(_float(Z), copy=False)

    def to_dict(self) -> tuple[dict, dict[str, np.ndarray]]:
        scale = self.scale_
        return (
            {
                "class": "MinMaxScaler",
                "n_features": len(scale),
                "feature_range": list(self.feature_range),
            },
            {"data_min": self.data_min_.copy(), "data_max": self.data_max_.copy()},
        )

    @classmethod
    def from_dict(cls, config: dict, arrays: dict[str, np.ndarray]) -> MinMaxScaler:
        low_high = config.get("feature_range")
        if not isinstance(low_high, list | tuple) or len(low_high) != 2:
            raise ConfigError(expected("a saved feature_range [lo, hi]",
                                       repr(low_high)[:40], "Re-save the scaler."))
        scaler = cls(tuple(low_high))
        n = saved_width(config)
        scaler.data_min_ = saved_vector(arrays, "data_min", n)
        scaler.data_max_ = saved_vector(arrays, "data_max", n)
        if (scaler.data_max_ < scaler.data_min_).any():
            raise ConfigError(expected("saved data_max ≥ data_min", "a column with "
                                       "max < min", "Re-fit the scaler."))
        return scaler


def saved_width(config: dict) -> int:
    """The saved ``n_features``: a positive int."""
    n = config.get("n_features")
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ConfigError(expected("a saved n_features as a positive int",
                                   repr(n)[:40], "Re-save the scaler."))
    return n


def saved_vector(arrays: dict, key: str, n: int) -> np.ndarray:
    """arrays[key] as a finite float64 vector of n values (one per feature)."""
    if key not in arrays:
        raise ConfigError(expected(f"a saved {key!r} array", f"only {sorted(arrays)}",
                                   "Re-save the scaler."))
    a = np.asarray(arrays[key])
    if a.shape != (n,) or a.dtype.kind not in "iuf" or not np.isfinite(a).all():
        raise ConfigError(expected(f"{key!r} as {n} finite numbers (one per "
                                   "feature)", f"{a.dtype} of shape {a.shape}",
                                   "Re-fit the scaler and save it again."))
    return a.astype(np.float64)
