"""The same networks on an NVIDIA GPU (``device="cuda"``, CuPy).

Marked ``gpu`` and skipped cleanly without CuPy or without a GPU; run by
``benchmarks/gpu_check.sh`` on a machine that has both. What is checked:

- every layer, activation and loss: gradients on the GPU against the CPU's,
  float64, relative 1e-10 (the same formulas, summed in another order);
- the fused kernels against their formulas: Adam (one kernel) against the
  paper's lines, the dropout generator bit for bit against its NumPy form;
- training: it learns, every optimizer follows the CPU's trajectory, the
  whole-training-set-on-the-device feed gives the batch-by-batch result;
- a bitwise-identical resume on the GPU. CuPy's kernels used here are
  deterministic run to run on one GPU (cuBLAS GEMM without split-K atomics,
  CUB reductions, elementwise kernels, ``take``); scatter-adds
  (``xp.add.at``, atomics) are not, and no layer here uses them — a layer
  that does (a convolution's col2im, say) resumes equal to rounding only;
- files and the glass box: a model saved from the GPU loads on the CPU,
  checkpoints cross devices, traces and receipts come back as NumPy.

The CNN case (``LENET``) runs the convolution layers (``gn.Conv2D``,
issue 19) on the GPU; ``tests/test_device_seam.py`` runs them through the
checking device on every machine.
"""

from __future__ import annotations

import numpy as np
import pytest
from crash import Crash

import glassnet as gn
from glassnet.core import backend
from glassnet.core.adam import Adam
from glassnet.errors import ConfigError
from glassnet.gpu import random as gpu_random
from glassnet.train import feed

pytestmark = pytest.mark.gpu
cupy = pytest.importorskip("cupy", reason="CuPy is not installed (gpu extra)")
try:
    CUDA = backend.get("cuda")
except ConfigError as exc:                       # CuPy without a usable GPU
    pytest.skip(str(exc), allow_module_level=True)

RNG = np.random.default_rng(0)
X = RNG.standard_normal((96, 6))
Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
RTOL = 1e-10


def close(a, b, rtol=RTOL, atol=1e-13):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def grads(net, X, y, loss):
    return net.gradients(X, y, loss)


def pair(make):
    """The same model on the CPU and on the GPU (same seed, same weights)."""
    cpu, gpu = make("cpu"), make("cuda")
    for a, b in zip(cpu.get_weights(), gpu.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()
    return cpu, gpu


# -- layers, activations, losses: gradients against the CPU ---------------------
@pytest.mark.parametrize("act", gn.activations.NAMES)
def test_every_activation_gradient_matches_the_cpu(act):
    if act == "step":
        pytest.skip("the step activation has no gradient (Perceptron)")
    cpu, gpu = pair(lambda d: gn.Sequential(
        [gn.Dense(7, act, input_dim=6), gn.Dense(3, act), gn.Dense(2)],
        seed=1, dtype="float64", device=d))
    y = RNG.standard_normal((len(X), 2))
    for a, b in zip(grads(cpu, X, y, "mse"), grads(gpu, X, y, "mse"), strict=True):
        assert type(b) is np.ndarray
        close(b, a)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber", "half_sse",
                                  "binary_crossentropy", "categorical_crossentropy",
                                  "bce_logits", "cce_logits"])
def test_every_loss_gradient_matches_the_cpu(loss):
    out = {"binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}
    objects = {"bce_logits": lambda: gn.losses.BinaryCrossentropy(from_logits=True),
               "cce_logits": lambda: gn.losses.CategoricalCrossentropy(
                   from_logits=True)}
    cpu, gpu = pair(lambda d: gn.Sequential(
        [gn.Dense(5, "tanh", input_dim=6, kernel_regularizer=gn.regularizers.L2(1e-3)),
         gn.Dense(2, out.get(loss))], seed=2, dtype="float64", device=d))
    y = np.eye(2)[Y] if loss in out or loss in objects else \
        RNG.standard_normal((len(X), 2))
    make = objects.get(loss, lambda: loss)
    for a, b in zip(grads(cpu, X, y, make()), grads(gpu, X, y, make()), strict=True):
        close(b, a)


@pytest.mark.parametrize("cell", [gn.SimpleRNN, gn.LSTM, gn.GRU])
def test_recurrent_gradients_match_the_cpu(cell):
    Xs = RNG.standard_normal((10, 7, 3))
    Xs[:3, 5:] = 0.0
    ys = Xs.sum(axis=(1, 2))[:, None]
    cpu, gpu = pair(lambda d: gn.Sequential(
        [cell(6, input_dim=(7, 3), return_sequences=True, mask_value=0.0),
         gn.TimeDistributed(gn.Dense(2)), gn.Flatten(), gn.Dense(1)],
        seed=0, dtype="float64", device=d))
    for a, b in zip(grads(cpu, Xs, ys, "mse"), grads(gpu, Xs, ys, "mse"),
                    strict=True):
        close(b, a)
    receipt = gpu.layers[0].recurrent_weight_receipt(0, 1)
    assert abs(receipt.total - receipt.gradient) <= 1e-10 * abs(receipt.gradient)


def test_gradcheck_on_the_gpu():
    net = gn.Sequential([gn.Dense(4, "tanh", input_dim=6), gn.Dense(2, "softmax")],
                        seed=0, dtype="float64", device="cuda")
    report = gn.gradcheck(net, X[:8], Y[:8], loss="categorical_crossentropy")
    assert max(report.values()) < 1e-7


# -- the fused kernels against their formulas -----------------------------------
@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-12, 1e-15),
                                              (np.float32, 2e-6, 1e-8)])
def test_the_fused_adam_kernel_is_the_papers_update(dtype, rtol, atol):
    n = 10_001
    p0, g = RNG.standard_normal(n).astype(dtype), RNG.standard_normal(n).astype(dtype)
    ref, fused = Adam(learning_rate=0.01), Adam(learning_rate=0.01)
    ref.build(p0.copy())
    fused.on_device(CUDA)
    p_ref, p_gpu = p0.copy(), cupy.asarray(p0)
    fused.build(p_gpu)
    for t in range(1, 6):                                # five steps, bias terms
        ref.t = fused.t = t
        ref.update(p_ref, g)                             # the paper's lines (NumPy)
        fused.update_in_place(p_gpu, cupy.asarray(g))    # one kernel
        close(p_gpu.get(), p_ref, rtol=rtol, atol=atol)
    for k in ("m", "v"):
        close(fused.state[k].get(), ref.state[k], rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_dropout_generator_is_its_numpy_form_bit_for_bit(dtype):
    for key, shape in ((0, (1,)), (12345, (128, 512)), (2**63 - 1, (3, 5, 7))):
        u = cupy.empty(shape, dtype=dtype)
        CUDA.fill_uniform(key, u)
        assert u.get().tobytes() == gpu_random.uniform(key, shape, dtype).tobytes()


# -- training -------------------------------------------------------------------
def test_it_learns_on_the_gpu():
    Xb = RNG.standard_normal((2000, 2)).astype(np.float32)
    yb = (np.hypot(*Xb.T) < 1.1).astype(np.int64)
    net = gn.Sequential([gn.Dense(32, "relu", input_dim=2), gn.Dropout(0.1),
                         gn.Dense(2, "softmax")], seed=0, device="cuda")
    net.compile("categorical_crossentropy", "adam", metrics=["accuracy"],
                learning_rate=0.01)
    h = net.fit(Xb, yb, epochs=15, batch_size=64, verbose=0, validation_split=0.2)
    assert h.history["val_accuracy"][-1] > 0.9
    assert type(net.predict(Xb)) is np.ndarray


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad",
                                       "rmsprop", "adam", "adamw"])
def test_every_optimizer_follows_the_cpu_trajectory(optimizer):
    def make(d):
        net = gn.Sequential([gn.Dense(8, "tanh", input_dim=6),
                             gn.Dense(2, "softmax")], seed=3, dtype="float64", device=d)
        net.compile("categorical_crossentropy", optimizer, learning_rate=0.01,
                    global_clipnorm=5.0)
        return net
    cpu, gpu = pair(make)
    sched = gn.schedules.StepDecay(0.01, step=1, gamma=0.5)
    for m in (cpu, gpu):
        m.fit(X, Y, epochs=3, batch_size=16, seed=0, verbose=0, lr_schedule=sched)
    for a, b in zip(cpu.get_weights(), gpu.get_weights(), strict=True):
        close(b, a, rtol=1e-8, atol=1e-10)          # 18 steps from equal weights


def test_the_resident_training_set_gives_the_streamed_result(monkeypatch):
    def run():
        net = gn.Sequential([gn.Dense(16, "relu", input_dim=6), gn.Dropout(0.2),
                             gn.Dense(2, "softmax")], seed=4, device="cuda")
        net.compile("categorical_crossentropy", "adam")
        net.fit(X, Y, epochs=2, batch_size=16, seed=0, verbose=0)
        return net.get_weights()
    resident = run()
    monkeypatch.setattr(feed, "RESIDENT_FRACTION", 0.0)
    streamed = run()
    assert all(a.tobytes() == b.tobytes() for a, b in zip(resident, streamed,
                                                           strict=True))



@pytest.mark.parametrize("cell", [None, gn.LSTM])
def test_resume_on_the_gpu_is_bitwise_identical(tmp_path, cell):
    data = (X, Y) if cell is None else (X.reshape(-1, 3, 2), Y)

    def make():
        first = gn.Dense(8, "tanh", input_dim=6) if cell is None else \
            cell(8, input_dim=(3, 2))
        net = gn.Sequential([first, gn.Dropout(0.3), gn.Dense(2, "softmax")],
                            seed=1, device="cuda")
        net.compile("categorical_crossentropy", "adam", learning_rate=0.01)
        return net
    def fit(*extra, **kw):
        return dict(epochs=4, batch_size=8, seed=3, verbose=0, validation_split=0.25,
                    callbacks=[gn.callbacks.EarlyStopping(patience=10), *extra], **kw)
    ref = make()
    ref_hist = ref.fit(*data, **fit())
    path = tmp_path / "run.ckpt"
    for n in (5, 13):
        with pytest.raises(KeyboardInterrupt):
            make().fit(*data, **fit(Crash(n), checkpoint=path, checkpoint_every=3,
                                    resume=True))
    net = make()
    hist = net.fit(*data, **fit(checkpoint=path, checkpoint_every=3, resume=True))
    assert hist.history["loss"] == ref_hist.history["loss"]
    for a, b in zip(net.get_weights(), ref.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


# -- moving, files and the glass box ---------------------------------------------
def test_to_moves_a_trained_model_both_ways(tmp_path):
    net = gn.Sequential([gn.Dense(8, "relu", input_dim=6), gn.Dense(2, "softmax")],
                        seed=0)
    net.compile("categorical_crossentropy", "adam")
    net.fit(X, Y, epochs=1, verbose=0)
    p_cpu = net.predict(X)
    net.to("cuda")
    assert isinstance(net.flat_params, cupy.ndarray)
    assert isinstance(net.optimizer.state["m"], cupy.ndarray)
    close(net.predict(X), p_cpu, rtol=1e-5, atol=1e-6)
    net.fit(X, Y, epochs=1, verbose=0)
    net.save(tmp_path / "m.safetensors")
    loaded = gn.load(tmp_path / "m.safetensors")
    assert loaded.backend is backend.CPU
    close(loaded.predict(X), net.predict(X), rtol=1e-5, atol=1e-6)
    net.to("cpu")
    assert type(net.flat_params) is np.ndarray


def test_a_gpu_checkpoint_resumes_on_the_cpu(tmp_path):
    def make(d):
        net = gn.Sequential([gn.Dense(8, "tanh", input_dim=6),
                             gn.Dense(2, "softmax")], seed=1, dtype="float64", device=d)
        net.compile("categorical_crossentropy", "adam")
        return net
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        make("cuda").fit(X, Y, epochs=3, batch_size=8, verbose=0, checkpoint=path,
                         resume=True, callbacks=[Crash(20)])
    net = make("cpu")
    net.fit(X, Y, epochs=3, batch_size=8, verbose=0, checkpoint=path, resume=True)
    ref = make("cpu")
    ref.fit(X, Y, epochs=3, batch_size=8, verbose=0)
    for a, b in zip(net.get_weights(), ref.get_weights(), strict=True):
        close(a, b, rtol=1e-8, atol=1e-12)


def test_trace_and_receipts_on_the_gpu_are_numpy_and_match_the_cpu():
    cpu, gpu = pair(lambda d: gn.Sequential(
        [gn.Dense(4, "sigmoid", input_dim=6), gn.Dense(2, "softmax")],
        seed=0, dtype="float64", device=d))
    for m in (cpu, gpu):
        m.compile("categorical_crossentropy", "adam")
    t_cpu, t_gpu = gn.trace(cpu, X[:5], Y[:5]), gn.trace(gpu, X[:5], Y[:5])
    for d_cpu, d_gpu in zip(t_cpu.layers, t_gpu.layers, strict=True):
        for k, v in d_cpu.items():
            if isinstance(v, np.ndarray):
                assert type(d_gpu[k]) is np.ndarray
                close(d_gpu[k], v, rtol=1e-9, atol=1e-12)
    r = gn.explain(gpu, X[:3], Y[:3], weight=(0, "W", 0, 1), update=True)
    assert abs(r.value - gn.explain(cpu, X[:3], Y[:3], weight=(0, "W", 0, 1),
                                    update=True).value) < 1e-9


# -- convolutions (issue 19) ------------------------------------------------------
def LENET(device):  # noqa: N802 - the network's name
    """The LeNet-like network of issue 19 (NHWC), on ``device``."""
    return gn.Sequential([
        gn.Conv2D(8, 3, activation="relu", input_shape=(12, 12, 1)),
        gn.MaxPool2D(2), gn.Conv2D(8, 3, activation="relu"), gn.Flatten(),
        gn.Dense(16, "relu"), gn.Dense(3, "softmax")],
        seed=0, dtype="float64", device=device)


def test_cnn_gradients_match_the_cpu():
    Xc = RNG.standard_normal((6, 12, 12, 1))
    yc = RNG.integers(0, 3, 6)
    cpu, gpu = pair(LENET)
    for a, b in zip(grads(cpu, Xc, yc, "categorical_crossentropy"),
                    grads(gpu, Xc, yc, "categorical_crossentropy"), strict=True):
        close(b, a)
