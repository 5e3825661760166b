"""GlassnetRegressor: MLPRegressor's interface on a glassnet network."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from glassnet.errors import ShapeError, expected
from glassnet.sklearn.base import GlassnetMLP


class GlassnetRegressor(RegressorMixin, GlassnetMLP):
    """A multilayer perceptron regressor: ``sklearn.neural_network.MLPRegressor``
    with a glassnet ``Sequential`` inside (``model_``).

    Linear output units, one per target (y of shape (n,) or (n, n_targets)),
    and glassnet's mse loss. Parameters as GlassnetClassifier's, plus

        scale_target=False   standardise y inside fit, ỹ = (y − μ) / σ per
                             target, and predict μ + σ·ŷ (fitted: target_mean_,
                             target_scale_)

    ``score`` is R² (uniform average over targets).
    """

    _penalty_c = 1.0          # glassnet's mse is twice scikit-learn's ½·mse
    _stratify = False
    _multi_output = True

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, optimizer=None, dropout=0.0,
                 dtype="float64", scale_target=False):
        self._store_params(locals())

    def _head(self, y, warm: bool):
        """y as (n, n_targets) floats, standardised when scale_target."""
        Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if warm and Y.shape[1] != self.n_outputs_:
            raise ShapeError(expected(f"{self.n_outputs_} targets as in the previous "
                                      "fit (warm_start=True)", Y.shape[1],
                                      "Fit with the same targets or set "
                                      "warm_start=False."))
        if not warm:
            self.n_outputs_, self._y_1d = Y.shape[1], np.ndim(y) == 1
            mean, std = Y.mean(axis=0), Y.std(axis=0)
            self.target_mean_ = mean if self.scale_target else np.zeros_like(mean)
            self.target_scale_ = np.where(std > 0, std, 1.0) if self.scale_target \
                else np.ones_like(std)
        Y = (Y - self.target_mean_) / self.target_scale_   # ỹ = (y − μ) / σ
        return Y, Y.shape[1], "linear", "mse"

    def _score_model(self, X, Y) -> float:
        """R² on (X, standardised targets): the early-stopping score."""
        return float(r2_score(Y, self.model_.predict(X)))

    def predict(self, X) -> np.ndarray:
        """Predicted targets: (n,) when fitted on a vector y, else (n, n_targets)."""
        Y = self._forward(X) * self.target_scale_ + self.target_mean_  # μ + σ·ŷ
        return Y[:, 0] if self._y_1d else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
