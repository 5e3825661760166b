"""vanishing — gradients fade through ten sigmoid layers, not through ReLU's.

Backpropagation multiplies, layer by layer, by each unit's derivative and
by the weights: δ_l = (δ_{l+1} Wᵀ) ⊙ f'(z_l). The sigmoid's derivative is
at most 0.25, so ten layers shrink the gradient by orders of magnitude and
the first layers hardly learn (Hochreiter, 1991; Glorot & Bengio, 2010).
ReLU's derivative is 1 where the unit is active, and He initialisation
(Var w = 2/fan_in, He et al., 2015) keeps the signal's size from layer to
layer, so the gradient reaches the first layer about as large as it left
the last.
"""

from __future__ import annotations

import numpy as np

from glassnet.layers import Dense
from glassnet.model import Sequential

DEPTH, WIDTH, N_IN = 10, 32, 16


def grad_norms(activation: str, init: str, X, y) -> list[float]:
    """‖∂E/∂W‖ of each of the DEPTH Dense layers, first to last."""
    layers = [Dense(WIDTH, activation, input_dim=N_IN, kernel_initializer=init)]
    layers += [Dense(WIDTH, activation, kernel_initializer=init)
               for _ in range(DEPTH - 2)]
    layers.append(Dense(1, kernel_initializer=init))
    net = Sequential(layers, dtype="float64", seed=0)
    grads = net.gradients(X, y, loss="mse")
    return [float(np.linalg.norm(g)) for g in grads[0::2]]


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, N_IN))
    y = rng.normal(size=(256, 1))
    sig = grad_norms("sigmoid", "glorot_uniform", X, y)
    relu = grad_norms("relu", "he_normal", X, y)
    p(f"‖∂E/∂W‖ per layer of a {DEPTH}-layer network ({WIDTH} units per hidden "
      "layer), one batch of 256 samples:\n")
    p(f"{'layer':<7}{'sigmoid + Glorot':>18}   {'relu + He':>12}   "
      "sigmoid's norm, log scale (3 marks per ×10)")
    for k in range(DEPTH):
        bar = "█" * max(1, int(round(3 * (np.log10(sig[k]) - np.log10(sig[0])))))
        p(f"{k + 1:<7}{sig[k]:>18.3e}   {relu[k]:>12.3e}   {bar}")
    s_ratio, r_ratio = sig[-1] / sig[0], max(relu) / min(relu)
    p(f"\nsigmoid: the first layer's gradient is {s_ratio:,.0f}× smaller than the "
      "last layer's.")
    p(f"relu + He: first {relu[0]:.3g}, last {relu[-1]:.3g} — all layers within "
      f"{r_ratio:.1f}× of each other.")
    p("Fix for deep networks: activation='relu', kernel_initializer='he_normal'.")
    return {"sigmoid_norms": sig, "relu_norms": relu,
            "sigmoid_last_over_first": s_ratio, "relu_max_over_min": r_ratio}
