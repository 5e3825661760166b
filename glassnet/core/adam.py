"""Adam and AdamW: adaptive moment estimation over the flat parameter buffer."""

from __future__ import annotations

import math

from glassnet.core.optim import Optimizer, check_hyper
from glassnet.core.text import factor, num
from glassnet.fast.adam import adam_update


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, Algorithm 1):

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η·m̂ / (√v̂ + ε)
        η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8

    ``update`` is these lines as written; ``step`` runs the same update
    rearranged to allocate nothing (``glassnet.fast.adam``), or on a GPU as
    one fused kernel (``glassnet.gpu.kernels``), equal to it to float
    rounding.
    """

    name = "adam"
    state_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, **kw):
        super().__init__(learning_rate, **kw)
        self.beta_1 = check_hyper("beta_1", beta_1, 0.0, 1.0, open_low=False)
        self.beta_2 = check_hyper("beta_2", beta_2, 0.0, 1.0, open_low=False)
        self.epsilon = check_hyper("epsilon", epsilon)

    def decay(self, params) -> None:
        """Decoupled weight decay (AdamW); none in Adam."""

    def update(self, params, grads):
        m, v, t = self.state["m"], self.state["v"], self.t
        b1, b2, eta, eps = self.beta_1, self.beta_2, self.learning_rate, self.epsilon
        self.decay(params)
        m[...] = b1 * m + (1 - b1) * grads             # m ← β₁m + (1 − β₁)g
        v[...] = b2 * v + (1 - b2) * grads**2          # v ← β₂v + (1 − β₂)g²
        m_hat = m / (1 - b1**t)                        # m̂ = m / (1 − β₁ᵗ)
        v_hat = v / (1 - b2**t)                        # v̂ = v / (1 − β₂ᵗ)
        params -= eta * m_hat / (self.xp.sqrt(v_hat) + eps)   # θ ← θ − η m̂/(√v̂ + ε)

    def update_in_place(self, params, grads):
        self.decay(params)
        kernel = self.backend.kernels.get("adam")
        if kernel is None:
            adam_update(self.xp, params, grads, self.state["m"], self.state["v"],
                        self._tmp, lr=self.learning_rate, beta_1=self.beta_1,
                        beta_2=self.beta_2, epsilon=self.epsilon, t=self.t)
        else:                           # one fused GPU kernel (glassnet.gpu.kernels)
            kernel(params, grads, self.state["m"], self.state["v"],
                   lr=self.learning_rate, beta_1=self.beta_1, beta_2=self.beta_2,
                   epsilon=self.epsilon, t=self.t)

    def explain(self, w, g, state, t, digits=6):
        n, f = (lambda x: num(x, digits)), (lambda x: factor(x, digits))
        eta, b1, b2, eps = self.learning_rate, self.beta_1, self.beta_2, self.epsilon
        m0, v0 = float(state["m"]), float(state["v"])
        wd = getattr(self, "weight_decay", 0.0)
        m = b1 * m0 + (1 - b1) * g
        v = b2 * v0 + (1 - b2) * g * g
        mh, vh = m / (1 - b1**t), v / (1 - b2**t)
        step = eta * mh / (math.sqrt(vh) + eps)
        w_dec = w * (1 - eta * wd)
        new = w_dec - step
        lines = [f"{{w}} ← {{w}}·(1 − η·λ) = {n(w)} × (1 − {n(eta)} × {n(wd)}) = "
                 f"{n(w_dec)}   (decoupled weight decay)"] if wd else []
        lines += [
            f"m ← β₁·m + (1 − β₁)·g  = {n(b1)} × {f(m0)} + {n(1 - b1)} × {f(g)} "
            f"= {n(m)}",
            f"v ← β₂·v + (1 − β₂)·g² = {n(b2)} × {n(v0)} + {n(1 - b2)} × {f(g)}² "
            f"= {n(v)}",
            f"m̂ = m / (1 − β₁ᵗ) = {f(m)} / (1 − {n(b1)}^{t}) = {n(mh)}",
            f"v̂ = v / (1 − β₂ᵗ) = {n(v)} / (1 − {n(b2)}^{t}) = {n(vh)}",
            f"step = η·m̂ / (√v̂ + ε) = {n(eta)} × {f(mh)} / (√{n(vh)} + {n(eps)}) "
            f"= {n(step)}",
            f"{{w}} ← {{w}} − step = {n(w_dec)} − {f(step)} = {n(new)}"]
        head = (f"{'AdamW' if wd else 'Adam'}, step t = {t}: η = {n(eta)}, "
                f"β₁ = {n(b1)}, β₂ = {n(b2)}, ε = {n(eps)}")
        return head, lines, new

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): decoupled weight decay λ = 0.01,

        θ ← θ − η·λ·θ,  then the Adam step.
        η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 as in Adam
    """

    name = "adamw"

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.01,
                 **kw):
        super().__init__(learning_rate, **kw)
        self.weight_decay = check_hyper("weight_decay", weight_decay, open_low=False)

    def decay(self, params):
        if self.weight_decay:
            params *= 1.0 - self.learning_rate * self.weight_decay   # θ ← θ(1 − ηλ)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}
