"""Recurrent layers: finite-difference gradients, masks, the layer contract,
per-step gradient norms and receipts."""

import numpy as np
import pytest

import glassnet as gn

CLASSES = [gn.SimpleRNN, gn.LSTM, gn.GRU]
B, T, F, H = 3, 5, 3, 4


def _net(cls, return_sequences=False, **kw):
    layers = [cls(H, input_dim=(T, F), return_sequences=return_sequences, **kw)]
    layers += [gn.TimeDistributed(gn.Dense(2)), gn.Flatten()] if return_sequences \
        else [gn.Dense(2)]
    return gn.Sequential(layers, dtype="float64", seed=0)


def _padded_batch(rng):
    X = rng.normal(size=(B, T, F))
    X[0, 3:] = 0.0                                     # post-padded
    X[1, :2] = 0.0                                     # pre-padded
    return X


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cls", CLASSES)
def test_gradcheck(cls, return_sequences, masked):
    rng = np.random.default_rng(1)
    net = _net(cls, return_sequences, mask_value=0.0 if masked else None)
    X = _padded_batch(rng) if masked else rng.normal(size=(B, T, F))
    y = rng.normal(size=(B, 2 * T if return_sequences else 2))
    report = gn.gradcheck(net, X, y, loss="half_sse")
    assert max(report.values()) < 1e-4, report


@pytest.mark.parametrize("cls", CLASSES)
def test_gradcheck_truncated_bptt_is_exact_for_its_own_graph(cls):
    """With truncate=k the gradient is the true one of the chunked computation,
    so it differs from the full gradient — but only in the recurrent path."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(B, T, F)), rng.normal(size=(B, 2))
    full = _net(cls).gradients(X, y, loss="half_sse")
    cut = _net(cls, truncate=2).gradients(X, y, loss="half_sse")
    np.testing.assert_allclose(full[-1], cut[-1])      # the Dense head: same
    assert not np.allclose(full[1], cut[1])            # U: fewer terms


@pytest.mark.parametrize("cls", CLASSES)
def test_masked_steps_change_neither_state_nor_gradient(cls):
    rng = np.random.default_rng(3)
    seqs = [rng.normal(size=(n, F)) for n in (5, 2, 4)]
    X, mask = gn.pad_sequences(seqs, value=-9.0, dtype="float64")
    assert mask.sum(axis=1).tolist() == [5, 2, 4]
    net = _net(cls, mask_value=-9.0)
    y = rng.normal(size=(3, 2))
    out = net.predict(X)
    grads = net.gradients(X, y, loss="half_sse")
    # each sequence alone, unpadded, gives the same output and gradient share
    total = [np.zeros_like(g) for g in grads]
    for n, s in enumerate(seqs):
        alone = gn.Sequential([cls(H, input_dim=F), gn.Dense(2)], dtype="float64",
                              seed=0)
        alone.set_weights(net.get_weights())
        np.testing.assert_allclose(alone.predict(s[None]), out[n:n + 1], atol=1e-12)
        for acc, g in zip(total, alone.gradients(s[None], y[n:n + 1],
                                                 loss="half_sse"), strict=True):
            acc += g / 3                               # batch mean over 3 samples
    for g, want in zip(grads, total, strict=True):
        np.testing.assert_allclose(g, want, atol=1e-12)
    # padded inputs get no gradient
    layer = net.layers[0]
    layer.need_input_grad = True
    net.loss_and_grads(X, y, gn.losses.get("half_sse"))
    dx = layer.backward(np.ones((3, H)))
    assert np.all(dx[~mask] == 0.0) and np.all(np.abs(dx[mask]).sum(axis=-1) > 0)


def test_pre_padding_and_sequence_outputs_are_zero_on_padding():
    X, mask = gn.pad_sequences([np.ones((2, 1)), np.ones((4, 1))], padding="pre",
                               value=-1.0)
    assert X.shape == (2, 4, 1) and mask[0].tolist() == [False, False, True, True]
    net = gn.Sequential([gn.GRU(3, input_dim=1, mask_value=-1.0,
                                return_sequences=True)], seed=0)
    Y = net.predict(X)
    assert np.all(Y[0, :2] == 0.0) and np.all(Y[0, 2:] != 0.0)
    np.testing.assert_allclose(Y[0, 2:], Y[1, :2], atol=1e-6)


def test_pad_sequences_checks_and_warns():
    with pytest.raises(gn.ShapeError, match="features per step"):
        gn.pad_sequences([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.warns(RuntimeWarning, match="padding value"):
        gn.pad_sequences([np.array([[0.0], [1.0]])], value=0.0)
    X, mask = gn.pad_sequences([np.arange(5.0)], maxlen=3, truncating="pre")
    assert X[0, :, 0].tolist() == [2.0, 3.0, 4.0] and mask.all()


@pytest.mark.parametrize("cls,arith", [
    (gn.SimpleRNN, "28×128 + 128×128 + 128 = 20,096"),
    (gn.LSTM, "28×512 + 128×512 + 512 = 80,384"),
    (gn.GRU, "28×384 + 128×384 + 384 + 384 = 60,672")])
def test_contract_shapes_arithmetic_and_config(cls, arith, tmp_path):
    net = gn.Sequential([cls(128, input_dim=28), gn.Dense(10, activation="softmax")],
                        seed=0)
    assert net.input_shape == (None, 28)
    assert net.layers[0].param_arithmetic() == arith
    k = len(cls.gates)
    shapes = [w.shape for w in net.get_weights()[:-2]]
    assert shapes[:3] == [(28, k * 128), (128, k * 128), (k * 128,)]
    U = net.layers[0].U
    np.testing.assert_allclose(U[:, :128].T @ U[:, :128], np.eye(128), atol=1e-5)
    x = np.random.default_rng(0).random((4, 11, 28)).astype(np.float32)
    clone = gn.Sequential.from_config(net.get_config())
    clone.set_weights(net.get_weights())
    np.testing.assert_allclose(clone.predict(x), net.predict(x), rtol=1e-6)
    assert net.predict(x[:, :3]).shape == (4, 10)      # any number of steps
    pytest.importorskip("safetensors")
    net.save(tmp_path / "m.safetensors")
    back = gn.load(tmp_path / "m.safetensors")
    np.testing.assert_allclose(back.predict(x), net.predict(x), rtol=1e-6)


def test_lstm_forget_bias_and_infer_equals_forward():
    net = gn.Sequential([gn.LSTM(3, input_dim=2)], seed=0)
    assert net.layers[0].b.tolist() == [0] * 3 + [1] * 3 + [0] * 6
    x = np.random.default_rng(0).random((2, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(net.predict(x), net.forward(x))


def test_errors_say_what_to_do():
    with pytest.raises(gn.ConfigError, match="input_dim=28"):
        gn.LSTM(4, input_dim=(1, 2, 3))
    with pytest.raises(gn.ConfigError, match="units"):
        gn.GRU(0)
    with pytest.raises(gn.ConfigError, match="truncate"):
        gn.SimpleRNN(4, truncate=0)
    net = gn.Sequential([gn.LSTM(4, input_dim=3), gn.Dense(1)], seed=0)
    with pytest.raises(gn.ShapeError, match=r"n_steps, 3"):
        net.predict(np.zeros((2, 3)))
    with pytest.raises(gn.ShapeError, match="sequence input"):
        gn.Sequential([gn.Dense(4, input_dim=3), gn.LSTM(2)])


@pytest.mark.parametrize("cls", CLASSES)
def test_step_grad_norms_and_receipt_match_the_gradient(cls):
    rng = np.random.default_rng(4)
    net = _net(cls, return_sequences=True)
    X, y = rng.normal(size=(B, T, F)), rng.normal(size=(B, 2 * T))
    grads = net.gradients(X, y, loss="mse")
    layer = net.layers[0]
    assert layer.step_grad_norms.shape == (T,)
    assert np.all(layer.step_grad_norms > 0)
    for i, j in [(0, 0), (H - 1, len(cls.gates) * H - 1), (1, H // 2)]:
        r = layer.recurrent_weight_receipt(i, j)
        assert len(r.contributions) == T
        assert r.total == pytest.approx(sum(r.contributions))
        assert r.total == pytest.approx(grads[1][i, j], rel=1e-10, abs=1e-14)
        assert f"U[{i}, {j}]" in r.text() and "dU" in str(r)
    last = (len(cls.gates) - 1) * H
    assert layer.recurrent_weight_receipt(0, last).gate == cls.gates[-1]


def test_stacked_layers_and_initial_state():
    net = gn.Sequential([gn.GRU(6, input_dim=2, return_sequences=True),
                         gn.LSTM(5), gn.Dense(1)], dtype="float64", seed=0)
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(4, 7, 2)), rng.normal(size=(4, 1))
    assert max(gn.gradcheck(net, X, y).values()) < 1e-5
    layer = net.layers[0]
    before = net.predict(X)
    layer.initial_state = np.ones(6)
    assert not np.allclose(net.predict(X), before)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cls", CLASSES)
def test_layer_contract(cls, return_sequences):
    """The shared layer contract: dL/dx by finite differences, gradients only
    added (+=) into views of the flat buffer, infer fresh and harmless, config
    round trip."""
    layer = cls(H, input_dim=(T, F), return_sequences=return_sequences,
                mask_value=0.0)
    net = gn.Sequential([layer], dtype="float64", seed=0)
    layer.need_input_grad = True
    rng = np.random.default_rng(6)
    x = _padded_batch(rng)
    real = (x != 0.0).any(axis=2)                      # (B, T) unpadded steps
    R = rng.normal(size=(B, *layer.output_shape))
    net.zero_grad()
    y = layer.forward(x)
    assert y.shape == (B, *layer.output_shape) and y.dtype == np.float64
    dx = layer.backward(R.copy()).copy()
    once = {p: layer.grads[p].copy() for p in layer.params}
    layer.forward(x)
    layer.backward(R.copy())                           # += : twice the gradient
    for p in layer.params:
        np.testing.assert_allclose(layer.grads[p], 2 * once[p], rtol=1e-13)
    net.flat_grads[...] = 123.0
    net.zero_grad()
    layer.forward(x)
    layer.backward(R.copy())
    for p in layer.params:
        np.testing.assert_allclose(layer.grads[p], once[p], rtol=1e-13)
        assert getattr(layer, "d" + p) is layer.grads[p]
        assert np.shares_memory(layer.grads[p], net.flat_grads)
    assert np.all(dx[~real] == 0.0)
    for idx in zip(*np.nonzero(real), strict=True):
        for f in range(F):
            xp, xm = x.copy(), x.copy()
            xp[idx][f] += 1e-6
            xm[idx][f] -= 1e-6
            num = ((layer.forward(xp) * R).sum() - (layer.forward(xm) * R).sum()) / 2e-6
            assert dx[idx][f] == pytest.approx(num, rel=1e-5, abs=1e-8)
    net.zero_grad()
    layer.forward(x)
    layer.backward(R.copy())
    out = layer.infer(x[:2] * 2.0)                     # a different batch …
    receipt = layer.recurrent_weight_receipt(1, 2)     # … leaves backward's state
    assert receipt.total == pytest.approx(layer.dU[1, 2], rel=1e-10)
    again = layer.infer(x[:2] * 2.0)
    layer.forward(x * 3.0)
    np.testing.assert_array_equal(out, again)
    cfg = net.get_config()
    clone = gn.Sequential.from_config(cfg)
    assert clone.get_config() == cfg


@pytest.mark.parametrize("name", ["recurrent_main", "lstm_main"])
def test_model_files_written_before_the_restructure_still_load(name):
    """Files saved by the old layers (tests/fixtures/rnn, written on main):
    same config, same predictions, bit for bit, on either LSTM path."""
    import json
    from pathlib import Path
    pytest.importorskip("safetensors")
    folder = Path(__file__).parent / "fixtures" / "rnn"
    net = gn.load(folder / f"{name}.safetensors")
    saved = np.load(folder / f"{name}_io.npz")
    assert net.get_config() == json.loads((folder / f"{name}_config.json").read_text())
    assert net.predict(saved["X"]).tobytes() == saved["y_pred"].tobytes()
    for layer in net.layers:
        if isinstance(layer, gn.LSTM):
            layer.fast = False                         # the readable equations
    np.testing.assert_allclose(net.predict(saved["X"]), saved["y_pred"], rtol=1e-6,
                               atol=1e-7)
