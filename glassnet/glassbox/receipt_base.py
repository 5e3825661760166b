"""The receipt of a Dense neuron or weight, and the checks its builders share.

``Receipt`` is what ``gn.explain`` returns for a Dense layer (its neuron
receipt in ``glassnet.glassbox.receipts``, its gradient receipt in
``glassnet.glassbox.gradient_receipt``); a Conv2D weight's is
``glassnet.glassbox.conv_receipt.KernelReceipt``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet._validation import check_X
from glassnet.errors import ConfigError, expected
from glassnet.glassbox.formatting import Line
from glassnet.glassbox.latex import Rendered


@dataclass
class Receipt(Rendered):
    """A worked computation: ``text()`` for the terminal, ``markdown()``,
    ``html()`` and ``latex()`` for notebooks and documents (``Rendered``).

    value:    the receipt's result (the neuron's output, the batch gradient
              computed from the factors, or the new weight after an update)
    factors:  [(name, value)] of the chain for the chosen sample, whose
              product is that sample's gradient (the weighted-sum terms for
              a neuron)
    paths:    [[(name, value), …], …] one fully expanded chain per path
    """

    kind: str
    title: str
    lines: list[Line]
    value: float
    factors: list[tuple[str, float]] = field(default_factory=list)
    paths: list[list[tuple[str, float]]] = field(default_factory=list)
    sample_value: float | None = None
    backprop: float | None = None      # the model's own number, for comparison
    update: dict | None = None


def check_sample(sample, B: int) -> int:
    """``sample`` as a row index into a batch of B."""
    if isinstance(sample, bool) or not isinstance(sample, int | np.integer) \
            or not 0 <= sample < B:
        raise ConfigError(expected(f"sample in 0..{B - 1}", repr(sample),
                                   "Pass the row of X to explain."))
    return int(sample)


def check_model_X(model, X):
    """X checked against the model's input shape, in its dtype."""
    return check_X(X, model.input_shape, model.dtype)
