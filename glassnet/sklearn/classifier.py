"""GlassnetClassifier: MLPClassifier's interface on a glassnet network."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from glassnet.errors import DataError, expected
from glassnet.sklearn.base import GlassnetMLP


class GlassnetClassifier(ClassifierMixin, GlassnetMLP):
    """A multilayer perceptron classifier: ``sklearn.neural_network.MLPClassifier``
    with a glassnet ``Sequential`` inside (``model_``).

    Two classes: one sigmoid unit and binary cross-entropy; K > 2 classes: K
    softmax units and categorical cross-entropy (both fused on the logits).

    Parameters with MLPClassifier's names and defaults:
        hidden_layer_sizes=(100,), activation="relu" ("identity", "logistic",
        "tanh", "relu" and glassnet's others), solver="adam" ("lbfgs", "sgd",
        "adam"), alpha=1e-4 (L2, scaled as in scikit-learn), batch_size="auto"
        (min(200, n)), learning_rate_init=1e-3, max_iter=200 (epochs; L-BFGS
        iterations), shuffle, random_state, tol=1e-4, verbose, warm_start,
        momentum=0.9, nesterovs_momentum (sgd), early_stopping,
        validation_fraction=0.1, beta_1, beta_2, epsilon (adam),
        n_iter_no_change=10, max_fun=15000 (lbfgs).
    glassnet's own:
        optimizer=None   a glassnet optimizer name ("rmsprop", "adagrad",
                         "adamw", "nesterov", …) used instead of the solver's,
                         with learning_rate_init
        dropout=0.0      Dropout after each hidden layer (one rate or one per
                         layer); needs a stochastic solver
        activation       also a tuple with one name per hidden layer
        dtype="float64"  the network's float type ("float32" is faster)

    Fitted attributes: classes_, n_features_in_, feature_names_in_ (for
    DataFrames with string column names), loss_curve_, best_loss_,
    validation_scores_, best_validation_score_ (early stopping), n_iter_, t_,
    and model_ — the glassnet Sequential, for every glass-box tool.

    A fit with a single class trains nothing: predict returns that class and
    predict_proba 1.0.
    """

    _penalty_c = 0.5          # ½·alpha: scikit-learn's penalty beside cross-entropy
    _stratify = True

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, optimizer=None, dropout=0.0,
                 dtype="float64"):
        self._store_params(locals())

    def _head(self, y, warm: bool):
        """Class indices as the network's targets; None for a single class."""
        check_classification_targets(y)
        classes, index = np.unique(y, return_inverse=True)
        if warm and not np.array_equal(classes, self.classes_):
            raise DataError(expected(f"the classes of the previous fit "
                                     f"{list(self.classes_)} (warm_start=True)",
                                     list(classes), "Fit with the same classes, "
                                     "or set warm_start=False."))
        self.classes_ = classes
        if len(classes) == 1:
            return None
        if len(classes) == 2:
            return index.astype(np.float64), 1, "sigmoid", "binary_crossentropy"
        return index, len(classes), "softmax", "categorical_crossentropy"

    def _score_model(self, X, index) -> float:
        """Accuracy on (X, class indices): the early-stopping score."""
        return float(np.mean(self._proba(X).argmax(axis=1) == index.astype(int)))

    def _proba(self, X) -> np.ndarray:
        p = self.model_.predict(X).astype(np.float64, copy=False)
        if p.shape[1] == 1:                                 # one sigmoid unit
            return np.hstack([1.0 - p, p])
        return p

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in classes_ order."""
        p = self._forward(X)
        if len(self.classes_) == 1:
            return np.ones((len(p), 1))
        return np.hstack([1.0 - p, p]) if len(self.classes_) == 2 else p

    def predict_log_proba(self, X) -> np.ndarray:
        """log of predict_proba."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row (labels from classes_)."""
        index = self.predict_proba(X).argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
