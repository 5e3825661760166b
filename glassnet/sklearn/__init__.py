"""scikit-learn estimators on glassnet networks (needs the ``sklearn`` extra).

    from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor

    clf = GlassnetClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X, y)
    clf.predict_proba(X)             # as MLPClassifier
    clf.model_.summary()             # the glassnet Sequential inside

Parameters carry MLPClassifier's / MLPRegressor's names and defaults (swapping
one for the other is a one-word change), glassnet's own options beside them;
they pass ``sklearn.utils.estimator_checks`` (``tests/test_sklearn_checks.py``).

    classifier.py   GlassnetClassifier       regressor.py   GlassnetRegressor
    base.py         fit, predict, pickling   _params.py     parameters → network
    stopping.py     scikit-learn's n_iter_no_change rule as a glassnet callback
    lbfgs.py        full-batch L-BFGS (scipy) on the model's loss_and_grads
"""

from glassnet.sklearn.classifier import GlassnetClassifier
from glassnet.sklearn.regressor import GlassnetRegressor

__all__ = ["GlassnetClassifier", "GlassnetRegressor"]
