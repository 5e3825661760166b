"""The classic single-layer perceptron (Rosenblatt, 1958).

    ŷ = step(x·w + b)                      step(z) = 1 if z ≥ 0 else 0
    perceptron rule, per misclassified sample:
        w ← w + η·(y − ŷ)·x,   b ← b + η·(y − ŷ)

It converges in finitely many updates on linearly separable data (Novikoff,
1962) and never on data that no line separates, such as XOR.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet._validation import as_rng, check_lengths, check_positive_int, check_X
from glassnet.errors import ConfigError, ShapeError, expected


class Perceptron:
    """A single step unit trained with the perceptron learning rule."""

    def __init__(self, n_inputs: int, learning_rate: float = 1.0, seed=None,
                 init: str = "zeros"):
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, numbers.Integral) \
                or n_inputs <= 0:
            raise ConfigError(expected("n_inputs as a positive int", repr(n_inputs),
                                       "Pass the number of input features."))
        if not isinstance(learning_rate, numbers.Real) or not math.isfinite(
                learning_rate) or learning_rate <= 0:
            raise ConfigError(expected("learning_rate > 0", repr(learning_rate),
                                       "Pass e.g. learning_rate=1.0."))
        if init not in ("zeros", "random"):
            raise ConfigError(expected("init 'zeros' or 'random'", repr(init),
                                       "Pass init='zeros' (the classic start)."))
        rng = as_rng(seed)
        self.n_inputs, self.learning_rate = int(n_inputs), float(learning_rate)
        self.w = (rng.normal(0, 0.1, n_inputs) if init == "random"
                  else np.zeros(n_inputs))
        self.b = 0.0
        self.converged = False
        self.epochs_run = 0
        self.errors_per_epoch: list[int] = []

    def net_input(self, X) -> np.ndarray:
        """z = x·w + b for each row."""
        return X @ self.w + self.b

    def predict(self, X) -> np.ndarray:
        X = check_X(X, (self.n_inputs,), np.float64)
        return (self.net_input(X) >= 0).astype(np.int64)

    def fit(self, X, y, max_epochs: int = 100, verbose: bool = False) -> Perceptron:
        """Apply the rule sample by sample until an epoch makes no mistakes.

        ``converged`` says whether that happened within ``max_epochs``; the rule
        is inherently sequential (each update changes the next prediction), so
        this loop over samples is the algorithm, not an inefficiency.
        """
        max_epochs = check_positive_int(max_epochs, "max_epochs",
                                        "Pass e.g. max_epochs=100.")
        X = check_X(X, (self.n_inputs,), np.float64)
        check_lengths(X, y)
        y = np.asarray(y).reshape(-1)
        if not np.isin(y, (0, 1)).all():
            raise ShapeError(expected("labels 0 or 1", np.unique(y)[:5],
                                      "Encode the two classes as 0 and 1."))
        self.converged = False
        self.errors_per_epoch = []
        for epoch in range(max_epochs):
            errors = 0
            for xi, yi in zip(X, y, strict=True):
                err = yi - int(xi @ self.w + self.b >= 0)       # y − ŷ ∈ {−1, 0, 1}
                if err:
                    self.w += self.learning_rate * err * xi      # w ← w + η(y − ŷ)x
                    self.b += self.learning_rate * err           # b ← b + η(y − ŷ)
                    errors += 1
            self.errors_per_epoch.append(errors)
            if verbose:
                print(f"epoch {epoch + 1}: {errors} mistakes, w={self.w}, b={self.b}")
            if errors == 0:
                self.converged = True
                break
        self.epochs_run = len(self.errors_per_epoch)
        return self

    def report(self) -> str:
        if self.converged:
            return (f"converged after {self.epochs_run} epochs: w={self.w.tolist()}, "
                    f"b={self.b}")
        return (f"did not converge in {self.epochs_run} epochs (still "
                f"{self.errors_per_epoch[-1]} mistakes per epoch): the data are not "
                "linearly separable — no single line splits the classes. Use a "
                "hidden layer (gn.Sequential) instead.")
