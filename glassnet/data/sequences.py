"""Sequence tasks for recurrent networks, each drawn from an explicit seed.

All return X of shape (n, T, F) (batch, time, features) and float targets.

- ``sine_wave``: next-value prediction on a noisy sine (many-to-one), or the
  next value at every step (many-to-many).
- ``adding_problem`` (Hochreiter & Schmidhuber, 1997, experiment 4): add the
  two numbers that are marked; the marks sit far apart in time.
- ``delayed_recall``: remember the sign of the first step through T − 1 steps
  of noise (a classification that only a memory can solve).
- ``mnist_rows``: MNIST images as 28 steps of 28 pixels (a row per step).
- ``pad_sequences``: re-exported from ``glassnet.rnn``.
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import as_rng, check_positive_int
from glassnet.rnn.time_distributed import pad_sequences

__all__ = ["adding_problem", "delayed_recall", "mnist_rows", "pad_sequences",
           "sine_wave"]


def sine_wave(n: int, length: int = 30, noise: float = 0.05,
              many_to_many: bool = False, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Windows of s(t) = sin(ω t + φ) + ε; ω ~ U[0.1, 0.4], ε ~ N(0, noise²).

    X: (n, length, 1) the noisy values s_0 … s_{T−1}. y: (n, 1) the clean next
    value sin(ω T + φ); with ``many_to_many`` (n, length): sin(ω (t+1) + φ) per step.
    """
    n = check_positive_int(n, "n", "Pass e.g. n=1000.")
    length = check_positive_int(length, "length", "Pass e.g. length=30.")
    rng = as_rng(seed)
    w = rng.uniform(0.1, 0.4, size=(n, 1))
    phi = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(length + 1)[None, :]
    clean = np.sin(w * t + phi)                        # (n, T + 1)
    X = (clean[:, :-1] + noise * rng.standard_normal((n, length)))[..., None]
    y = clean[:, 1:] if many_to_many else clean[:, -1:]
    return X.astype(np.float32), y.astype(np.float32)


def adding_problem(n: int, length: int = 50,
                   seed=None) -> tuple[np.ndarray, np.ndarray]:
    """X (n, length, 2): [value ~ U(0, 1), marker ∈ {0, 1}]; y (n, 1) = the sum of
    the two marked values (one mark in each half). Always predicting 1.0 gives
    MSE ≈ 1/6 ≈ 0.167; a network that remembers reaches ≈ 0."""
    n = check_positive_int(n, "n", "Pass e.g. n=1000.")
    length = check_positive_int(length, "length", "Pass e.g. length=50.")
    rng = as_rng(seed)
    values = rng.random((n, length))
    half = max(length // 2, 1)
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n) if length > 1 else first
    marks = np.zeros((n, length))
    marks[np.arange(n), first] = 1.0
    marks[np.arange(n), second] = 1.0
    y = (values * marks).sum(axis=1, keepdims=True)
    return np.stack([values, marks], axis=2).astype(np.float32), y.astype(np.float32)


def delayed_recall(n: int, length: int = 40, noise: float = 0.5,
                   seed=None) -> tuple[np.ndarray, np.ndarray]:
    """X (n, length, 1): x_0 = ±1, then noise ~ N(0, noise²); y (n,) = 1 if x_0 > 0.

    The answer is only in the first step, so the state must carry one bit
    through length − 1 steps. Chance level is 50%.
    """
    n = check_positive_int(n, "n", "Pass e.g. n=1000.")
    length = check_positive_int(length, "length", "Pass e.g. length=40.")
    rng = as_rng(seed)
    bit = rng.integers(0, 2, size=n)
    X = noise * rng.standard_normal((n, length, 1))
    X[:, 0, 0] = 2.0 * bit - 1.0
    return X.astype(np.float32), bit.astype(np.int64)


def mnist_rows(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 images → (N, 28 steps, 28 features) floats in [0, 1]."""
    images = np.asarray(images)
    return (images.reshape(len(images), 28, 28) / np.float32(255.0)).astype(
        np.float32)
