"""The estimators' parameters, checked where they enter (at fit, as
scikit-learn does), and the network and optimizer they describe.

    hidden layers:  Dense(h_k, f_k) [→ Dropout(p_k)]      k = 1 … K
    output layer:   Dense(n_out, out_activation)           (chosen by the task)

``activation`` and ``dropout`` take one value for every hidden layer or a
tuple with one per layer (glassnet's per-layer options).
"""

from __future__ import annotations

import numbers

from glassnet import optimizers
from glassnet.core import activations as act_mod
from glassnet.core.dense import Dense
from glassnet.core.optim import Optimizer
from glassnet.core.regularizers import L2
from glassnet.core.simple import Dropout
from glassnet.errors import ConfigError, expected

SOLVERS = ("lbfgs", "sgd", "adam")


def check_params(est) -> None:
    """Every hyperparameter of ``est``, before any work (ConfigError)."""
    _choice("solver", est.solver, SOLVERS)
    for name in ("max_iter", "n_iter_no_change", "max_fun"):
        _positive_int(name, getattr(est, name))
    for name in ("learning_rate_init", "epsilon"):
        _real(name, getattr(est, name), low=0.0, open_low=True)
    for name in ("alpha", "tol"):
        _real(name, getattr(est, name), low=0.0)
    for name in ("momentum", "beta_1", "beta_2", "validation_fraction"):
        _real(name, getattr(est, name), low=0.0, high=1.0)
    if est.early_stopping and not 0 < est.validation_fraction < 1:
        raise ConfigError(expected("validation_fraction in (0, 1) with "
                                   "early_stopping=True", est.validation_fraction,
                                   "Pass e.g. validation_fraction=0.1."))
    if est.batch_size != "auto":
        _positive_int("batch_size", est.batch_size)
    _choice("dtype", est.dtype, ("float32", "float64"))
    if est.optimizer is not None:
        _choice("optimizer", est.optimizer, tuple(optimizers.NAMES))
        if est.solver == "lbfgs":
            raise ConfigError(expected("solver='sgd' or 'adam' with an optimizer",
                                       "solver='lbfgs'", "Drop optimizer= or "
                                       "choose a stochastic solver."))
    if est.solver == "lbfgs" and any(dropout_rates(est)):
        raise ConfigError(expected("dropout=0 with solver='lbfgs'",
                                   f"dropout={est.dropout!r}",
                                   "Dropout makes the objective random; full-batch "
                                   "L-BFGS needs a fixed one. Use solver='adam'."))


def hidden_sizes(est) -> tuple[int, ...]:
    sizes = est.hidden_layer_sizes
    sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
    for h in sizes:
        if isinstance(h, bool) or not isinstance(h, numbers.Integral) or h <= 0:
            raise ConfigError(expected("hidden_layer_sizes of positive ints",
                                       repr(est.hidden_layer_sizes),
                                       "Pass e.g. hidden_layer_sizes=(100,)."))
    return tuple(int(h) for h in sizes)


def per_layer(name: str, value, n: int) -> tuple:
    """One value per hidden layer from a scalar or a tuple of n."""
    if isinstance(value, tuple | list):
        if len(value) != n:
            raise ConfigError(expected(f"{name} as one value or {n} (one per hidden "
                                       "layer)", f"{len(value)} values",
                                       f"Pass {n} values or a single one."))
        return tuple(value)
    return (value,) * n


def dropout_rates(est) -> tuple[float, ...]:
    rates = per_layer("dropout", est.dropout, len(hidden_sizes(est)))
    for p in rates:
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ConfigError(expected("dropout rates in [0, 1)", repr(est.dropout),
                                       "Pass e.g. dropout=0.2."))
    return tuple(float(p) for p in rates)


def build_layers(est, n_features: int, n_out: int, out_activation: str) -> list:
    """The hidden Dense (+ Dropout) layers and the output layer."""
    sizes = hidden_sizes(est)
    acts = per_layer("activation", est.activation, len(sizes))
    for a in acts:
        if not isinstance(a, str):
            raise ConfigError(expected("activation names (str)", repr(a),
                                       "Pass e.g. activation='relu'."))
        act_mod.get(a)                                     # a known name
    layers, n_in = [], n_features
    for h, f, p in zip(sizes, acts, dropout_rates(est), strict=True):
        layers.append(Dense(h, activation=f, input_dim=n_in if not layers else None))
        if p > 0:
            layers.append(Dropout(p))
        n_in = h
    layers.append(Dense(n_out, activation=out_activation,
                        input_dim=n_features if not sizes else None))
    return layers


def set_penalty(model, penalty: float) -> None:
    """Every kernel W gets the L2 penalty λ‖W‖² (biases none, as in
    scikit-learn); λ depends on the rows per step, so it is set at each fit."""
    for layer in model.layers:
        if isinstance(layer, Dense):
            layer.kernel_regularizer = L2(penalty) if penalty > 0 else None


def make_optimizer(est) -> Optimizer:
    """glassnet's optimizer for the stochastic solvers (or ``optimizer=``)."""
    lr = est.learning_rate_init
    if est.optimizer is not None:
        return optimizers.get(est.optimizer, learning_rate=lr)
    if est.solver == "adam":
        return optimizers.Adam(learning_rate=lr, beta_1=est.beta_1,
                               beta_2=est.beta_2, epsilon=est.epsilon)
    # lbfgs trains without one; sgd is scikit-learn's momentum SGD
    nesterov = bool(est.nesterovs_momentum) and est.momentum > 0
    return optimizers.SGD(learning_rate=lr, momentum=est.momentum, nesterov=nesterov)


def _choice(name: str, value, allowed: tuple) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(expected(f"{name} in {allowed}", repr(value),
                                   f"Pass e.g. {name}={allowed[-1]!r}."))


def _positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value <= 0:
        raise ConfigError(expected(f"{name} as a positive int", repr(value),
                                   f"Pass e.g. {name}=10."))


def _real(name: str, value, low: float, high: float | None = None,
          open_low: bool = False) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) \
        and (value > low if open_low else value >= low) \
        and (high is None or value < high)
    if not ok:
        rng = f"({low}, " if open_low else f"[{low}, "
        rng += "∞)" if high is None else f"{high})"
        raise ConfigError(expected(f"{name} in {rng}", repr(value),
                                   f"Pass a number in {rng}."))
