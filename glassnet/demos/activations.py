"""activations — every activation function and its derivative, side by side.

The derivative is what backpropagation multiplies by at each unit
(∂out/∂net), so its size decides how much gradient gets through: at most
0.25 for the sigmoid, 1 for tanh and ReLU, 0 for the step function — which
is why a step unit cannot be trained by gradient descent. Each derivative
is checked against central differences (f(z + h) − f(z − h)) / 2h.
"""

from __future__ import annotations

import numpy as np

from glassnet import activations as act_mod

Z = np.array([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    result = {}
    head = "z:        " + "".join(f"{z:>8g}" for z in Z)
    p(head)
    for name in act_mod.NAMES:
        act = act_mod.get(name)
        if name == "softmax":  # acts on a whole row, not one number at a time
            continue
        f = act.forward(Z.copy())
        df = act.derivative(Z)
        h = 1e-6
        fd = (act.forward(Z + h) - act.forward(Z - h)) / (2 * h)
        smooth = np.abs(Z) > 1e-3 if name in ("relu", "leaky_relu", "step",
                                              "elu") else np.ones_like(Z, bool)
        err = float(np.max(np.abs(fd - df)[smooth]))
        p(f"{name:<10}" + "".join(f"{v:>8.3f}" for v in f))
        p(f"{'  ′':<10}" + "".join(f"{v:>8.3f}" for v in df)
          + f"   {act.formula()}")
        result[name] = {"f": f.tolist(), "df": df.tolist(), "max_fd_error": err}
    z = np.array([[1.0, 2.0, 3.0]])
    sm = act_mod.get("softmax").forward(z.copy())[0]
    p(f"\nsoftmax acts on a whole row: softmax([1, 2, 3]) = "
      f"[{', '.join(f'{v:.4f}' for v in sm)}] (sums to 1); "
      "∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ).")
    worst = max(r["max_fd_error"] for r in result.values())
    p(f"every derivative matches central differences to within {worst:.1e}.")
    peak = {n: max(result[n]["df"]) for n in ("sigmoid", "tanh", "relu")}
    p(f"largest derivative: sigmoid {peak['sigmoid']:.2f}, tanh {peak['tanh']:.2f}, "
      f"relu {peak['relu']:.2f} — ten sigmoid layers multiply ten factors ≤ 0.25 "
      "(see the 'vanishing' demo).")
    result["softmax"] = {"example": sm.tolist()}
    return result
