"""Each fast form equals the readable formula it replaces (glassnet/fast/)."""

import numpy as np
import pytest

import glassnet as gn

B, T, F, H = 4, 7, 3, 5


def _lstm_pair(return_sequences, masked, truncate):
    """Two float64 LSTM layers with the same (perturbed) weights, one fused."""
    nets = []
    for fast in (True, False):
        layer = gn.LSTM(H, input_dim=(T, F), return_sequences=return_sequences,
                        mask_value=0.0 if masked else None, truncate=truncate)
        layer.fast = fast
        net = gn.Sequential([layer], dtype="float64", seed=0)
        layer.need_input_grad = True
        nets.append(net)
    rng = np.random.default_rng(1)
    nets[1].set_weights([w + 0.3 * rng.normal(size=w.shape)
                         for w in nets[0].get_weights()])
    nets[0].set_weights(nets[1].get_weights())
    return [net.layers[0] for net in nets], nets


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("initial", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_fused_lstm_equals_the_readable_equations(return_sequences, masked, initial,
                                                  truncate):
    (fast, readable), nets = _lstm_pair(return_sequences, masked, truncate)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(B, T, F))
    if masked:
        x[0, 5:] = 0.0                                 # post-padded
        x[1, :2] = 0.0                                 # pre-padded
        x[2, 3] = 0.0                                  # a gap
    state = (rng.normal(size=(B, H)), rng.normal(size=H)) if initial else None
    R = rng.normal(size=(B, *fast.output_shape))
    out = []
    for layer, net in ((fast, nets[0]), (readable, nets[1])):
        net.zero_grad()
        y = layer.forward(x, initial_state=state).copy()
        dx = layer.backward(R.copy()).copy()
        d0 = None if layer.d_initial_state is None else \
            [v.copy() for v in layer.d_initial_state]
        out.append({"y": y, "dx": dx, "d0": d0, "g": net.flat_grads.copy(),
                    **{k: v.copy() for k, v in layer.kept().items()},
                    "dZ_rec": layer.dZ_rec.copy()})
    assert fast.fused and not readable.fused
    a, b = out
    assert (a["d0"] is None) == (not initial)
    for k in a:
        if a[k] is not None:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-14,
                                       err_msg=k)
    assert np.abs(a["g"]).sum() > 0 and np.abs(a["dx"]).sum() > 0


def test_fused_lstm_trains_like_the_readable_one():
    """A few optimizer steps in float32 stay together (same data, same order)."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(32, T, F)), rng.normal(size=(32, 1))
    preds = []
    for fast in (True, False):
        layer = gn.LSTM(H, input_dim=F)
        layer.fast = fast
        net = gn.Sequential([layer, gn.Dense(1)], seed=0)
        net.compile(loss="mse", optimizer="adam", learning_rate=0.01)
        net.fit(X, y, epochs=3, batch_size=8, verbose=0, seed=0)
        preds.append(net.predict(X))
    np.testing.assert_allclose(preds[0], preds[1], rtol=1e-4, atol=1e-5)
