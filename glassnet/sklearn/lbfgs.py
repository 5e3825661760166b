"""Full-batch L-BFGS (Liu & Nocedal, 1989) on the model's own flat buffer.

scipy.optimize.minimize(method="L-BFGS-B") drives θ = ``model.flat_params``
(every parameter, one vector); each evaluation is one full-batch pass of the
model's own ``loss_and_grads``:

    f(θ) = L(θ) = Σᵢ wᵢ lᵢ(θ) / B + λ Σ ‖W‖²       ∇f(θ) = flat_grads

No second training loop: the line search and the two-loop recursion are
scipy's, the loss and its gradient are glassnet's. With the same data the
objective is a deterministic function of θ, so weighting a row by k equals
repeating it k times (what scikit-learn's sample-weight checks ask).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from glassnet.errors import TrainingError


def fit_lbfgs(model, X, y, w, *, max_iter: int, max_fun: int, tol: float,
              verbose: bool = False) -> tuple[list[float], int]:
    """Minimise the compiled loss of ``model`` over (X, y) with weights w.

    X, y, w: prepared arrays (``model.prepare``), the whole training set.
    Returns (the loss after each iteration, the number of iterations).
    Leaves the model's parameters at the minimiser found.
    """
    xp, to_host = model.xp, model.backend.to_host
    curve: list[float] = []
    last = {"L": np.inf}

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        model.assign_flat_params(xp.asarray(theta, dtype=model.dtype))   # θ
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            L = model.loss_and_grads(X, y, model.loss, w)                # L, ∇L
        g = np.asarray(to_host(model.flat_grads), dtype=np.float64)
        if not (np.isfinite(L) and np.isfinite(g).all()):
            raise TrainingError("L-BFGS reached a non-finite loss or gradient. "
                                "Scale the inputs (StandardScaler) or raise alpha.")
        last["L"] = L
        return L, g

    def iteration(_theta) -> None:                       # after each iteration
        curve.append(last["L"])
        if verbose:
            print(f"Iteration {len(curve)}, loss = {last['L']:.8f}")

    theta0 = np.asarray(to_host(model.flat_params), dtype=np.float64)
    result = minimize(f, theta0, jac=True, method="L-BFGS-B", callback=iteration,
                      options={"maxiter": max_iter, "maxfun": max_fun,
                               "gtol": tol})
    model.assign_flat_params(xp.asarray(result.x, dtype=model.dtype))
    if not curve:                                        # stopped before one step
        curve.append(float(result.fun))
    return curve, int(result.nit)
