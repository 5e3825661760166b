"""Encode new examples the way a training CSV was encoded: a CSV file of new
rows (``load_csv_features``) or rows given in code (``transform_rows``), both
through the ``FeatureSpec`` that ``load_csv`` fitted (``dataset.spec``).
Reading the training CSV and fitting that spec live in ``csv.py``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from glassnet.data._csvread import read_table
from glassnet.data._table import Table
from glassnet.data.dataset import Dataset
from glassnet.data.features import FeatureSpec, apply_spec, unknown_category_rows
from glassnet.errors import ConfigError, DataError, expected
from glassnet.files.regular import MAX_CSV_BYTES


def _as_spec(like: FeatureSpec | Dataset | Mapping) -> FeatureSpec:
    if isinstance(like, Dataset) and like.spec is not None:
        return like.spec
    if isinstance(like, FeatureSpec):
        return like
    if isinstance(like, Mapping):
        return FeatureSpec.from_dict(dict(like))
    raise ConfigError(
        expected(
            "like= a FeatureSpec, its to_dict(), or a Dataset from load_csv",
            type(like).__name__,
            "Pass dataset.spec from the training CSV.",
        )
    )


def load_csv_features(
    path: str | os.PathLike,
    like: FeatureSpec | Dataset | Mapping,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str = "utf-8",
    unknown: str = "error",
    max_bytes: int | None = MAX_CSV_BYTES,
) -> Dataset:
    """Read a CSV of new examples with the columns and encoding of training.

    Columns are matched by name (by position without a header); the target
    column may be absent (then ``y`` is None). Missing cells without a fill
    value and non-numbers raise ``DataError``; so do categories not seen in
    training, unless ``unknown="ignore"``: then all their one-hot features
    are 0 and ``dataset.unknown_rows`` lists those rows.
    """
    if unknown not in ("error", "ignore"):
        raise ConfigError(expected("unknown 'error' or 'ignore'", repr(unknown),
                                   "Pass unknown='ignore' to allow new categories."))
    spec = _as_spec(like)
    text = [c.name for c in spec.columns if c.kind == "categorical"]
    if spec.task == "classification" and spec.target is not None:
        text.append(spec.target)
    table = read_table(path, delimiter=delimiter, header=header, encoding=encoding,
                       text_columns=frozenset(text), max_bytes=max_bytes)
    X, y = apply_spec(table, spec, unknown)
    unknown_rows = unknown_category_rows(table, spec) if unknown == "ignore" \
        else np.empty(0, np.int64)
    return Dataset(
        X,
        y,
        spec.feature_names,
        spec.target,
        spec.class_names,
        spec.task,
        spec,
        Path(path).stem,
        unknown_rows=unknown_rows,
    )


def transform_rows(
    rows: Sequence[Sequence[str] | Mapping[str, object]],
    like: FeatureSpec | Dataset | Mapping,
) -> np.ndarray:
    """Encode rows given in code (lists in feature order, or dicts by name).

    ``transform_rows([{"age": 31, "color": "red"}], spec)`` -> X (1, F).
    """
    spec = _as_spec(like)
    names = [c.name for c in spec.columns]
    cells = [
        [str(r.get(n, "")) for n in names]
        if isinstance(r, Mapping)
        else [str(v) for v in r]
        for r in rows
    ]
    for i, row in enumerate(cells):
        if len(row) != len(names):
            raise DataError(
                f"<rows>, row {i + 1}: "
                + expected(
                    f"{len(names)} values ({names})",
                    len(row),
                    "Give one value per feature column, or pass dicts.",
                )
            )
    text = frozenset(j for j, c in enumerate(spec.columns) if c.kind == "categorical")
    table = Table.from_rows("<rows>", names, cells, list(range(1, len(cells) + 1)),
                            text_columns=text)
    return apply_spec(table, spec)[0]
