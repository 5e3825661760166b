"""Why a network's outputs are not finite, in words (predict and evaluate
warn with it: a NaN never leaves glassnet silently)."""

from __future__ import annotations

import numpy as np


def nonfinite_outputs(model, out) -> str:
    """Why outputs are NaN/inf: usually weights a diverged run left huge."""
    bad = int((~np.isfinite(out)).sum())
    top = float(np.abs(model.flat_params).max()) if model.flat_params.size else 0.0
    return (f"{bad} of the {out.size} outputs are NaN or inf: the largest |weight| "
            f"is {top:.3g}" + (" — training diverged, or the inputs are far "
                               "larger than in training" if top > 1e6 else
                               " — check the inputs' scale") +
            ". Retrain with a smaller learning rate, or standardise the inputs.")
