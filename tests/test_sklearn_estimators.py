"""GlassnetClassifier / GlassnetRegressor in scikit-learn's machinery: they
learn, they sit in Pipeline / GridSearchCV / RandomizedSearchCV (n_jobs=2) /
cross_val_score, they pickle as weights and plain data, and they keep
MLPClassifier's parameter names and defaults."""

import inspect
import pickle
import pickletools
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")
pytest.importorskip("scipy")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_moons, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor  # noqa: E402


@pytest.fixture(autouse=True)
def quiet_and_one_thread():
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def moons():
    return make_moons(400, noise=0.2, random_state=0)


def test_readme_cross_val_score(moons):
    # docs/how-to/scikit-learn.md: the printed mean accuracy
    X, y = moons
    clf = make_pipeline(StandardScaler(),
                        GlassnetClassifier((16,), max_iter=300, random_state=0))
    assert round(cross_val_score(clf, X, y, cv=5).mean(), 3) == 0.885


def test_it_learns_like_mlpclassifier(moons):
    X, y = moons
    X = StandardScaler().fit_transform(X)
    # scikit-learn's own MLP on the same data scores 0.975, 0.96, 0.8825
    for solver, floor in (("lbfgs", 0.95), ("adam", 0.95), ("sgd", 0.85)):
        ours = GlassnetClassifier((16,), solver=solver, max_iter=300,
                                  learning_rate_init=0.01, random_state=0).fit(X, y)
        theirs = MLPClassifier((16,), solver=solver, max_iter=300,
                               learning_rate_init=0.01, random_state=0).fit(X, y)
        assert ours.score(X, y) > floor, solver
        assert abs(ours.score(X, y) - theirs.score(X, y)) < 0.03, solver
        assert ours.loss_curve_[-1] < ours.loss_curve_[0]
        assert ours.n_iter_ == len(ours.loss_curve_)


def test_regressor_multi_output_and_target_scaling():
    X, Y = make_regression(200, 5, n_targets=2, noise=1.0, random_state=0)
    reg = GlassnetRegressor((16,), solver="lbfgs", scale_target=True,
                            random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 2)
    assert reg.score(X, Y) > 0.99
    np.testing.assert_allclose(reg.target_mean_, Y.mean(axis=0))
    # the network itself fits the standardised targets ỹ = (y − μ) / σ
    inner = reg.model_.predict(X)
    np.testing.assert_allclose(inner * reg.target_scale_ + reg.target_mean_,
                               reg.predict(X))
    assert abs(inner.mean()) < 0.1 and abs(inner.std() - 1) < 0.1
    assert GlassnetRegressor((4,), max_iter=5).fit(X, Y[:, 0]).predict(X).shape \
        == (200,)


def test_search_and_cross_validation_with_n_jobs(moons):
    X, y = moons[0][:120], moons[1][:120]
    pipe = make_pipeline(StandardScaler(),
                         GlassnetClassifier((8,), solver="lbfgs", max_iter=50,
                                            random_state=0))
    grid = GridSearchCV(pipe, {"glassnetclassifier__alpha": [1e-4, 1.0]}, cv=2,
                        n_jobs=2).fit(X, y)
    assert grid.best_score_ > 0.8
    assert isinstance(grid.best_estimator_[-1].model_, gn.Sequential)
    rand = RandomizedSearchCV(pipe, {"glassnetclassifier__hidden_layer_sizes":
                                     [(4,), (8,), (8, 8)]}, n_iter=2, cv=2,
                              n_jobs=2, random_state=0).fit(X, y)
    assert rand.best_score_ > 0.8
    scores = cross_val_score(GlassnetRegressor((8,), solver="lbfgs", max_iter=50,
                                               random_state=0), X, X[:, 0] ** 2,
                             cv=3, n_jobs=2)
    assert scores.mean() > 0.8


def test_pickle_round_trip_holds_weights_not_code(moons):
    X, y = moons
    clf = GlassnetClassifier((8,), dropout=0.1, max_iter=20, random_state=0).fit(X, y)
    blob = pickle.dumps(clf)
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert isinstance(clf.model_, gn.Sequential)        # the original untouched
    # The only classes in the stream: the estimator, NumPy's and builtins —
    # no glassnet layer, activation, loss or optimizer object is pickled.
    names = {arg for op, arg, _ in pickletools.genops(blob)
             if op.name in ("GLOBAL", "STACK_GLOBAL") or
             (op.name in ("SHORT_BINUNICODE", "BINUNICODE") and "glassnet" in arg)}
    assert not [n for n in names if "glassnet" in str(n)
                and "glassnet.sklearn" not in str(n)], names
    assert again.model_.get_config() == clf.model_.get_config()


def test_deterministic_and_clone_safe(moons):
    X, y = moons
    a = GlassnetClassifier((8,), max_iter=10, random_state=3, shuffle=True)
    p1 = clone(a).fit(X, y).predict_proba(X)
    p2 = clone(a).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    assert a.get_params() == clone(a).get_params()
    assert not hasattr(a, "model_")


def test_parameter_names_and_defaults_match_mlp():
    for ours, theirs in ((GlassnetClassifier, MLPClassifier),
                         (GlassnetRegressor, MLPRegressor)):
        mine = inspect.signature(ours).parameters
        sk = inspect.signature(theirs).parameters
        shared = set(mine) & set(sk)
        assert len(shared) >= 20
        for name in shared:
            assert mine[name].default == sk[name].default, name
        assert set(sk) - set(mine) == {"learning_rate", "power_t", "loss"} \
            - ({"loss"} if ours is GlassnetClassifier else set())


def test_early_stopping_scores_and_best_weights(moons):
    X, y = moons
    clf = GlassnetClassifier((16,), early_stopping=True, n_iter_no_change=3,
                             max_iter=200, learning_rate_init=0.05,
                             random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_glassnet_options_and_the_glass_box(moons):
    X, y = moons
    clf = GlassnetClassifier((8, 6), activation=("tanh", "gelu"), dropout=(0.1, 0),
                             optimizer="rmsprop", max_iter=5, random_state=0)
    clf.fit(X, y)
    names = [type(layer).__name__ for layer in clf.model_.layers]
    assert names == ["Dense", "Dropout", "Dense", "Dense"]
    assert clf.model_.optimizer.name == "rmsprop"
    errors = gn.gradcheck(clf.model_, X[:4].astype(np.float64), y[:4],
                          loss="binary_crossentropy", max_checks=10)
    assert max(errors.values()) < 1e-5


def test_one_class_fit_predicts_that_class():
    X = np.random.default_rng(0).random((5, 3))
    clf = GlassnetClassifier((4,)).fit(X, ["a"] * 5)
    assert list(clf.predict(X)) == ["a"] * 5
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((5, 1)))


@pytest.mark.parametrize("params, fragment", [
    ({"solver": "newton"}, "solver in"),
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes of positive ints"),
    ({"activation": ("relu",) * 3}, "one per hidden layer"),
    ({"solver": "lbfgs", "dropout": 0.2}, "dropout=0 with solver='lbfgs'"),
    ({"optimizer": "rmsprop", "solver": "lbfgs"}, "with an optimizer"),
    ({"alpha": -1.0}, "alpha in"),
    ({"batch_size": 0}, "batch_size as a positive int"),
])
def test_bad_parameters_say_what_and_how(params, fragment):
    X, y = np.zeros((6, 2)), np.array([0, 1] * 3)
    with pytest.raises(gn.ConfigError, match="expected") as info:
        GlassnetClassifier(**{"hidden_layer_sizes": (4,), **params}).fit(X, y)
    assert fragment in str(info.value)


def test_feature_names_from_a_dataframe(moons):
    pd = pytest.importorskip("pandas")
    X, y = moons
    df = pd.DataFrame(X, columns=["u", "v"])
    clf = GlassnetClassifier((4,), max_iter=5, random_state=0).fit(df, y)
    assert list(clf.feature_names_in_) == ["u", "v"]
    assert clf.n_features_in_ == 2


def test_warm_start_continues_the_same_network(moons):
    X, y = moons
    clf = GlassnetClassifier((8,), warm_start=True, max_iter=5, random_state=0)
    clf.fit(X, y)
    model, first = clf.model_, list(clf.loss_curve_)
    clf.fit(X, y)
    assert clf.model_ is model and clf.n_iter_ == 10
    assert clf.loss_curve_[:5] == first and clf.loss_curve_[-1] < first[-1]
    with pytest.raises(gn.DataError, match="classes of the previous fit"):
        clf.fit(X, np.where(y == 1, 2, 0))
