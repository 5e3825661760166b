"""SimpleRNN, LSTM and GRU agree with PyTorch: outputs and every gradient.

Same weights on both sides (float64); the loss is Σ y ⊙ R for a fixed random
R, so ∂L/∂y = R is fed to our backward and to torch's autograd alike.
"""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")

B, T, F, H = 3, 6, 4, 5
TORCH = {gn.SimpleRNN: "RNN", gn.LSTM: "LSTM", gn.GRU: "GRU"}


def _pair(cls, seed=0, **kw):
    net = gn.Sequential([cls(H, input_dim=F, return_sequences=True, **kw)],
                        dtype="float64", seed=seed)
    layer = net.layers[0]
    rng = np.random.default_rng(seed + 1)
    for _, value, _ in net.parameters():             # non-trivial biases too
        value[...] += 0.1 * rng.normal(size=value.shape)
    mod = getattr(torch.nn, TORCH[cls])(F, H, batch_first=True).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.from_numpy(layer.W.T.copy()))
        mod.weight_hh_l0.copy_(torch.from_numpy(layer.U.T.copy()))
        if cls is gn.GRU:
            mod.bias_ih_l0.copy_(torch.from_numpy(layer.b_input.copy()))
            mod.bias_hh_l0.copy_(torch.from_numpy(layer.b_recurrent.copy()))
        else:  # torch has two biases that only ever appear summed: b = b_ih + b_hh
            mod.bias_ih_l0.copy_(torch.from_numpy(layer.b.copy()))
            mod.bias_hh_l0.zero_()
    return net, layer, mod


def _torch_run(cls, mod, x, h0, c0, truncate=None):
    """Forward in chunks of ``truncate`` steps with the carried state detached."""
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0[None]).requires_grad_()
    c0t = torch.from_numpy(c0[None]).requires_grad_()
    step = truncate or T
    state = (h0t, c0t) if cls is gn.LSTM else h0t
    outs = []
    for s in range(0, T, step):
        if s > 0:
            state = tuple(v.detach() for v in state) if cls is gn.LSTM else \
                state.detach()
        out, state = mod(xt[:, s:s + step], state)
        outs.append(out)
    return xt, h0t, c0t, torch.cat(outs, dim=1)


@pytest.mark.parametrize("truncate", [None, 2])
@pytest.mark.parametrize("cls", [gn.SimpleRNN, gn.LSTM, gn.GRU])
def test_forward_and_every_gradient_match_torch(cls, truncate):
    net, layer, mod = _pair(cls, truncate=truncate)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(B, T, F))
    h0, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    R = rng.normal(size=(B, T, H))

    state = (h0, c0) if cls is gn.LSTM else h0
    layer.need_input_grad = True                      # first layer: off by default
    net.zero_grad()
    y = layer.forward(x, initial_state=state)
    dx = layer.backward(R.copy())

    xt, h0t, c0t, out = _torch_run(cls, mod, x, h0, c0, truncate)
    (out * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dW, mod.weight_ih_l0.grad.numpy().T, atol=1e-10)
    np.testing.assert_allclose(layer.dU, mod.weight_hh_l0.grad.numpy().T, atol=1e-10)
    if cls is gn.GRU:
        np.testing.assert_allclose(layer.db_input, mod.bias_ih_l0.grad.numpy(),
                                   atol=1e-10)
        np.testing.assert_allclose(layer.db_recurrent, mod.bias_hh_l0.grad.numpy(),
                                   atol=1e-10)
    else:
        np.testing.assert_allclose(layer.db, mod.bias_ih_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    dh0 = layer.d_initial_state[0] if cls is gn.LSTM else layer.d_initial_state
    np.testing.assert_allclose(dh0, h0t.grad.numpy()[0], atol=1e-10)
    if cls is gn.LSTM:
        np.testing.assert_allclose(layer.d_initial_state[1], c0t.grad.numpy()[0],
                                   atol=1e-10)


@pytest.mark.parametrize("cls", [gn.SimpleRNN, gn.LSTM, gn.GRU])
def test_last_state_matches_torch_h_n(cls):
    net, layer, mod = _pair(cls, seed=3)
    layer.return_sequences = False
    x = np.random.default_rng(0).normal(size=(B, T, F))
    h_n = mod(torch.from_numpy(x))[1]
    h_n = h_n[0] if cls is gn.LSTM else h_n
    np.testing.assert_allclose(layer.forward(x), h_n.detach().numpy()[0], atol=1e-12)


def test_weights_move_from_torch_with_documented_layout():
    """torch → glassnet: W = weight_ihᵀ, U = weight_hhᵀ, b = bias_ih + bias_hh."""
    mod = torch.nn.LSTM(F, H, batch_first=True).double()
    net = gn.Sequential([gn.LSTM(H, input_dim=F)], dtype="float64", seed=0)
    net.layers[0].set_weights([mod.weight_ih_l0.detach().numpy().T,
                               mod.weight_hh_l0.detach().numpy().T,
                               (mod.bias_ih_l0 + mod.bias_hh_l0).detach().numpy()])
    W, U, b = net.layers[0].get_weights()
    assert (W.shape, U.shape, b.shape) == ((F, 4 * H), (H, 4 * H), (4 * H,))
    x = np.random.default_rng(1).normal(size=(2, 9, F))
    want = mod(torch.from_numpy(x))[0][:, -1].detach().numpy()
    np.testing.assert_allclose(net.predict(x), want, atol=1e-12)
