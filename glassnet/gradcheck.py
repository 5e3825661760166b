"""Finite-difference gradient check in float64.

For every parameter θᵢ:  ∂L/∂θᵢ ≈ (L(θᵢ + h) − L(θᵢ − h)) / 2h   (central
differences, error O(h²)), compared with backpropagation through

    rel_err = |g_bp − g_fd| / max(|g_bp| + |g_fd|, tiny)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet._validation import check_positive_int
from glassnet.core import losses as loss_mod
from glassnet.errors import ConfigError, expected
from glassnet.model import Sequential


def _float64_copy(model):
    if model.dtype == np.float64:
        return model
    clone = Sequential.from_config({**model.get_config(), "dtype": "float64"}, seed=0,
                                   device=model.backend)
    clone.set_weights(model.get_weights())
    return clone


def gradcheck(model, X, y, loss="mse", eps: float = 1e-6, max_checks: int | None = None,
              seed: int = 0) -> dict[str, float]:
    """Per-parameter maximum relative error between backprop and finite differences.

    Runs on a float64 copy when the model is float32 (the model is not changed).
    ``max_checks`` limits how many entries per parameter are probed (randomly).
    """
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) \
            or not math.isfinite(eps) or eps <= 0:
        raise ConfigError(expected("eps as a small positive step", repr(eps),
                                   "Pass e.g. eps=1e-6."))
    if max_checks is not None:
        max_checks = check_positive_int(max_checks, "max_checks",
                                        "Pass e.g. max_checks=20, or None for all.")
    loss = loss_mod.get(loss).on_device(model.xp)
    net = _float64_copy(model)
    X, y = net.prepare(X, y, loss)
    net.loss_and_grads(X, y, loss, training=False)
    analytic = [g.copy() for _, _, g in net.parameters()]
    rng = np.random.default_rng(seed)
    report = {}
    for (name, value, _), g_bp in zip(net.parameters(), analytic, strict=True):
        flat = value.reshape(-1)
        idx = np.arange(flat.size)
        if max_checks is not None and flat.size > max_checks:
            idx = rng.choice(flat.size, max_checks, replace=False)
        worst = 0.0
        for i in idx:
            old = float(flat[i])        # a number: on a GPU flat[i] is a 0-d view
            flat[i] = old + eps
            lp = net.loss_value(X, y, loss)
            flat[i] = old - eps
            lm = net.loss_value(X, y, loss)
            flat[i] = old
            g_fd = (lp - lm) / (2 * eps)
            g = float(g_bp.reshape(-1)[i])
            denom = max(abs(g) + abs(g_fd), 1e-10)
            worst = max(worst, abs(g - g_fd) / denom)
        report[name] = worst
    return report
