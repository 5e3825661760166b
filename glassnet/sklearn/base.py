"""What GlassnetClassifier and GlassnetRegressor share: fit, prediction and
pickling. The network is a glassnet ``Sequential`` (``model_``), trained by
its own ``fit`` (solver "sgd" / "adam" / any glassnet ``optimizer``) or by
full-batch L-BFGS on its own ``loss_and_grads`` (solver "lbfgs", ``lbfgs.py``).

The objective is scikit-learn's, with glassnet's loss:

    L(θ) = Σᵢ wᵢ lᵢ / Σᵢ wᵢ  +  λ Σ_layers ‖W‖²      λ = c · alpha / n_step

n_step = Σᵢ wᵢ over the rows of one step (all rows for L-BFGS, batch_size
rows otherwise); c = ½ for cross-entropy, 1 for glassnet's mse (twice
scikit-learn's ½·mse), so ``alpha`` weighs the penalty as in MLPClassifier.
Weights are rescaled to mean 1 before glassnet sees them (glassnet's weighted
mean divides by the row count), so weighting a row by k is repeating it k
times.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from glassnet import losses, optimizers
from glassnet.model import Sequential
from glassnet.sklearn import _params
from glassnet.sklearn.lbfgs import fit_lbfgs
from glassnet.sklearn.stopping import SklearnStopping


class GlassnetMLP(BaseEstimator):
    """Base of the two estimators (see GlassnetClassifier for the parameters).

    Subclasses define ``_head(y)`` → (targets, n_out, output activation, loss
    name) or None when there is nothing to learn, ``_score_model()`` and the
    penalty factor ``_penalty_c``.
    """

    _penalty_c = 0.5
    _multi_output = False
    _stratify = False          # the early-stopping split keeps class shares

    def _store_params(self, params: dict) -> None:
        """Store each ``__init__`` argument unchanged under its own name (the
        scikit-learn rule: ``__init__`` only stores; ``fit`` validates).
        ``params`` is the subclass ``__init__``'s ``locals()``."""
        for name, value in params.items():
            if name != "self":
                setattr(self, name, value)

    # -- fit ---------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train on (X, y), rows weighted by ``sample_weight``; returns self."""
        _params.check_params(self)
        warm = bool(self.warm_start) and hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=not warm, dtype=np.dtype(self.dtype),
                             multi_output=self._multi_output,
                             y_numeric=self._multi_output)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                  ensure_non_negative=True)
        head = self._head(y, warm)
        rs = check_random_state(self.random_state)
        init_seed, fit_seed = (int(s) for s in rs.randint(0, 2**31 - 1, size=2))
        if not warm:
            self.model_ = self._build(X.shape[1], head, init_seed)
            self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0
        if head is None:                                   # one class: nothing to learn
            self.best_loss_, self.validation_scores_ = None, None
            self.best_validation_score_ = None
            return self
        targets = head[0]
        X, targets, sw, val = self._split(X, targets, sw, rs)
        w = sw * (len(sw) / sw.sum())                      # mean 1: Σwl/n = Σwl/Σw
        w = None if np.all(w == 1.0) else w
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, targets, w, sw.sum())
        else:
            self._fit_stochastic(X, targets, w, sw.sum(), val, fit_seed)
        return self

    def _build(self, n_features: int, head, seed: int) -> Sequential:
        n_out, out_act, loss = (1, "sigmoid", "binary_crossentropy") \
            if head is None else head[1:]
        model = Sequential(_params.build_layers(self, n_features, n_out, out_act),
                           dtype=self.dtype, seed=seed, name=type(self).__name__)
        model.compile(loss=loss, optimizer=_params.make_optimizer(self))
        return model

    def _split(self, X, targets, sw, rs):
        """The early-stopping split (stratified for classifiers), as
        scikit-learn makes it; (X, targets, weights, (X_val, y_val) or None)."""
        if not self.early_stopping:
            return X, targets, sw, None
        stratify = targets.reshape(len(targets), -1)[:, 0] \
            if self._stratify else None
        rows = np.arange(len(X))
        train, val = train_test_split(rows, test_size=self.validation_fraction,
                                      random_state=rs, stratify=stratify)
        return X[train], targets[train], sw[train], (X[val], targets[val])

    def _fit_lbfgs(self, X, targets, w, weight_sum: float) -> None:
        model = self.model_
        _params.set_penalty(model, self._penalty_c * self.alpha / weight_sum)
        Xd, yd = model.prepare(X, targets, model.loss)
        wd = None if w is None else model.backend.to_device(w.astype(model.dtype))
        curve, nit = fit_lbfgs(model, Xd, yd, wd, max_iter=self.max_iter,
                               max_fun=self.max_fun, tol=self.tol,
                               verbose=bool(self.verbose))
        self._record(curve, nit, len(X), None)
        if nit >= self.max_iter:
            warnings.warn(f"lbfgs: maximum iterations ({self.max_iter}) reached "
                          "and the optimization hasn't converged yet. Increase "
                          "max_iter or scale the data.", ConvergenceWarning,
                          stacklevel=3)

    def _fit_stochastic(self, X, targets, w, weight_sum: float, val,
                        seed: int) -> None:
        model, n = self.model_, len(X)
        batch = min(200 if self.batch_size == "auto" else self.batch_size, n)
        _params.set_penalty(model, self._penalty_c * self.alpha
                            / (batch * weight_sum / n))
        score = None if val is None else (lambda: self._score_model(*val))
        stop = SklearnStopping(self.tol, self.n_iter_no_change, score)
        history = model.fit(X, targets, epochs=self.max_iter, batch_size=batch,
                            shuffle=bool(self.shuffle), verbose=2 if self.verbose
                            else 0, seed=seed, sample_weight=w, callbacks=[stop])
        self._record(history["loss"], len(history), n, stop)
        if model.stop_reason is None:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations "
                          f"({self.max_iter}) reached and the optimization hasn't "
                          "converged yet.", ConvergenceWarning, stacklevel=3)

    def _record(self, curve, n_iter: int, n: int, stop) -> None:
        """The fitted attributes scikit-learn's MLP has after a fit."""
        self.loss_curve_ = list(self.loss_curve_) + [float(v) for v in curve]
        self.n_iter_ += n_iter
        self.t_ += n_iter * n
        early = stop is not None and stop.score is not None
        self.best_loss_ = None if early else min(self.loss_curve_)
        self.validation_scores_ = list(stop.validation_scores) if early else None
        self.best_validation_score_ = stop.best_score if early else None

    # -- prediction --------------------------------------------------------
    def _forward(self, X) -> np.ndarray:
        """The network's outputs for X (validated as at fit), as float64."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.dtype(self.dtype))
        return self.model_.predict(X).astype(np.float64, copy=False)

    # -- pickling: weights as arrays, the architecture as plain data -------
    def __getstate__(self):
        state = dict(super().__getstate__())     # a copy: never self.__dict__
        model = state.get("model_")
        if isinstance(model, Sequential):
            state["model_"] = {"config": model.get_config(),
                               "weights": model.get_weights(),
                               "loss": model.loss.get_config(),
                               "optimizer": model.optimizer.get_config()}
        return state

    def __setstate__(self, state):
        saved = state.get("model_")
        if isinstance(saved, dict):
            model = Sequential.from_config(saved["config"])
            model.set_weights(saved["weights"])
            model.compile(loss=losses.from_config(saved["loss"]),
                          optimizer=optimizers.from_config(saved["optimizer"]))
            state = {**state, "model_": model}
        super().__setstate__(state)
