"""How the columns of a CSV become the numbers of X, y -- and stay that way.

A ``FeatureSpec`` records, for each input column, whether it is numeric or
categorical (one-hot: one 0/1 feature per category, sorted), the value used
for missing cells (if any) and, for the target, the task and class names.
It is fitted once on the training CSV; ``apply_spec`` turns any later table
(a prediction CSV, rows typed by a user) into features the same way.
``to_dict``/``from_dict`` round-trip it through JSON.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from glassnet.data._cells import (
    NOT_A_TARGET,
    CellError,
    canonical_class,
    category_column,
    numeric_column,
)
from glassnet.data._table import Table, is_missing
from glassnet.errors import DataError, expected

MISSING_POLICIES = ("error", "drop", "mean", "median", "most_frequent")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
#: Integer targets with at most this many distinct values mean classification.
MAX_INFERRED_CLASSES = 20
SPEC_VERSION = 1


@dataclass


class ColumnSpec:
    """One input column: ``kind`` is "numeric" or "categorical"."""

    name: str
    kind: str
    categories: list[str] | None = None
    fill: float | str | None = None  # value for missing cells; None: error

    @property
    def output_names(self) -> list[str]:
        if self.kind == "numeric":
            return [self.name]
        return [f"{self.name}={c}" for c in self.categories or []]


@dataclass


class FeatureSpec:
    """Everything needed to rebuild X (and y) from raw CSV cells."""

    columns: list[ColumnSpec]
    source_columns: list[str]
    target: str | None = None
    task: str | None = None
    class_names: list[str] | None = None
    missing: str = "error"
    version: int = field(default=SPEC_VERSION)

    @property
    def feature_names(self) -> list[str]:
        return [name for c in self.columns for name in c.output_names]

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (only str, float, int, list, None)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, config: dict) -> FeatureSpec:
        if config.get("version") != SPEC_VERSION:
            raise DataError(
                expected(
                    f"a feature spec of version {SPEC_VERSION}",
                    config.get("version"),
                    "Save the model again with this glassnet.",
                )
            )
        columns = [ColumnSpec(**c) for c in config["columns"]]
        return cls(**{**config, "columns": columns})


def _most_frequent(values: list) -> object:
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values())
    return min(v for v, c in counts.items() if c == top)  # ties: smallest


def _locate(table: Table, spec: FeatureSpec) -> tuple[list[int], int | None]:
    """Table column of each spec column, and of the target (None if absent)."""
    width = len(table.names)
    if table.header_line:
        positions = {name: j for j, name in enumerate(table.names)}
        for c in spec.columns:
            if c.name not in positions:
                raise DataError(
                    f"{table.where()}: "
                    + expected(
                        f"a column named {c.name!r} (a feature in training)",
                        f"columns {table.names}",
                        "Use the same column names as the training CSV.",
                    )
                )
        return [positions[c.name] for c in spec.columns], positions.get(spec.target)
    if width == len(spec.source_columns):
        positions = {name: j for j, name in enumerate(spec.source_columns)}
        return [positions[c.name] for c in spec.columns], positions.get(spec.target)
    if width == len(spec.columns):
        return list(range(width)), None
    raise DataError(
        f"{table.where(0)}: "
        + expected(
            f"{len(spec.columns)} feature columns (or {len(spec.source_columns)} with "
            "the target)",
            f"{width} columns",
            "Add a header row with the training column names, or match their order.",
        )
    )


def apply_spec(table: Table, spec: FeatureSpec, unknown: str = "error",
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """Build X (n, F) float64 and y (None when the table has no target column).

    y is int64 class indices (n,) for classification, float64 (n, 1) otherwise.
    With ``unknown="ignore"`` a category not seen in training sets none of its
    column's one-hot features (the rows are in ``unknown_rows(...)``).
    """
    feature_cols, target_col = _locate(table, spec)
    n = table.n_rows
    X = np.zeros((n, len(spec.feature_names)))  # (n, F)
    problems: list[CellError] = []
    y = None
    start = 0
    for c, j in zip(spec.columns, feature_cols, strict=True):
        try:
            if c.kind == "numeric":
                X[:, start] = numeric_column(table, j, c.fill)
            else:
                codes = category_column(table, j, c.categories or [], c.fill,
                                        unknown=unknown)
                known = codes >= 0
                X[np.flatnonzero(known), start + codes[known]] = 1.0  # one-hot
        except CellError as problem:
            problems.append(problem)
        start += len(c.output_names)
    if target_col is not None:
        try:
            if spec.task == "classification":
                y = category_column(table, target_col, spec.class_names or [],
                                    None, "a class")
            else:
                y = numeric_column(table, target_col, None, NOT_A_TARGET)[:, None]
        except CellError as problem:
            problems.append(problem)
    if problems:
        first = min(problems, key=lambda p: (p.row, p.col))
        raise DataError(f"{table.where(first.row, first.col)}: {first.message}")
    return X, y


def unknown_category_rows(table: Table, spec: FeatureSpec) -> np.ndarray:
    """Rows holding a category the spec's categorical columns do not know."""
    feature_cols, _ = _locate(table, spec)
    bad = np.zeros(table.n_rows, dtype=bool)
    for c, j in zip(spec.columns, feature_cols, strict=True):
        if c.kind == "categorical":
            known = set(c.categories or [])
            bad |= np.fromiter((not is_missing(v) and v.strip() not in known
                                for v in table.cells(j)), bool, table.n_rows)
    return np.flatnonzero(bad)


def fit_column(table: Table, j: int, categorical: bool, missing: str) -> ColumnSpec:
    """Decide how column ``j`` becomes features, from the training rows."""
    name, column = table.names[j], table.columns[j]
    if column.numeric and not categorical:
        present = [] if column.missing.all() else ["a number"]
    else:
        present = [c.strip() for c in table.cells(j) if not is_missing(c)]
    if not present:
        raise DataError(
            f"{table.where(None, j)}: "
            + expected(
                "some values in the column",
                "only missing cells",
                "Remove the column or fill it.",
            )
        )
    if not categorical:
        values = numeric_column(table, j, math.nan)
        values = values[~np.isnan(values)]  # statistics over present cells only
        stat = {
            "mean": np.mean,
            "median": np.median,
            "most_frequent": lambda v: _most_frequent(list(v)),
        }.get(missing)
        return ColumnSpec(name, "numeric", None, float(stat(values)) if stat else None)
    categories = sorted(set(present))
    fill = _most_frequent(present) if missing not in ("error", "drop") else None
    return ColumnSpec(name, "categorical", categories, fill)


def fit_target(table: Table, j: int, task: str | None) -> tuple[str, list[str] | None]:
    """Infer the task (documented rule) and the sorted class names."""
    column = table.columns[j]
    infinite = [i for i in column.raw if column.numeric and not column.missing[i]]
    if infinite:
        i = min(infinite)
        raise DataError(f"{table.where(i, j)}: " + expected(
            "a finite target", repr(column.raw[i]), "Replace or drop the row: "
            "a target of ±inf cannot be learned."))
    numeric = column.numeric
    if numeric:
        values = column.values
        distinct = np.unique(values)
        few = len(distinct) <= MAX_INFERRED_CLASSES
    if task is None:
        integers = numeric and column.integer_text and bool(
            np.all(values == np.round(values)))
        task = "classification" if not numeric or (integers and few) else "regression"
    if task == "regression":
        return task, None
    if numeric:                                   # sorted numerically
        return task, [canonical_class(str(v)) for v in distinct.tolist()]
    return task, sorted({canonical_class(c) for c in column.text})
