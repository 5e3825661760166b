"""Scalers and encoders, fitted on training data only and saved with the model.

Fit on the training split, then apply the *same* transform to validation,
test and prediction data -- statistics from test rows must never leak into
training. Every fitted object's ``to_dict()`` returns ``(config, arrays)``: a
JSON-serialisable dict and a dict of NumPy arrays, so a model file (e.g.
safetensors) can hold the transform without pickle; ``preprocessor_from_dict``
rebuilds it from the closed registry below.

    scalers.py    StandardScaler, MinMaxScaler
    encoders.py   LabelEncoder, OneHotEncoder, to_categorical
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.data.encoders import LabelEncoder, OneHotEncoder, to_categorical
from glassnet.data.scalers import MinMaxScaler, StandardScaler
from glassnet.errors import DataError, expected

PREPROCESSORS = {
    cls.__name__: cls
    for cls in (StandardScaler, MinMaxScaler, LabelEncoder, OneHotEncoder)
}


def preprocessor_from_dict(config: dict, arrays: dict[str, np.ndarray]) -> Any:
    """Rebuild any preprocessor from its ``to_dict()`` output."""
    cls = PREPROCESSORS.get(config.get("class", ""))
    if cls is None:
        raise DataError(
            expected(
                f"config['class'] in {list(PREPROCESSORS)}",
                repr(config.get("class")),
                "The saved preprocessor is from an unknown version.",
            )
        )
    return cls.from_dict(config, arrays)


def feature_widths(step: Any) -> tuple[int, int] | None:
    """(features in, features out) of a fitted step; None for LabelEncoder
    (it maps targets, not feature rows)."""
    if isinstance(step, StandardScaler):
        return len(step.mean_), len(step.mean_)
    if isinstance(step, MinMaxScaler):
        return len(step.data_min_), len(step.data_min_)
    if isinstance(step, OneHotEncoder):
        n_in = 1 if step.ndim_ == 1 else len(step.categories_)
        return n_in, sum(len(c) for c in step.categories_)
    return None


__all__ = ["PREPROCESSORS", "LabelEncoder", "MinMaxScaler", "OneHotEncoder",
           "StandardScaler", "feature_widths", "preprocessor_from_dict",
           "to_categorical"]
