"""scikit-learn's stopping rule for the stochastic solvers, as a glassnet
callback on the normal ``Sequential.fit``.

After every epoch (scikit-learn's "iteration"):

    early_stopping=False:  no improvement when  L_epoch > best_loss − tol
    early_stopping=True:   s = score(X_val, y_val) (accuracy or R²);
                           no improvement when  s < best_score + tol;
                           the best-scoring weights are put back at the end
    stop when the count of epochs in a row without improvement exceeds
    n_iter_no_change.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from glassnet.train.callbacks import Callback


class SklearnStopping(Callback):
    """Counts epochs without improvement the way MLPClassifier does."""

    def __init__(self, tol: float, n_iter_no_change: int,
                 score: Callable[[], float] | None = None):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.score = score                 # validation score, with early stopping
        self.best_loss = math.inf
        self.best_score = -math.inf
        self.validation_scores: list[float] = []
        self.best_params = None
        self.count = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.score is None:
            loss = float(logs["loss"])
            self.count = self.count + 1 if loss > self.best_loss - self.tol else 0
            self.best_loss = min(self.best_loss, loss)
        else:
            s = float(self.score())
            self.validation_scores.append(s)
            self.count = self.count + 1 if s < self.best_score + self.tol else 0
            if s > self.best_score:
                self.best_score = s
                self.best_params = self.model.flat_params.copy()
        if self.count > self.n_iter_no_change:
            what = "validation score" if self.score is not None else "training loss"
            self.model.request_stop(f"{what} did not improve more than tol="
                                    f"{self.tol} for {self.n_iter_no_change} "
                                    "consecutive epochs")

    def on_train_end(self, logs=None):
        if self.best_params is not None:
            self.model.assign_flat_params(self.best_params)
