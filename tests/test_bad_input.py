"""Every user-facing entry point rejects bad input with a teaching error.

Errors are ValueError/TypeError subclasses whose message says what was
expected, what was received and how to fix it. Errors from fit() happen
before any training: weights, optimizer step count and epoch are untouched.
"""

import numpy as np
import pytest

import glassnet as gn

NAN = float("nan")


def _X(n=12, f=2):
    return np.random.default_rng(0).normal(size=(n, f))


def _clf(compiled=True):
    net = gn.Sequential([gn.Dense(4, "relu", input_dim=2), gn.Dense(3, "softmax")],
                        seed=0)
    if compiled:
        net.compile("categorical_crossentropy", "sgd", learning_rate=0.1)
    return net


LABELS = np.arange(12) % 3

# name: (callable, exception type, fragments the message must name)
CONSTRUCTION = {
    "dense-units-0": (lambda: gn.Dense(0), gn.ConfigError, ["units", "0"]),
    "dense-units-negative": (lambda: gn.Dense(-3), gn.ConfigError, ["-3"]),
    "dense-units-float": (lambda: gn.Dense(2.5), gn.ConfigError, ["2.5"]),
    "dense-units-bool": (lambda: gn.Dense(True), gn.ConfigError, ["True"]),
    "dense-unknown-activation": (lambda: gn.Dense(3, "sigmoidd"), gn.ConfigError,
                                 ["sigmoidd", "relu"]),
    "dense-activation-type": (lambda: gn.Dense(3, 5), TypeError, ["int"]),
    "dense-unknown-initializer": (lambda: gn.Dense(3, kernel_initializer="xavier"),
                                  gn.ConfigError, ["xavier", "glorot_uniform"]),
    "dense-input_dim-0": (lambda: gn.Dense(3, input_dim=0), gn.ConfigError,
                          ["input_dim"]),
    "dropout-rate-1": (lambda: gn.Dropout(1.0), gn.ConfigError, ["[0, 1)", "1.0"]),
    "dropout-rate-nan": (lambda: gn.Dropout(NAN), gn.ConfigError, ["nan"]),
    "sequential-empty": (lambda: gn.Sequential([]), gn.ConfigError, ["non-empty"]),
    "sequential-not-layer": (lambda: gn.Sequential([gn.Dense(2, input_dim=2), "relu"]),
                             TypeError, ["position 1", "str"]),
    "sequential-no-input_dim": (lambda: gn.Sequential([gn.Dense(2)]), gn.ConfigError,
                                ["input_dim"]),
    "sequential-input_dim-mismatch": (
        lambda: gn.Sequential([gn.Dense(3, input_dim=2), gn.Dense(2, input_dim=4)]),
        gn.ShapeError, ["input_dim=(3,)", "input_dim=(4,)"]),
    "sequential-dense-needs-flatten": (
        lambda: gn.Sequential([gn.Dense(3, input_dim=(2, 2))]), gn.ShapeError,
        ["Flatten"]),
    "sequential-dtype": (lambda: gn.Sequential([gn.Dense(2, input_dim=2)],
                                               dtype="int32"),
                         gn.ConfigError, ["float32", "int32"]),
    "sequential-seed": (lambda: gn.Sequential([gn.Dense(2, input_dim=2)], seed=-1),
                        gn.ConfigError, ["seed", "-1"]),
    "loss-unknown": (lambda: gn.losses.get("crossentropy"), gn.ConfigError,
                     ["crossentropy", "categorical_crossentropy"]),
    "optimizer-unknown": (lambda: _clf().compile("mse", "adamm"), gn.ConfigError,
                          ["adamm", "adam"]),
    "metric-unknown": (lambda: _clf().compile("categorical_crossentropy", "sgd",
                                              metrics=["accuracy", "auc"]),
                       gn.ConfigError, ["auc", "accuracy"]),
    "lr-negative": (lambda: gn.optimizers.SGD(-0.1), gn.ConfigError,
                    ["learning_rate", "-0.1"]),
    "lr-zero": (lambda: gn.optimizers.Adam(0.0), gn.ConfigError, ["learning_rate"]),
    "lr-nan": (lambda: gn.optimizers.RMSprop(NAN), gn.ConfigError, ["nan"]),
    "lr-negative-compile": (lambda: _clf().compile("mse", "adam", learning_rate=-1e-3),
                            gn.ConfigError, ["learning_rate"]),
    "optimizer-object-and-kwargs": (
        lambda: _clf().compile("mse", gn.optimizers.Adam(), learning_rate=0.1),
        gn.ConfigError, ["learning_rate", "Adam(learning_rate=0.01)"]),
    "momentum-1": (lambda: gn.optimizers.SGD(0.1, momentum=1.0), gn.ConfigError,
                   ["momentum"]),
    "beta_2-1": (lambda: gn.optimizers.Adam(beta_2=1.0), gn.ConfigError, ["beta_2"]),
    "nesterov-no-momentum": (lambda: gn.optimizers.SGD(0.1, nesterov=True),
                             gn.ConfigError, ["momentum > 0"]),
    "clipnorm-negative": (lambda: gn.optimizers.SGD(0.1, global_clipnorm=-1),
                          gn.ConfigError, ["global_clipnorm"]),
    "patience-negative": (lambda: gn.callbacks.EarlyStopping(patience=-1),
                          gn.ConfigError, ["patience", "-1"]),
    "patience-float": (lambda: gn.callbacks.ReduceLROnPlateau(patience=1.5),
                       gn.ConfigError, ["patience"]),
    "min_delta-negative": (lambda: gn.callbacks.EarlyStopping(min_delta=-1),
                           gn.ConfigError, ["min_delta"]),
    "monitor-mode": (lambda: gn.callbacks.EarlyStopping(mode="up"), gn.ConfigError,
                     ["mode", "up"]),
    "plateau-factor": (lambda: gn.callbacks.ReduceLROnPlateau(factor=2),
                       gn.ConfigError, ["factor"]),
    "scheduler-not-callable": (lambda: gn.callbacks.LearningRateScheduler(0.1),
                               TypeError, ["callable"]),
    "schedule-negative": (lambda: gn.schedules.ExponentialDecay(-0.1), gn.ConfigError,
                          ["initial"]),
    "schedule-warmup": (lambda: gn.schedules.CosineDecay(0.1, 5, warmup=5),
                        gn.ConfigError, ["warmup"]),
    "schedule-step-fraction": (lambda: gn.schedules.StepDecay(0.1, step=0.5),
                               gn.ConfigError, ["step", "0.5"]),
    "schedule-total-fraction": (lambda: gn.schedules.CosineDecay(0.1, 0.5),
                                gn.ConfigError, ["total_epochs"]),
    "regularizer-negative": (lambda: gn.regularizers.L2(-1.0), gn.ConfigError,
                             ["l2"]),
    "regularizer-type": (lambda: gn.Dense(2, kernel_regularizer="l2"), TypeError,
                         ["Regularizer", "str"]),
    "perceptron-inputs": (lambda: gn.Perceptron(0), gn.ConfigError, ["n_inputs"]),
    "perceptron-lr": (lambda: gn.Perceptron(2, learning_rate=-1), gn.ConfigError,
                      ["learning_rate"]),
    "perceptron-lr-nan": (lambda: gn.Perceptron(2, learning_rate=NAN), gn.ConfigError,
                          ["learning_rate", "nan"]),
    "perceptron-init": (lambda: gn.Perceptron(2, init="ones"), gn.ConfigError,
                        ["init", "ones"]),
    "perceptron-max-epochs": (lambda: gn.Perceptron(2).fit(_X(4), [0, 1, 1, 0],
                                                           max_epochs=0),
                              gn.ConfigError, ["max_epochs"]),
    "perceptron-labels": (lambda: gn.Perceptron(2).fit(_X(3), [0, 1, 2]),
                          gn.ShapeError, ["0 or 1"]),
    "step-activation-compile": (
        lambda: gn.Sequential([gn.Dense(1, "step", input_dim=2)]).compile("mse"),
        gn.TrainingError, None),
    "cce-on-linear-output": (
        lambda: gn.Sequential([gn.Dense(3, input_dim=2)]).compile(
            "categorical_crossentropy"), gn.ConfigError, ["softmax", "from_logits"]),
    "monitor-type": (lambda: gn.callbacks.EarlyStopping(monitor=3), gn.ConfigError,
                     ["monitor", "3"]),
    "checkpoint-path": (lambda: gn.callbacks.ModelCheckpoint(None), TypeError,
                        ["filepath", "None"]),
    "csv-logger-path": (lambda: gn.callbacks.CSVLogger(""), TypeError,
                        ["filename", "''"]),
    "top-k-0": (lambda: gn.metrics.top_k_accuracy([0, 1], np.eye(2), k=0),
                gn.ConfigError, ["k as a positive int", "0"]),
    "history-best-unknown": (lambda: gn.History().best("val_loss"), gn.ConfigError,
                             ["val_loss", "nothing yet"]),
    "initializer-constant-nan": (lambda: gn.Dense(2, kernel_initializer=(
        gn.initializers.Constant(NAN))), gn.ConfigError, ["finite", "nan"]),
}


@pytest.mark.parametrize("case", list(CONSTRUCTION))
def test_construction_errors(case, errmsg):
    fn, exc, frags = CONSTRUCTION[case]
    with pytest.raises(exc) as ei:
        fn()
    assert isinstance(ei.value, ValueError | TypeError | gn.TrainingError)
    if frags is None:  # an explanation, not an expected/received pair
        assert "Perceptron" in str(ei.value) and "sigmoid" in str(ei.value)
    else:
        errmsg(ei, *frags)


def test_sequential_same_layer_twice():
    d = gn.Dense(2, input_dim=2)
    with pytest.raises(gn.ConfigError, match="twice.*new layer"):
        gn.Sequential([d, d])


PREDICT = {
    "wrong-columns": (_X(4, 3), ["(n_samples, 2)", "(4, 3)", "input_dim"]),
    "one-d": (np.array([1.0, 2.0]), ["(n_samples, 2)", "reshape(1, -1)"]),
    "nan": (np.array([[1.0, NAN]]), ["finite", "(0, 1)"]),
    "inf": (np.array([[1.0, 2.0], [np.inf, 0]]), ["finite", "(1, 0)"]),
    "empty": (np.zeros((0, 2)), ["at least one sample"]),
    "strings": ([["a", "b"]], ["numeric"]),
    "ragged": ([[1.0, 2.0], [3.0]], ["numeric"]),
}


@pytest.mark.parametrize("case", list(PREDICT))
def test_predict_rejects_bad_X(case, errmsg):
    X, frags = PREDICT[case]
    with pytest.raises(gn.ShapeError) as ei:
        _clf().predict(X)
    errmsg(ei, *frags)


@pytest.mark.parametrize("batch_size", [0, -5, 2.5])
def test_predict_and_evaluate_batch_size(batch_size, errmsg):
    net = _clf()
    with pytest.raises(gn.ConfigError) as ei:
        net.predict(_X(), batch_size=batch_size)
    errmsg(ei, "batch_size")
    with pytest.raises(gn.ConfigError) as ei:
        net.evaluate(_X(), LABELS, batch_size=batch_size)
    errmsg(ei, "batch_size")


def test_one_feature_hint_reshapes_to_a_column(errmsg):
    net = gn.Sequential([gn.Dense(1, input_dim=1)])
    with pytest.raises(gn.ShapeError) as ei:
        net.predict(np.arange(5.0))
    errmsg(ei, "reshape(-1, 1)")


SET_WEIGHTS = {
    "count": (lambda w: w[:3], ["4 arrays", "3"]),
    "shape": (lambda w: [w[0].T, *w[1:]], ["dense.W", "(2, 4)", "(4, 2)"]),
    "nan": (lambda w: [w[0], w[1] * NAN, *w[2:]], ["finite", "dense.b"]),
    "not-list": (lambda w: w[0], ["4 arrays"]),
}


@pytest.mark.parametrize("case", list(SET_WEIGHTS))
def test_set_weights_rejects_mismatch(case, errmsg):
    net = _clf()
    before = net.get_weights()
    make, frags = SET_WEIGHTS[case]
    with pytest.raises(gn.ShapeError) as ei:
        net.set_weights(make(net.get_weights()))
    errmsg(ei, *frags)
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # nothing half-written


# fit(...) arguments: (X, y, kwargs, exception, fragments)
FIT = {
    "batch-0": (_X(), LABELS, dict(batch_size=0), gn.ConfigError, ["batch_size"]),
    "batch-too-large": (_X(), LABELS, dict(batch_size=13), gn.ConfigError,
                        ["batch_size", "12", "13"]),
    "batch-after-split": (_X(), LABELS, dict(batch_size=12, validation_split=0.25),
                          gn.ConfigError, ["batch_size", "validation_split"]),
    "epochs-0": (_X(), LABELS, dict(epochs=0), gn.ConfigError, ["epochs"]),
    "split-0": (_X(), LABELS, dict(validation_split=0.0), gn.ConfigError, ["(0, 1)"]),
    "split-1": (_X(), LABELS, dict(validation_split=1.0), gn.ConfigError, ["(0, 1)"]),
    "split-negative": (_X(), LABELS, dict(validation_split=-0.2), gn.ConfigError,
                       ["(0, 1)", "-0.2"]),
    "split-1.5": (_X(), LABELS, dict(validation_split=1.5), gn.ConfigError, ["1.5"]),
    "length-mismatch": (_X(), LABELS[:10], {}, gn.ShapeError,
                        ["12 rows", "10 entries"]),
    "single-class": (_X(), np.zeros(12, int), {}, gn.ShapeError, ["two classes"]),
    "label-out-of-range": (_X(), np.arange(12) % 4, {}, gn.ShapeError,
                           ["0..2", "3 units"]),
    "label-negative": (_X(), LABELS - 1, {}, gn.ShapeError, ["0..2"]),
    "label-fractional": (_X(), LABELS + 0.5, {}, gn.ShapeError, ["integer"]),
    "label-nan": (_X(), np.r_[LABELS[:-1], NAN], {}, gn.ShapeError, ["integer"]),
    "onehot-rows": (_X(), np.eye(3)[LABELS] + np.eye(3)[(LABELS + 1) % 3], {},
                    gn.ShapeError, ["summing to 1", "binary_crossentropy"]),
    "onehot-width": (_X(), np.eye(4)[np.arange(12) % 4], {}, gn.ShapeError,
                     ["(n_samples, 3)", "(12, 4)"]),
    "X-nan": (np.r_[_X(11), [[NAN, 0]]], LABELS, {}, gn.ShapeError, ["finite"]),
    "X-columns": (_X(12, 5), LABELS, {}, gn.ShapeError, ["(n_samples, 2)"]),
    "nan-policy": (_X(), LABELS, dict(nan_policy="ignore"), gn.ConfigError,
                   ["nan_policy", "ignore"]),
    "verbose": (_X(), LABELS, dict(verbose=3), gn.ConfigError, ["verbose"]),
    "class-weight-key": (_X(), LABELS, dict(class_weight={3: 2.0}), gn.ConfigError,
                         ["0..2", "3"]),
    "class-weight-negative": (_X(), LABELS, dict(class_weight={0: -1.0}),
                              gn.ConfigError, ["≥ 0"]),
    "class-weight-name": (_X(), LABELS, dict(class_weight="auto"), gn.ConfigError,
                          ["balanced", "auto"]),
    "sample-weight-shape": (_X(), LABELS, dict(sample_weight=np.ones(5)),
                            gn.ShapeError, ["(12,)", "(5,)"]),
    "sample-weight-negative": (_X(), LABELS, dict(sample_weight=-np.ones(12)),
                               gn.ShapeError, ["≥ 0"]),
    "validation-data-form": (_X(), LABELS, dict(validation_data=_X()),
                             gn.ConfigError, ["(X_val, y_val)"]),
    "validation-data-labels": (_X(), LABELS,
                               dict(validation_data=(_X(3), [0, 1, 7])),
                               gn.ShapeError, ["0..2"]),
    "callback-type": (_X(), LABELS, dict(callbacks=[print]), TypeError,
                      ["Callback"]),
    "lr-schedule-type": (_X(), LABELS, dict(lr_schedule=0.1), TypeError,
                         ["lr_schedule", "float"]),
    "seed": (_X(), LABELS, dict(seed="zero"), gn.ConfigError, ["seed"]),
}


@pytest.mark.parametrize("case", list(FIT))
def test_fit_rejects_before_training(case, errmsg):
    X, y, kwargs, exc, frags = FIT[case]
    net = _clf()
    before = net.flat_params.copy()
    kwargs = {"batch_size": 4, "verbose": 0, **kwargs}
    with pytest.raises(exc) as ei:
        net.fit(X, y, **kwargs)
    errmsg(ei, *frags)
    np.testing.assert_array_equal(net.flat_params, before)
    assert net.optimizer.t == 0 and net.epoch == 0


def test_bce_labels_the_output_cannot_represent(errmsg):
    net = gn.Sequential([gn.Dense(1, "sigmoid", input_dim=2)], seed=0)
    net.compile("binary_crossentropy", "sgd")
    with pytest.raises(gn.ShapeError) as ei:
        net.fit(_X(), LABELS, batch_size=4, verbose=0)
    errmsg(ei, "[0, 1]", "categorical_crossentropy")
    assert net.optimizer.t == 0


def test_cce_with_one_output_unit(errmsg):
    net = gn.Sequential([gn.Dense(1, "softmax", input_dim=2)], seed=0)
    net.compile("categorical_crossentropy", "sgd")
    with pytest.raises(gn.ShapeError) as ei:
        net.fit(_X(), LABELS % 2, batch_size=4, verbose=0)
    errmsg(ei, "≥ 2 units", "binary_crossentropy")


def test_class_weight_needs_a_classifier():
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    net.compile("mse", "sgd")
    with pytest.raises(gn.ConfigError, match="sample_weight"):
        net.fit(_X(), np.ones(12), batch_size=4, verbose=0, class_weight="balanced")


def test_fit_and_evaluate_need_compile():
    net = _clf(compiled=False)
    for call in (lambda: net.fit(_X(), LABELS, batch_size=4, verbose=0),
                 lambda: net.evaluate(_X(), LABELS),
                 lambda: net.train_step(_X(), LABELS)):
        with pytest.raises(gn.ConfigError, match="compile"):
            call()


def test_train_step_and_evaluate_validate_input(errmsg):
    net = _clf()
    with pytest.raises(gn.ShapeError) as ei:
        net.train_step(_X(), np.arange(12))
    errmsg(ei, "0..2")
    with pytest.raises(gn.ShapeError) as ei:
        net.evaluate(_X(), LABELS[:5])
    errmsg(ei, "12 rows")
    with pytest.raises(gn.ShapeError) as ei:
        net.train_step(_X(), LABELS, sample_weight=[1.0, 2.0])
    errmsg(ei, "sample_weight")
    assert net.optimizer.t == 0


def test_gradients_need_targets(errmsg):
    with pytest.raises(gn.ShapeError) as ei:
        _clf().gradients(_X(), None, loss="mse")
    errmsg(ei, "targets")


def test_regression_targets_nan_and_shape(errmsg):
    net = gn.Sequential([gn.Dense(2, input_dim=2)], seed=0)
    net.compile("mse", "sgd")
    with pytest.raises(gn.ShapeError) as ei:
        net.fit(_X(), np.r_[np.ones((11, 2)), [[NAN, 1]]], batch_size=4, verbose=0)
    errmsg(ei, "finite targets")
    with pytest.raises(gn.ShapeError) as ei:
        net.fit(_X(), np.ones(12), batch_size=4, verbose=0)
    errmsg(ei, "(n_samples, 2)", "(12,)")
