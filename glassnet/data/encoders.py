"""Encoders: class labels <-> indices, categories <-> one-hot columns.

The categories are learnt in ``fit`` (sorted) and never from later data;
``to_dict()`` returns ``(config, arrays)`` so a model file can hold the
fitted encoder without pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import check_features, not_fitted
from glassnet.errors import ConfigError, DataError, ShapeError, expected


def _labels(y: Any, name: str = "y") -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.dtype.kind not in "biufUS":
        raise ShapeError(
            expected(
                f"{name} as a 1-D array of labels",
                f"shape {y.shape}, dtype {y.dtype}",
                "Pass one label (int or str) per sample.",
            )
        )
    if len(y) == 0:
        raise ShapeError(
            expected(f"at least one label in {name}", "none", "Pass a non-empty array.")
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ShapeError(
            expected(
                f"finite labels in {name}",
                "NaN or inf",
                "Drop the rows without a label.",
            )
        )
    return y


def _encode(values: np.ndarray, classes: np.ndarray, what: str) -> np.ndarray:
    """Index of each value in the sorted ``classes``; DataError if unknown."""
    if (values.dtype.kind in "US") != (classes.dtype.kind in "US"):
        raise DataError(
            expected(
                f"{what}s of the kind seen in fit ({classes.dtype})",
                f"dtype {values.dtype}",
                "Pass text labels if fitted on text, numbers if fitted on numbers.",
            )
        )
    codes = np.clip(np.searchsorted(classes, values), 0, len(classes) - 1)
    unknown = classes[codes] != values
    if unknown.any():
        shown = classes.tolist()[:12]
        raise DataError(
            expected(
                f"{what} seen in fit, one of {shown}",
                repr(values[np.argmax(unknown)].item()),
                "Refit on data that contains it.",
            )
        )
    return codes.astype(np.int64)


class LabelEncoder:
    """Class labels <-> indices 0..K−1, with ``classes_`` sorted."""

    def __init__(self) -> None:
        self.classes_: np.ndarray | None = None

    def fit(self, y: Any) -> LabelEncoder:
        self.classes_ = np.unique(_labels(y))
        return self

    def transform(self, y: Any) -> np.ndarray:
        if self.classes_ is None:
            raise not_fitted(self)
        return _encode(_labels(y), self.classes_, "a label")

    def fit_transform(self, y: Any) -> np.ndarray:
        return self.fit(y).transform(y)

    def inverse_transform(self, codes: Any) -> np.ndarray:
        if self.classes_ is None:
            raise not_fitted(self)
        codes = np.asarray(codes)
        if (
            codes.dtype.kind not in "iu"
            or ((codes < 0) | (codes >= len(self.classes_))).any()
        ):
            raise ShapeError(
                expected(
                    f"integer codes in [0, {len(self.classes_)})",
                    codes.dtype
                    if codes.dtype.kind not in "iu"
                    else f"values {codes.min()}..{codes.max()}",
                    "Pass predicted class indices, e.g. probs.argmax(axis=1).",
                )
            )
        return self.classes_[codes]

    def to_dict(self) -> tuple[dict, dict[str, np.ndarray]]:
        if self.classes_ is None:
            raise not_fitted(self)
        return {"class": "LabelEncoder", "classes": self.classes_.tolist()}, {}

    @classmethod
    def from_dict(cls, config: dict, arrays: dict[str, np.ndarray]) -> LabelEncoder:
        encoder = cls()
        encoder.classes_ = np.asarray(config["classes"])
        return encoder


class OneHotEncoder:
    """Categories -> 0/1 indicator columns, one per category (sorted).

    1-D input (labels, n) -> (n, K); 2-D input (n, C) -> the C blocks side by
    side. Unknown categories raise, or with ``handle_unknown="ignore"`` give an
    all-zero block.
    """

    def __init__(self, handle_unknown: str = "error", dtype: Any = np.float32) -> None:
        if handle_unknown not in ("error", "ignore"):
            raise ConfigError(
                expected(
                    "handle_unknown 'error' or 'ignore'",
                    repr(handle_unknown),
                    "Pick one of the two.",
                )
            )
        self.handle_unknown = handle_unknown
        self.dtype = np.dtype(dtype)
        self.categories_: list[np.ndarray] | None = None
        self.ndim_: int | None = None

    def _columns(self, X: Any) -> list[np.ndarray]:
        X = np.asarray(X)
        if X.ndim == 1:
            return [_labels(X, "X")]
        if X.ndim != 2:
            raise ShapeError(
                expected(
                    "X of shape (n,) or (n, columns)",
                    f"shape {X.shape}",
                    "Reshape the input.",
                )
            )
        return [_labels(X[:, j], f"X[:, {j}]") for j in range(X.shape[1])]

    def fit(self, X: Any) -> OneHotEncoder:
        self.ndim_ = np.asarray(X).ndim
        self.categories_ = [np.unique(c) for c in self._columns(X)]
        return self

    def transform(self, X: Any) -> np.ndarray:
        if self.categories_ is None:
            raise not_fitted(self)
        columns = self._columns(X)
        if len(columns) != len(self.categories_):
            raise ShapeError(
                expected(
                    f"{len(self.categories_)} columns (as in fit)",
                    len(columns),
                    "Pass the same columns.",
                )
            )
        n = len(columns[0])
        out = np.zeros((n, sum(len(c) for c in self.categories_)), dtype=self.dtype)
        start = 0
        for values, cats in zip(columns, self.categories_, strict=True):
            if self.handle_unknown == "ignore":
                codes = np.clip(np.searchsorted(cats, values), 0, len(cats) - 1)
                rows = np.flatnonzero(cats[codes] == values)
                out[rows, start + codes[rows]] = 1
            else:
                out[np.arange(n), start + _encode(values, cats, "a category")] = 1
            start += len(cats)
        return out

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        if self.categories_ is None:
            raise not_fitted(self)
        Z = check_features(Z, sum(len(c) for c in self.categories_), "Z")
        columns, start = [], 0
        for cats in self.categories_:
            block = Z[:, start : start + len(cats)]
            if (block.max(axis=1) <= 0).any():
                raise DataError(
                    expected(
                        "one active category per row and column",
                        "an all-zero block (unknown category)",
                        "Pass rows produced by transform.",
                    )
                )
            columns.append(cats[block.argmax(axis=1)])
            start += len(cats)
        return columns[0] if self.ndim_ == 1 else np.stack(columns, axis=1)

    def to_dict(self) -> tuple[dict, dict[str, np.ndarray]]:
        if self.categories_ is None:
            raise not_fitted(self)
        return (
            {
                "class": "OneHotEncoder",
                "categories": [c.tolist() for c in self.categories_],
                "ndim": self.ndim_,
                "handle_unknown": self.handle_unknown,
                "dtype": self.dtype.name,
            },
            {},
        )

    @classmethod
    def from_dict(cls, config: dict, arrays: dict[str, np.ndarray]) -> OneHotEncoder:
        encoder = cls(config["handle_unknown"], config["dtype"])
        encoder.categories_ = [np.asarray(c) for c in config["categories"]]
        encoder.ndim_ = int(config["ndim"])
        return encoder


def to_categorical(
    y: Any, num_classes: int | None = None, dtype: Any = np.float32
) -> np.ndarray:
    """One-hot rows from integer labels:  Y[i, y_i] = 1,  Y: (n, K)."""
    y = _labels(y)
    if y.dtype.kind not in "iub" or (len(y) and y.min() < 0):
        raise ShapeError(
            expected(
                "integer labels 0..K−1",
                f"dtype {y.dtype}" if y.dtype.kind not in "iub"
                else f"the label {int(y.min())}",
                "Map labels with LabelEncoder first.",
            )
        )
    k = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if len(y) and y.max() >= k:
        raise ShapeError(
            expected(
                f"labels below num_classes={k}",
                int(y.max()),
                "Raise num_classes or check the labels.",
            )
        )
    out = np.zeros((len(y), k), dtype=dtype)
    out[np.arange(len(y)), y.astype(np.int64)] = 1
    return out
