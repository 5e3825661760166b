"""Metrics against scikit-learn (skipped without it) and by hand."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import metrics as M

RNG = np.random.default_rng(0)
Y_TRUE = RNG.integers(0, 4, size=200)
SCORES = RNG.normal(size=(200, 4)) + 1.5 * np.eye(4)[Y_TRUE]
Y_PRED = SCORES.argmax(1)


@pytest.fixture
def skm():
    return pytest.importorskip("sklearn.metrics")


def test_accuracy_labels_scores_and_onehot(skm):
    ref = skm.accuracy_score(Y_TRUE, Y_PRED)
    assert M.accuracy(Y_TRUE, Y_PRED) == pytest.approx(ref)
    assert M.accuracy(Y_TRUE, SCORES) == pytest.approx(ref)
    assert M.accuracy(np.eye(4)[Y_TRUE], SCORES) == pytest.approx(ref)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_accuracy(skm, k):
    ref = skm.top_k_accuracy_score(Y_TRUE, SCORES, k=k, labels=range(4))
    assert M.top_k_accuracy(Y_TRUE, SCORES, k=k) == pytest.approx(ref)


def test_confusion_matrix(skm):
    np.testing.assert_array_equal(M.confusion_matrix(Y_TRUE, Y_PRED),
                                  skm.confusion_matrix(Y_TRUE, Y_PRED))
    np.testing.assert_array_equal(M.confusion_matrix([0, 1], [1, 1], n_classes=3),
                                  [[0, 1, 0], [0, 1, 0], [0, 0, 0]])


def test_precision_recall_f1_per_class_and_macro(skm):
    res = M.precision_recall_f1(Y_TRUE, Y_PRED)
    p, r, f, _ = skm.precision_recall_fscore_support(Y_TRUE, Y_PRED, zero_division=0)
    np.testing.assert_allclose(res["precision"], p)
    np.testing.assert_allclose(res["recall"], r)
    np.testing.assert_allclose(res["f1"], f)
    for name, fn in [("precision", skm.precision_score), ("recall", skm.recall_score),
                     ("f1", skm.f1_score)]:
        ref = fn(Y_TRUE, Y_PRED, average="macro", zero_division=0)
        assert res[f"macro_{name}"] == pytest.approx(ref)
        assert getattr(M, name)(Y_TRUE, SCORES) == pytest.approx(ref)


def test_macro_average_over_the_classes_that_occur(skm):
    """Class 1 appears in neither labels nor predictions: it is not averaged
    in as a zero (scikit-learn's default labels are the classes that occur)."""
    yt = np.array([0, 0, 2, 2, 3, 3, 3])
    yp = np.array([0, 2, 2, 2, 3, 0, 3])
    for name, fn in [("precision", skm.precision_score), ("recall", skm.recall_score),
                     ("f1", skm.f1_score)]:
        ref = fn(yt, yp, average="macro", zero_division=0)
        assert getattr(M, name)(yt, yp) == pytest.approx(ref), name


def test_undefined_precision_is_zero(skm):
    yt, yp = np.array([0, 1, 1, 2]), np.array([0, 0, 0, 2])  # class 1 never predicted
    res = M.precision_recall_f1(yt, yp)
    p, r, f, _ = skm.precision_recall_fscore_support(yt, yp, zero_division=0)
    np.testing.assert_allclose(res["precision"], p)
    np.testing.assert_allclose(res["f1"], f)
    assert res["precision"][1] == 0.0 and res["recall"][1] == 0.0


def test_binary_sigmoid_scores_are_thresholded(skm):
    yt = np.array([0, 1, 1, 0, 1])
    p = np.array([[0.2], [0.7], [0.4], [0.51], [0.99]])
    assert M.accuracy(yt, p) == pytest.approx(
        skm.accuracy_score(yt, (p[:, 0] >= 0.5).astype(int)))


def test_regression_metrics(skm):
    yt = RNG.normal(size=(50, 2))
    yp = yt + RNG.normal(scale=0.3, size=(50, 2))
    assert M.mse(yt, yp) == pytest.approx(skm.mean_squared_error(yt, yp))
    assert M.mae(yt, yp) == pytest.approx(skm.mean_absolute_error(yt, yp))
    assert M.r2(yt, yp) == pytest.approx(skm.r2_score(yt, yp))
    # a 1-D target against a (B, 1) prediction
    assert M.r2(yt[:, 0], yp[:, :1]) == pytest.approx(skm.r2_score(yt[:, 0], yp[:, 0]))
    assert M.mse(yt[:, 0], yp[:, :1]) == pytest.approx(
        skm.mean_squared_error(yt[:, 0], yp[:, 0]))


def test_metrics_by_hand_without_sklearn():
    yt, yp = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    assert M.accuracy(yt, yp) == 0.5
    cm = M.confusion_matrix(yt, yp)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 0, 1], [0, 1, 1]])
    res = M.precision_recall_f1(yt, yp)
    np.testing.assert_allclose(res["precision"], [1, 0, 0.5])
    np.testing.assert_allclose(res["recall"], [1, 0, 0.5])
    assert M.r2([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert M.mse([0.0, 0.0], [1.0, 3.0]) == 5.0


def test_metric_registry(errmsg):
    assert M.get("acc") == ("accuracy", M.accuracy)
    assert M.get("top5")[1] is M.top_k_accuracy
    name, fn = M.get(lambda yt, yp: 0.0)
    assert callable(fn)
    with pytest.raises(gn.ConfigError) as ei:
        M.get("auc")
    errmsg(ei, "auc")


def test_metrics_in_fit_match_the_functions():
    X = RNG.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    net = gn.Sequential([gn.Dense(3, "softmax", input_dim=2)], seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.05,
                metrics=["accuracy", "f1", "top_k_accuracy"])
    h = net.fit(X, y, epochs=3, batch_size=60, validation_data=(X, y), verbose=0)
    ev = net.evaluate(X, y)
    p = net.predict(X)
    assert ev["accuracy"] == pytest.approx(M.accuracy(y, p))
    assert ev["f1"] == pytest.approx(M.f1(y, p))
    assert h["val_f1"][-1] == pytest.approx(ev["f1"])
    assert ev["top_k_accuracy"] == 1.0   # k = 5 ≥ 3 classes
