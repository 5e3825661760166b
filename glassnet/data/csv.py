"""Load a CSV file into a ``Dataset``; load new CSVs for prediction the same way.

Rules, in the order they apply:

- Text: UTF-8 with or without BOM (other encodings via ``encoding=``).
- Delimiter: sniffed among ``,`` ``;`` and tab unless given.
- Header: auto-detected (row 1 is a header when one of its cells is not a
  number while the rest of that column is, or when all its cells are text
  found nowhere else in their column); force with ``header=True/False``.
  Without a header, columns are named col1, col2, ...
- Target: ``target`` is a column name or index (negative counts from the end);
  ``None`` means the last column.
- Missing cells are empty, ``NA``, ``N/A``, ``NaN``, ``null``, ``None`` or
  ``?``. ``missing=`` chooses the policy: "error" (default: the first missing
  cell is reported with its line and column), "drop" (drop every row with a
  missing cell), "mean" / "median" (numeric features; categorical features use
  the most frequent value) or "most_frequent". Rows with a missing target are
  dropped under every policy except "error". The fill values are kept in the
  spec and reused for prediction.
- Features must be numbers, except columns named in ``one_hot`` (or every
  non-numeric column with ``one_hot=True``), which become one 0/1 feature per
  category (categories sorted, named "column=value").
- Task: any non-numeric target -> "classification"; integer targets with at
  most 20 distinct values -> "classification"; otherwise "regression".
  ``task=`` overrides. Class names are the sorted distinct values (numbers
  sorted numerically) and y holds their indices. A classification target needs
  two classes or more, and a target where every one of more than 10 rows has
  its own class (an ID column) is refused.

New examples are encoded with the fitted spec by ``csv_features.py``
(``load_csv_features``, ``transform_rows``; re-exported here).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from glassnet.data._cells import CellError
from glassnet.data._csvread import read_table
from glassnet.data._table import Table, is_missing
from glassnet.data.csv_features import (  # noqa: F401 - re-exported, moved there
    load_csv_features,
    transform_rows,
)
from glassnet.data.dataset import TASKS, Dataset
from glassnet.data.features import (
    MISSING_POLICIES,
    FeatureSpec,
    apply_spec,
    fit_column,
    fit_target,
)
from glassnet.errors import ConfigError, DataError, expected
from glassnet.files.regular import MAX_CSV_BYTES

MAX_ID_ROWS = 10


def _apply_missing(table: Table, used: list[int], target: int, missing: str) -> Table:
    """Enforce the missing-value policy on rows: raise, or drop rows."""
    holes = np.zeros((table.n_rows, len(used)), dtype=bool)   # (n, used columns)
    for k, j in enumerate(used):
        holes[:, k] = _missing_mask(table, j)
    if missing == "error" and holes.any():
        i, k = (int(v) for v in np.argwhere(holes)[0])
        cell = table.cells(used[k])[i] if not table.columns[used[k]].numeric else \
            table.columns[used[k]].raw.get(i, "")
        raise DataError(
            f"{table.where(i, used[k])}: "
            + expected(
                "a value",
                f"a missing one ({cell!r})",
                "Fill the cell, or pass missing='drop', 'mean', 'median' or "
                "'most_frequent'.",
            )
        )
    drop = holes.any(axis=1) if missing == "drop" else holes[:, used.index(target)]
    keep = np.flatnonzero(~drop)
    if not len(keep):
        raise DataError(
            f"{table.where()}: "
            + expected(
                "some rows without missing values",
                "none",
                "Use an imputing policy such as missing='median', or fill the file.",
            )
        )
    return table if len(keep) == table.n_rows else table.take(keep)


def _missing_mask(table: Table, j: int) -> np.ndarray:
    column = table.columns[j]
    if column.numeric:
        return column.missing
    return np.fromiter((is_missing(c) for c in column.text), bool, table.n_rows)


def _check_classes(table: Table, target: int, y: np.ndarray, names: list[str]) -> None:
    where = (
        f"{table.source}, column {target + 1} ({table.names[target]!r}), "
        f"lines {int(table.lines[0])}-{int(table.lines[-1])}"
    )
    if len(names) < 2:
        raise DataError(
            f"{where}: "
            + expected(
                "at least 2 classes in the target",
                f"only {names}",
                "Add examples of the other classes, or choose another target column.",
            )
        )
    if len(names) == len(y) > MAX_ID_ROWS:
        raise DataError(
            f"{where}: "
            + expected(
                "classes shared by several rows",
                f"{len(y)} distinct values in {len(y)} "
                "rows (every row is its own class, like an ID column)",
                "Choose the column to predict with target=..., or pass "
                "task='regression' for a numeric target.",
            )
        )


def load_csv(
    path: str | os.PathLike,
    target: str | int | None = None,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    missing: str = "error",
    one_hot: bool | Sequence[str | int] = False,
    task: str | None = None,
    encoding: str = "utf-8",
    max_bytes: int | None = MAX_CSV_BYTES,
) -> Dataset:
    """Read a CSV file into a ``Dataset`` (rules in this module's docstring).

    X is float64 (n, F); y is int64 class indices (n,) for classification and
    float64 (n, 1) for regression. ``dataset.spec`` reproduces the transform
    for new files: ``load_csv_features(new_path, like=dataset.spec)``.
    """
    _check_options(missing, task)
    table = read_table(path, delimiter=delimiter, header=header, encoding=encoding,
                       text_columns=_text_columns(one_hot), max_bytes=max_bytes)
    return _dataset(table, target, missing, one_hot, task, Path(path).stem)


def load_csv_bytes(
    raw: bytes,
    target: str | int | None = None,
    *,
    source: str = "upload.csv",
    delimiter: str | None = None,
    header: bool | None = None,
    missing: str = "error",
    one_hot: bool | Sequence[str | int] = False,
    task: str | None = None,
    encoding: str = "utf-8",
    max_bytes: int | None = MAX_CSV_BYTES,
) -> Dataset:
    """``load_csv`` on the bytes of a CSV file already in memory (an upload).

    The same rules and checks apply; ``source`` names the data in messages.
    """
    _check_options(missing, task)
    table = read_table(source, delimiter=delimiter, header=header,
                       encoding=encoding, text_columns=_text_columns(one_hot),
                       max_bytes=max_bytes, raw=raw)
    return _dataset(table, target, missing, one_hot, task, Path(source).stem)


def _text_columns(one_hot) -> frozenset:
    """The columns whose cells stay text (one-hot columns keep "02134")."""
    return frozenset() if isinstance(one_hot, bool) else frozenset(
        [one_hot] if isinstance(one_hot, str | int) else one_hot)


def _dataset(table: Table, target, missing: str, one_hot, task, name: str
             ) -> Dataset:
    t = table.column(-1 if target is None else target, "target")
    categorical = _categorical(table, one_hot)
    features = [j for j in range(len(table.names)) if j != t]
    if not features:
        raise DataError(
            f"{table.where()}: "
            + expected(
                "at least one feature column besides the target",
                table.names,
                "Check the delimiter (pass delimiter=...) and the target.",
            )
        )
    table = _apply_missing(table, features + [t], t, missing)
    columns = _fit_columns(table, features, categorical, one_hot is True, missing)
    task, class_names = fit_target(table, t, task)
    spec = FeatureSpec(
        columns, list(table.names), table.names[t], task, class_names, missing
    )
    X, y = apply_spec(table, spec)
    if task == "classification":
        _check_classes(table, t, y, class_names or [])
    return Dataset(
        X, y, spec.feature_names, spec.target, class_names, task, spec, name
    )


def _check_options(missing: str, task: str | None) -> None:
    if missing not in MISSING_POLICIES:
        raise ConfigError(
            expected(
                f"missing in {list(MISSING_POLICIES)}",
                repr(missing),
                "Pass e.g. missing='drop'.",
            )
        )
    if task is not None and task not in TASKS:
        raise ConfigError(
            expected(
                f"task in {list(TASKS)} or None",
                repr(task),
                "Pass task='classification' or 'regression'.",
            )
        )


def _categorical(table: Table, one_hot: bool | Sequence[str | int]) -> set[int]:
    """Indices of the columns named in ``one_hot`` (none for True/False)."""
    if isinstance(one_hot, bool):
        return set()
    keys = [one_hot] if isinstance(one_hot, str | int) else one_hot
    return {table.column(k, "one_hot column") for k in keys}


def _fit_columns(table: Table, features: list[int], categorical: set[int],
                 all_text: bool, missing: str) -> list:
    """A ColumnSpec per feature column; with ``all_text`` (one_hot=True) every
    column holding a non-number becomes categorical."""
    try:
        columns = []
        for j in features:
            is_cat = j in categorical
            if all_text and not is_cat:
                is_cat = not table.columns[j].numeric
            columns.append(fit_column(table, j, is_cat, missing))
    except CellError as problem:
        raise DataError(
            f"{table.where(problem.row, problem.col)}: {problem.message}"
        ) from None
    return columns
