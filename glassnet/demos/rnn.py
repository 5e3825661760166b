"""rnn — a memory over 40 steps: SimpleRNN forgets, the LSTM remembers.

The adding problem (Hochreiter & Schmidhuber, 1997): each step shows a random
number and a marker; the answer, given after the last step, is the sum of the
two marked numbers. The first mark can be 40 steps before the answer, so the
network must carry it in its state that long.

Backpropagation through time multiplies ∂L/∂h_t, step after step, by
Uᵀ diag(1 − h²) in the Elman network: the gradient reaching the early steps
shrinks geometrically and the marks there cannot be learned (Bengio et al.,
1994). The LSTM's cell is updated additively, c_t = f ⊙ c_{t−1} + i ⊙ g, so its
gradient is multiplied only by the forget gate f, which learns to stay near 1.
Every recurrent layer records ‖∂L/∂h_t‖ per step after backward
(``layer.step_grad_norms``); this demo prints them.
"""

from __future__ import annotations

import numpy as np

from glassnet.data.sequences import adding_problem
from glassnet.layers import LSTM, Dense, SimpleRNN
from glassnet.model import Sequential

UNITS = 16


def train(cls, X, y, epochs: int):
    net = Sequential([cls(UNITS, input_dim=2), Dense(1)], seed=0)
    net.compile(loss="mse", optimizer="adam", learning_rate=0.02,
                global_clipnorm=1.0)                   # gradient clipping for RNNs
    net.fit(X, y, epochs=epochs, batch_size=50, verbose=0, seed=0)
    return net


def _bar(v: float, top: float) -> str:
    """Log-scale bar: one block per factor of √10 below the top (max 16)."""
    n = 16 - int(round(2 * (np.log10(top) - np.log10(max(v, 1e-300)))))
    return "█" * max(n, 0) or "·"


def shrink_text(first: float, last: float) -> str:
    """How much smaller ‖∂L/∂h_1‖ is than ‖∂L/∂h_T‖, in words: '1,234×',
    '3.2e+09×', or 'to exactly 0' when it underflowed (no division by 0)."""
    if last == 0:
        return "nowhere (it is 0 at the last step too)"
    if first == 0:
        return "to exactly 0 (below the smallest float)"
    ratio = last / first
    return f"{ratio:,.0f}×" if ratio < 1e6 else f"{ratio:.1e}×"


def gradient_story(norms: dict, T: int, p) -> dict:
    """Print ‖∂L/∂h_t‖ per step for both networks; return first/last ratios."""
    p("\n‖∂L/∂h_t‖ per time step after training (the loss is at the last step):")
    p(f"{'t':>4}  {'SimpleRNN':>10}  {'LSTM':>10}")
    top = max(norms["SimpleRNN"].max(), norms["LSTM"].max(), 1e-300)
    for t in list(range(0, T, 5)) + [T - 1]:
        s, lstm = norms["SimpleRNN"][t], norms["LSTM"][t]
        p(f"{t:>4}  {s:>10.2e}  {lstm:>10.2e}   {_bar(s, top):<16} | {_bar(lstm, top)}")
    shrink = {k: shrink_text(float(v[0]), float(v[-1])) for k, v in norms.items()}
    p(f"\nfrom the last step back to the first, the gradient shrinks "
      f"{shrink['SimpleRNN']} in the SimpleRNN and {shrink['LSTM']} in the LSTM.")
    return {k: float(v[0] / v[-1]) if v[-1] else float("nan")
            for k, v in norms.items()}


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    T = 40 if fast else 50
    n, epochs = (2000, 15) if fast else (4000, 20)
    X, y = adding_problem(n, T, seed=0)
    Xt, yt = adding_problem(500, T, seed=1)
    baseline = float(((yt - 1.0) ** 2).mean())
    p(f"The adding problem, {T} steps: x_t = [value, marker]; target = the sum of "
      "the two marked values.")
    p(f"Always answering 1.0 gives MSE {baseline:.3f}. Training {n} sequences × "
      f"{epochs} epochs, Adam 0.02, global_clipnorm=1.0.\n")
    nets, mse, norms = {}, {}, {}
    for cls in (SimpleRNN, LSTM):
        name = cls.__name__
        nets[name] = net = train(cls, X, y, epochs)
        mse[name] = net.evaluate(Xt, yt)["loss"]
        net.gradients(Xt, yt, loss="mse")              # one backward on test data
        norms[name] = net.layers[0].step_grad_norms.copy()
        p(f"{name}({UNITS}): {net.count_params():,} parameters "
          f"({net.layers[0].param_arithmetic()} in the recurrent layer)")

    decay = gradient_story(norms, T, p)

    p(f"\nTest MSE: SimpleRNN {mse['SimpleRNN']:.4f} (≈ the baseline: nothing "
      f"learned), LSTM {mse['LSTM']:.4f}.")
    pred = nets["LSTM"].predict(Xt[:4])[:, 0]
    for k in range(4):
        marked = Xt[k, Xt[k, :, 1] == 1, 0]
        p(f"  marked {marked[0]:.3f} + {marked[1]:.3f} = {yt[k, 0]:.3f}   "
          f"LSTM says {pred[k]:.3f}")

    lstm = nets["LSTM"].layers[0]
    j = UNITS + 0                                      # forget gate of unit 0
    receipt = lstm.recurrent_weight_receipt(0, j)
    p("\nOne recurrent weight's gradient, summed over the time steps (BPTT):")
    p(receipt.text(max_steps=6))
    return {"baseline_mse": baseline, "simple_rnn_mse": mse["SimpleRNN"],
            "lstm_mse": mse["LSTM"], "simple_rnn_norms": norms["SimpleRNN"],
            "lstm_norms": norms["LSTM"], "decay": decay, "receipt": receipt}
