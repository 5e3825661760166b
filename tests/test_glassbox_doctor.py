"""The data doctor flags what training would hide, and is quiet otherwise."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.glassbox import doctor


@pytest.fixture
def clean():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    X = (X - X.mean(0)) / X.std(0)
    return X, np.arange(300) % 3


def test_quiet_on_standardised_balanced_data(clean):
    X, y = clean
    rep = doctor(X, y, X_test=X[:50] + 0.01)
    assert rep.ok and len(rep) == 0
    assert "ready to train" in rep.text()


def test_flags_one_feature_scaled_1e4(clean):
    X, y = clean
    Xs = X.copy()
    Xs[:, 3] *= 1e4
    rep = doctor(Xs, y)
    assert rep.codes() == ["feature_scales"]
    f = rep.findings[0]
    assert f.details["largest"] == 3 and f.details["ratio"] > 1e3
    assert "Standardise" in f.fix and "StandardScaler" in f.fix


def test_constant_columns_imbalance_and_overlap(clean):
    X, _ = clean
    Xc = np.c_[X, np.full(300, 7.0)]
    y = (np.arange(300) < 30).astype(int)            # 30 vs 270
    rep = doctor(Xc, y, X_test=np.r_[Xc[:4], Xc[:2] + 1.0])
    assert set(rep.codes()) == {"constant_columns", "class_imbalance",
                                "train_test_overlap"}
    text = rep.text()
    assert "columns [5]" in text and "class_weight='balanced'" in text
    assert "4 of the 6 test rows" in text
    assert "**class_imbalance**" in rep.markdown()


def test_continuous_labels_for_a_classifier(clean):
    X, _ = clean
    y = np.random.default_rng(1).normal(size=300)
    assert doctor(X, y, task="classification").codes() == ["continuous_labels"]
    assert doctor(X, y).ok                          # guessed: regression
    net = gn.Sequential([gn.Dense(2, "softmax", input_dim=5)])
    net.compile(loss="categorical_crossentropy")
    assert doctor(X, y, model=net).codes() == ["continuous_labels"]


def test_missing_values_large_values_and_bad_input(clean, errmsg):
    X, y = clean
    Xm = X.copy()
    Xm[3, 1] = np.nan
    assert "missing_values" in doctor(Xm, y).codes()
    assert doctor(X * 5e3, y).codes() == ["large_values"]
    with pytest.raises(gn.ConfigError) as e:
        doctor(X, y, task="clustering")
    errmsg(e, "task")
    with pytest.raises(gn.ShapeError):
        doctor(X, y[:10])
    shown = []
    doctor(X, y, print_fn=shown.append)
    assert shown and "ready" in shown[0]
