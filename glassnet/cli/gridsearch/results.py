"""The results table: one row per configuration, ranked.

    mean = (1/k) Σ_f score_f        std = √((1/k) Σ_f (score_f − mean)²)

over the k held-out folds. A configuration with a failed fold has no mean; its
row carries the first failure's reason and no rank.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet.cli.config import TrainConfig
from glassnet.cli.gridsearch.grid import label
from glassnet.cli.gridsearch.tasks import Result
from glassnet.files.atomic import atomic_write_bytes


@dataclass
class Row:
    config: int                  # index in grid order
    params: dict[str, str]       # the grid options of this configuration, as text
    scores: list[float]          # (k,) one per fold, NaN where a fold failed
    fit_time_s: float            # seconds over all its folds
    error: str = ""
    rank: int | None = None      # 1 = best; None when it failed
    mean: float = field(init=False)
    std: float = field(init=False)

    def __post_init__(self) -> None:
        ok = not self.error
        self.mean = float(np.mean(self.scores)) if ok else float("nan")
        self.std = float(np.std(self.scores)) if ok else float("nan")


def table(configs: list[TrainConfig], names: list[str], results: list[Result],
          k: int, higher_is_better: bool) -> list[Row]:
    """Rows in grid order, ranked by mean score (ties: the earlier configuration)."""
    rows = []
    for c, cfg in enumerate(configs):
        mine = sorted((r for r in results if r.config == c), key=lambda r: r.fold)
        assert [r.fold for r in mine] == list(range(k)), (c, mine)
        errors = [f"fold {r.fold + 1}: {r.error}" for r in mine if not r.ok]
        rows.append(Row(c, label(cfg, names), [r.score for r in mine],
                        sum(r.seconds for r in mine), errors[0] if errors else ""))
    sign = -1.0 if higher_is_better else 1.0
    ranked = sorted((r for r in rows if not r.error), key=lambda r: sign * r.mean)
    for place, row in enumerate(ranked, start=1):
        row.rank = place
    return rows


def best(rows: list[Row]) -> Row | None:
    return next((r for r in rows if r.rank == 1), None)


def write_csv(rows: list[Row], path: Path, names: list[str], metric: str) -> Path:
    """results.csv: rank, the options, mean/std/per-fold scores, fit time, error."""
    k = len(rows[0].scores)
    header = (["rank", *(n.replace("_", "-") for n in names), f"mean_{metric}",
               f"std_{metric}"] + [f"fold{f + 1}_{metric}" for f in range(k)]
              + ["fit_time_s", "error"])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.rank or "", *(row.params[n] for n in names),
                         _num(row.mean), _num(row.std), *map(_num, row.scores),
                         f"{row.fit_time_s:.3f}", row.error])
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def _num(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))
