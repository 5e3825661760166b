"""The search behind ``glassnet search``: grids of ``glassnet train``
options, scored by k-fold cross-validation, run here, on local processes
(joblib) or on a Dask cluster.

    grid.py      the grid file → checked TrainConfigs, one per combination
    tasks.py     one task = (configuration, fold): train as glassnet train, score
    execute.py   where the tasks run: this process, joblib, Dask
    results.py   the results table (mean ± std per configuration) and results.csv
    progress.py  the progress bar / one line per configuration
    report.py    report.md

It lives under ``glassnet.cli`` because a task *is* ``glassnet train``'s way
of building and fitting a model (``cli.train.prepare`` / ``fit_rows``) on the
rows of one fold.
"""

from glassnet.cli.gridsearch.execute import run_tasks
from glassnet.cli.gridsearch.grid import configurations, read_grid
from glassnet.cli.gridsearch.tasks import (
           SCORES,
           Result,
           Task,
           folds,
           make_tasks,
           run_task,
)

__all__ = ["SCORES", "Result", "Task", "configurations", "folds", "make_tasks",
           "read_grid", "run_task", "run_tasks"]
