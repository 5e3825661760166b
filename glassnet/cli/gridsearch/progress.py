"""What a search prints while its tasks run.

On a terminal with tqdm installed: one bar over the tasks, with the time left
and the best configuration so far (its mean score over the folds). Otherwise
one stable line per configuration once all its folds are in:

    [ 3/8] layers 32,16  lr 0.1  accuracy 0.9125 ± 0.0203  (1.4 s)
"""

from __future__ import annotations

import sys

import numpy as np

from glassnet.cli.gridsearch.grid import label
from glassnet.cli.gridsearch.tasks import Result


class Progress:
    """``on_result`` for ``run_tasks``: counts tasks, reports configurations."""

    def __init__(self, configs, names: list[str], k: int, metric: str,
                 higher_is_better: bool = True, quiet: bool = False):
        self.configs, self.names, self.k, self.metric = configs, names, k, metric
        self.sign = 1.0 if higher_is_better else -1.0
        self.quiet = quiet
        self.best = ""                      # the bar's tail: the best so far
        self.best_key = -np.inf
        self.folds: dict[int, list[Result]] = {}
        self.finished = 0
        self.bar = None
        if not quiet and sys.stdout.isatty():
            self.bar = _bar(total=len(configs) * k, unit="task", desc="search",
                            dynamic_ncols=True)

    def __call__(self, result: Result) -> None:
        mine = self.folds.setdefault(result.config, [])
        mine.append(result)
        if self.bar is not None:
            self.bar.update(1)
        if len(mine) == self.k:
            self.finished += 1
            line = self._line(result.config, mine)
            if self.bar is not None:
                self.bar.set_postfix_str(self.best, refresh=False)
            elif not self.quiet:
                print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def _line(self, config: int, results: list[Result]) -> str:
        total = len(self.configs)
        options = "  ".join(f"{n.replace('_', '-')} {v}" for n, v in
                            label(self.configs[config], self.names).items())
        seconds = sum(r.seconds for r in results)
        failed = [r for r in results if not r.ok]
        if failed:
            outcome = f"failed: {failed[0].error[:100]}"
        else:
            scores = [r.score for r in results]
            outcome = f"{self.metric} {np.mean(scores):.4f} ± {np.std(scores):.4f}"
            if self.sign * np.mean(scores) > self.best_key:
                self.best_key = self.sign * np.mean(scores)
                self.best = f"best {self.metric} {np.mean(scores):.4f}: {options}"
        return (f"[{self.finished:>{len(str(total))}}/{total}] {options}  "
                f"{outcome}  ({seconds:.1f} s)")


def _bar(**kwargs):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(**kwargs)
