"""The device seam, proven on every machine with a checking device.

``device="check"`` (``tests/checkxp.py``) is a stand-in GPU: its arrays are
not NumPy arrays, every operation fails on a NumPy array mixed into device
math or a device array turned into NumPy implicitly, and it refuses the
NumPy features CuPy lacks. Training, evaluation, prediction, saving and
loading, checkpoints and resume, the glass box and the recurrent layers run
through it here; whatever would break on a GPU breaks here first. Its math
is NumPy's, so models that do not draw random numbers give bit for bit the
CPU's results.
"""

from __future__ import annotations

import checkxp
import numpy as np
import pytest
from checkxp import XP, CupyIncompatible, DeviceArray, SeamLeak
from crash import Crash

import glassnet as gn
from glassnet.core import backend
from glassnet.core.layer import Layer
from glassnet.errors import TrainingError
from glassnet.train import feed

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 4)).astype(np.float32)
Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
FIT = dict(epochs=3, batch_size=8, seed=3, verbose=0, validation_split=0.2)


def mlp(device, optimizer="adam", dropout=0.0, dtype="float32", **opt):
    layers = [gn.Dense(8, "tanh", input_dim=4), gn.Dense(6, "relu")]
    layers += [gn.Dropout(dropout)] if dropout else []
    net = gn.Sequential([*layers, gn.Dense(2, "softmax")], seed=1, dtype=dtype,
                        device=device)
    net.compile("categorical_crossentropy", optimizer, metrics=["accuracy"], **opt)
    return net


def same(a, b) -> bool:
    return all(x.tobytes() == y.tobytes() for x, y in
               zip(a.get_weights(), b.get_weights(), strict=True))


@pytest.fixture(autouse=True)
def _plenty_of_device_memory():
    checkxp.set_free_bytes(1 << 40)
    yield
    checkxp.set_free_bytes(1 << 40)


# -- the checker itself fails where a GPU would -------------------------------
def test_the_checking_device_refuses_every_implicit_crossing():
    a = XP.ones((2, 3), dtype=np.float32)
    host = np.ones((2, 3), dtype=np.float32)
    assert isinstance(a, DeviceArray) and not isinstance(a, np.ndarray)
    for leak in (lambda: np.asarray(a), lambda: a + host, lambda: host + a,
                 lambda: a.__setitem__(..., host), lambda: host.__setitem__(..., a),
                 lambda: XP.matmul(a, host.T), lambda: np.concatenate([a, a]),
                 lambda: XP.copyto(a, host)):
        with pytest.raises(SeamLeak):
            leak()
    for missing in (lambda: XP.add(a, a, out=a, where=a > 0),
                    lambda: XP.maximum.reduce(a, axis=1),
                    lambda: a.max(axis=1, initial=0.0),
                    lambda: XP.take(a, XP.asarray([0]), axis=0, mode="clip")):
        with pytest.raises(CupyIncompatible):
            missing()
    # explicit crossings work: to_device, to_host, one number read back
    b = checkxp.CHECK.to_device(host) * 2 + np.float32(1) + a
    assert type(checkxp.CHECK.to_host(b)) is np.ndarray
    assert float(b.sum()) == 24.0 and np.exp(a).shape == (2, 3)


def test_an_element_is_a_view_as_on_a_gpu():
    a = XP.zeros(3)
    old = a[1]                       # CuPy: a 0-d view, not a number
    a[1] = 5.0
    assert float(old) == 5.0


def test_a_leaking_layer_is_caught_during_fit():
    class Leaky(Layer):
        def forward(self, x, training=False):
            return x * np.ones(x.shape[1], dtype=x.dtype)   # a host constant

        def backward(self, dy):
            return dy

    net = gn.Sequential([gn.Dense(3, input_dim=4), Leaky(), gn.Dense(2, "softmax")],
                        seed=0, device="check")
    net.compile("categorical_crossentropy", "sgd")
    with pytest.raises(SeamLeak):
        net.fit(X, Y, epochs=1, verbose=0)
    cpu = gn.Sequential([gn.Dense(3, input_dim=4), Leaky(), gn.Dense(2, "softmax")],
                        seed=0)
    cpu.compile("categorical_crossentropy", "sgd")
    cpu.fit(X, Y, epochs=1, verbose=0)            # the CPU never notices


# -- training through the seam gives the CPU's numbers ---------------------------
@pytest.mark.parametrize("optimizer,opt", [
    ("adam", {}), ("adamw", {}), ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("rmsprop", {}), ("adagrad", {"global_clipnorm": 0.5, "clipvalue": 0.1})])
@pytest.mark.parametrize("free", [1 << 40, 1000])   # resident / streamed batches
@pytest.mark.parametrize("device", ["check", "check-plain"])  # fused kernels or not
def test_fit_on_the_device_is_bitwise_the_cpu_fit(optimizer, opt, free, device):
    checkxp.set_free_bytes(free)
    cpu, dev = mlp("cpu", optimizer, **opt), mlp(device, optimizer, **opt)
    h_cpu, h_dev = cpu.fit(X, Y, **FIT), dev.fit(X, Y, **FIT)
    assert dev.backend.name == device and isinstance(dev.flat_params, DeviceArray)
    assert same(cpu, dev)
    for k in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert h_cpu.history[k] == h_dev.history[k]
    assert dev.evaluate(X, Y) == cpu.evaluate(X, Y)
    p = dev.predict(X, batch_size=7)
    assert type(p) is np.ndarray and p.tobytes() == cpu.predict(X, 7).tobytes()
    assert dev.predict(X[:1]).tobytes() == cpu.predict(X[:1]).tobytes()


def test_the_feed_puts_the_training_set_on_the_device_when_it_fits():
    arrays = (X, Y.astype(np.float32), None)
    nbytes = X.nbytes + arrays[1].nbytes
    checkxp.set_free_bytes(int(nbytes / feed.RESIDENT_FRACTION))
    assert feed.feed_for(checkxp.CHECK, arrays, 8).resident
    checkxp.set_free_bytes(int(nbytes / feed.RESIDENT_FRACTION) - 1)
    assert not feed.feed_for(checkxp.CHECK, arrays, 8).resident
    assert not feed.feed_for(backend.CPU, arrays, 8).resident   # host: data stays


def test_losses_activations_regularizers_and_weights_through_the_seam():
    def net(device):
        m = gn.Sequential([
            gn.Dense(5, gn.activations.LeakyReLU(0.1), input_dim=4,
                     kernel_regularizer=gn.regularizers.L1L2(1e-3, 1e-3)),
            gn.Dense(5, "elu"), gn.Dense(5, "softplus"), gn.Dense(5, "gelu"),
            gn.Dense(5, "silu"), gn.Activation("sigmoid"), gn.Dense(2)],
            seed=2, dtype="float64", device=device)
        return m
    w = RNG.uniform(0.5, 2.0, len(X))
    onehot, values = np.eye(2)[Y], RNG.standard_normal((len(X), 2))
    for loss, y in (("mse", values), ("mae", values), ("huber", values),
                    ("half_sse", values),
                    (lambda: gn.losses.BinaryCrossentropy(from_logits=True), onehot),
                    (lambda: gn.losses.CategoricalCrossentropy(from_logits=True), Y)):
        cpu, dev = net("cpu"), net("check")
        for m in (cpu, dev):                 # a loss object works on one device
            m.compile(loss if isinstance(loss, str) else loss(), "adam")
        cpu.fit(X, y, epochs=2, batch_size=16, seed=0, verbose=0, sample_weight=w)
        dev.fit(X, y, epochs=2, batch_size=16, seed=0, verbose=0, sample_weight=w)
        assert same(cpu, dev), loss
        for a, b in zip(cpu.gradients(X[:5], onehot[:5], loss="mse"),
                        dev.gradients(X[:5], onehot[:5], loss="mse"), strict=True):
            assert type(b) is np.ndarray and a.tobytes() == b.tobytes()
    report = gn.gradcheck(dev, X[:4], onehot[:4], loss="mse", max_checks=4)
    assert max(report.values()) < 1e-6


def test_class_weights_and_binary_sigmoid_outputs():
    def net(device):
        m = gn.Sequential([gn.Dense(4, "tanh", input_dim=4), gn.Dense(1, "sigmoid")],
                          seed=0, device=device)
        m.compile("binary_crossentropy", "adam", metrics=["accuracy", "mse"])
        return m
    cpu, dev = net("cpu"), net("check")
    h1 = cpu.fit(X, Y, epochs=2, batch_size=8, verbose=0, class_weight="balanced")
    h2 = dev.fit(X, Y, epochs=2, batch_size=8, verbose=0, class_weight="balanced")
    assert same(cpu, dev)
    assert all(h1.history[k] == h2.history[k] for k in ("loss", "accuracy", "mse"))
    assert (dev.predict_classes(X) == cpu.predict_classes(X)).all()


# -- randomness: dropout masks from the model's generator ------------------------
def test_dropout_on_a_device_is_reproducible_and_drops_the_rate():
    a, b = mlp("check", dropout=0.4), mlp("check", dropout=0.4)
    a.fit(X, Y, **FIT)
    b.fit(X, Y, **FIT)
    assert same(a, b)                         # same seed, same masks
    drop = a.layers[2]
    a.train_step(np.repeat(X, 50, axis=0), np.repeat(Y, 50))
    kept = checkxp.CHECK.to_host(drop.mask) > 0
    assert abs(kept.mean() - 0.6) < 0.02      # 3000 × 6 draws
    c = gn.Sequential([gn.Dense(8, input_dim=4), gn.Dropout(0.4), gn.Dense(2)],
                      seed=2, device="check")
    c.compile("mse", "sgd")
    c.train_step(np.repeat(X, 50, axis=0), np.zeros((3000, 2)))
    assert (checkxp.CHECK.to_host(c.layers[1].mask) > 0).tobytes() != kept.tobytes()


# -- checkpoints, resume, callbacks, NaN policies --------------------------------

def test_resume_on_the_device_is_bitwise_with_dropout_and_early_stopping(tmp_path):
    def run(**kw):
        net = mlp("check", dropout=0.3)
        stop = gn.callbacks.EarlyStopping("val_loss", patience=5)
        return net, net.fit(X, Y, **{**FIT, "epochs": 5}, callbacks=[stop, *kw.pop(
            "extra", [])], **kw)
    ref, ref_hist = run()
    path = tmp_path / "run.ckpt"
    for n in (4, 11):
        with pytest.raises(KeyboardInterrupt):
            run(checkpoint=path, checkpoint_every=3, resume=True, extra=[Crash(n)])
    net, hist = run(checkpoint=path, checkpoint_every=3, resume=True)
    assert same(net, ref) and hist.history["loss"] == ref_hist.history["loss"]
    for k, v in ref.optimizer.state.items():
        assert checkxp.CHECK.to_host(net.optimizer.state[k]).tobytes() == \
            checkxp.CHECK.to_host(v).tobytes()
    ck = gn.io.read_checkpoint(path)
    assert all(type(w) is np.ndarray for w in ck["weights"])
    assert all(type(v) is np.ndarray for v in ck["optimizer_state"].values())


def test_a_checkpoint_written_on_the_device_resumes_on_the_cpu(tmp_path):
    ref, _ = mlp("cpu"), None
    ref_hist = ref.fit(X, Y, **FIT)
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        mlp("check").fit(X, Y, **FIT, checkpoint=path, resume=True,
                         callbacks=[Crash(9)])
    net = mlp("cpu")
    hist = net.fit(X, Y, **FIT, checkpoint=path, resume=True)
    assert same(net, ref) and hist.history["loss"] == ref_hist.history["loss"]


def test_early_stopping_restores_the_best_weights_kept_on_the_device():
    cpu, dev = mlp("cpu", learning_rate=0.5), mlp("check", learning_rate=0.5)
    for m in (cpu, dev):
        m.fit(X, Y, **{**FIT, "epochs": 8},
              callbacks=[gn.callbacks.EarlyStopping("val_loss", patience=1)])
    assert same(cpu, dev) and cpu.stop_reason == dev.stop_reason


@pytest.mark.parametrize("policy", ["raise", "stop", "warn"])
def test_nan_policies_on_the_device(policy):
    def net(device):
        m = gn.Sequential([gn.Dense(4, "relu", input_dim=4), gn.Dense(1)], seed=0,
                          device=device)
        m.compile("mse", "sgd", learning_rate=1e3)
        return m
    big = X * 1e3
    runs = []
    for device in ("cpu", "check"):
        m = net(device)
        if policy == "raise":
            with pytest.raises(TrainingError, match="non-finite"):
                m.fit(big, big[:, :1], epochs=3, batch_size=8, verbose=0)
            continue
        with pytest.warns(RuntimeWarning) if policy == "warn" else _nothing():
            h = m.fit(big, big[:, :1], epochs=3, batch_size=8, verbose=0,
                      nan_policy=policy)
        runs.append((m, h))
    if runs:
        (a, ha), (b, hb) = runs
        assert same(a, b) and ha.stopped_reason == hb.stopped_reason


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- files: saved from the device, loaded anywhere -------------------------------
def test_a_model_saved_from_the_device_loads_on_the_cpu(tmp_path):
    dev = mlp("check", dropout=0.2)
    dev.fit(X, Y, **FIT)
    dev.save(tmp_path / "m.safetensors")
    loaded = gn.load(tmp_path / "m.safetensors")
    assert loaded.backend is backend.CPU
    assert loaded.predict(X).tobytes() == dev.predict(X).tobytes()
    back = gn.load(tmp_path / "m.safetensors").to("check")
    assert back.predict(X).tobytes() == dev.predict(X).tobytes()


def test_to_moves_weights_and_optimizer_state_and_training_goes_on():
    cpu, moved = mlp("cpu"), mlp("cpu")
    cpu.fit(X, Y, **FIT)
    moved.fit(X, Y, **{**FIT, "epochs": 1})
    moved.to("check")
    assert isinstance(moved.optimizer.state["m"], DeviceArray)
    assert isinstance(moved.layers[0].W, DeviceArray)
    assert moved.layers[0].W.shape == (4, 8)
    moved.fit(X, Y, **{**FIT, "epochs": 1})
    moved.to("cpu").fit(X, Y, **{**FIT, "epochs": 1})
    assert type(moved.flat_params) is np.ndarray
    ref = mlp("cpu")
    for _ in range(3):
        ref.fit(X, Y, **{**FIT, "epochs": 1})
    assert same(moved, ref)
    assert moved.to("cpu") is moved


# -- the glass box copies what it shows to the host ------------------------------
def test_trace_receipts_and_diagnostics_on_the_device():
    cpu, dev = mlp("cpu"), mlp("check")
    t_cpu, t_dev = gn.trace(cpu, X[:6], Y[:6]), gn.trace(dev, X[:6], Y[:6])
    for d_cpu, d_dev in zip(t_cpu.layers, t_dev.layers, strict=True):
        for k, v in d_cpu.items():
            if isinstance(v, np.ndarray):
                assert type(d_dev[k]) is np.ndarray and v.tobytes() == \
                    d_dev[k].tobytes(), k
    assert t_dev.summary() == t_cpu.summary()
    for kw in (dict(weight=(0, "W", 1, 2), update=True), dict(neuron=(1, 3))):
        assert gn.explain(dev, X[:3], Y[:3], **kw).text() == \
            gn.explain(cpu, X[:3], Y[:3], **kw).text()
    h1, h2 = cpu.fit(X, Y, **FIT, diagnostics=2), dev.fit(X, Y, **FIT, diagnostics=2)
    assert h1.diagnostics == h2.diagnostics
    assert gn.diagnose(h2).text() == gn.diagnose(h1).text()
    r1 = gn.find_lr(mlp("cpu"), X, Y, steps=15)
    r2 = gn.find_lr(mlp("check"), X, Y, steps=15)
    assert r1.suggestion == r2.suggestion


# -- recurrent layers -------------------------------------------------------------
@pytest.mark.parametrize("cell", [gn.SimpleRNN, gn.LSTM, gn.GRU])
def test_recurrent_layers_through_the_seam(cell):
    Xs = RNG.standard_normal((12, 5, 3))
    Xs[:4, 3:] = 0.0                                  # padded ends
    ys = Xs.sum(axis=(1, 2))[:, None]

    def net(device):
        m = gn.Sequential([cell(4, input_dim=(5, 3), return_sequences=True,
                                mask_value=0.0, truncate=3),
                           gn.TimeDistributed(gn.Dense(2, "tanh")), gn.Flatten(),
                           gn.Dense(1)], seed=0, dtype="float64", device=device)
        m.compile("mse", "adam")
        if cell is gn.LSTM:
            m.layers[0].fast = False                  # the form a GPU runs
        return m
    cpu, dev = net("cpu"), net("check")
    for a, b in zip(cpu.gradients(Xs, ys, "mse"), dev.gradients(Xs, ys, "mse"),
                    strict=True):
        assert a.tobytes() == b.tobytes()
    r_cpu = cpu.layers[0].recurrent_weight_receipt(1, 2).text()
    assert dev.layers[0].recurrent_weight_receipt(1, 2).text() == r_cpu
    cpu.fit(Xs, ys, epochs=2, batch_size=4, verbose=0)
    dev.fit(Xs, ys, epochs=2, batch_size=4, verbose=0)
    assert same(cpu, dev)
    trace = gn.trace(dev, Xs[:4], ys[:4])
    assert type(trace.layers[0]["step_grad_norms"]) is np.ndarray
    if cell is gn.LSTM:                               # the CPU's fused form agrees
        fused = net("cpu")
        fused.layers[0].fast = True
        for a, b in zip(fused.gradients(Xs, ys, "mse"),
                        net("check").gradients(Xs, ys, "mse"), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)



# -- convolutions, pooling, batch normalization ------------------------------------
@pytest.mark.parametrize("pool", [gn.MaxPool2D, gn.AvgPool2D])
def test_convolution_layers_through_the_seam(pool):
    Xi = RNG.standard_normal((10, 9, 8, 2))
    yi = RNG.integers(0, 3, 10)

    def net(device):
        m = gn.Sequential([
            gn.Conv2D(4, 3, padding="same", activation="relu", input_shape=(9, 8, 2)),
            gn.BatchNormalization(), pool(2), gn.Conv2D(3, (2, 3), strides=2),
            gn.GlobalAvgPool2D(), gn.Dense(3, "softmax")],
            seed=0, dtype="float64", device=device)
        m.layers[0].fast = False                      # the copy a GPU runs
        return m.compile("categorical_crossentropy", "adam")
    cpu, dev = net("cpu"), net("check")
    loss = "categorical_crossentropy"
    for a, b in zip(cpu.gradients(Xi, yi, loss), dev.gradients(Xi, yi, loss),
                    strict=True):
        assert a.tobytes() == b.tobytes()              # the same NumPy math
    assert gn.explain(dev, Xi[:3], yi[:3], weight=(0, "kernel", 1, 1, 0, 2)).text() \
        == gn.explain(cpu, Xi[:3], yi[:3], weight=(0, "kernel", 1, 1, 0, 2)).text()
    cpu.fit(Xi, yi, epochs=2, batch_size=4, verbose=0, seed=0)
    dev.fit(Xi, yi, epochs=2, batch_size=4, verbose=0, seed=0)
    assert same(cpu, dev)
    assert type(dev.predict(Xi)) is np.ndarray
    trace = gn.trace(dev, Xi[:2], yi[:2])
    assert all(type(v) is np.ndarray for d in trace.layers for v in d.values()
               if hasattr(v, "shape"))

def test_initial_states_are_moved_to_the_device():
    lstm = gn.LSTM(3, input_dim=(4, 2))
    net = gn.Sequential([lstm], seed=0, dtype="float64", device="check")
    lstm.initial_state, lstm.initial_cell = np.ones(3), np.full(3, 0.5)
    cpu = gn.Sequential([gn.LSTM(3, input_dim=(4, 2))], seed=0, dtype="float64")
    cpu.layers[0].fast = False                        # the form a GPU runs
    cpu.layers[0].initial_state, cpu.layers[0].initial_cell = np.ones(3), \
        np.full(3, 0.5)
    x = RNG.standard_normal((2, 4, 2))
    assert net.predict(x).tobytes() == cpu.predict(x).tobytes()


def test_plots_of_a_model_on_the_device(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet.plots.model import (
        plot_decision_boundary,
        plot_network,
        plot_weight_histograms,
    )
    net = gn.Sequential([gn.Dense(3, "tanh", input_dim=2), gn.Dense(2, "softmax")],
                        seed=0, device="check")
    net.compile("categorical_crossentropy", "adam")
    X2 = X[:, :2]
    net.fit(X2, Y, epochs=1, verbose=0)
    for plot, kw in ((plot_network, {}), (plot_weight_histograms, dict(X=X2, y=Y)),
                     (plot_decision_boundary, dict(X=X2, y=Y))):
        path = tmp_path / f"{plot.__name__}.png"
        if plot is plot_decision_boundary:
            plot(net, kw["X"], kw["y"], path)
        else:
            plot(net, path, **kw)
        assert path.stat().st_size > 1000
