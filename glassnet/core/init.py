"""Weight initializers, all drawn from an explicit ``numpy.random.Generator``.

Each initializer is called as ``init(shape, rng, dtype)`` and returns a new array.
fan_in / fan_out are the sizes of a ``(n_in, n_out)`` kernel; for a
convolution kernel ``(kh, kw, c_in, c_out)`` they are kh·kw·c_in and
kh·kw·c_out (Keras's convention).

- Glorot/Xavier (Glorot & Bengio, 2010): Var = 2 / (fan_in + fan_out)
- He/Kaiming (He et al., 2015): Var = 2 / fan_in  (for ReLU)
- LeCun (LeCun et al., 1998): Var = 1 / fan_in   (for SELU / tanh)
"""

from __future__ import annotations

import math

import numpy as np

from glassnet._validation import is_finite_number, short_repr
from glassnet.errors import ConfigError, expected


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])            # kh·kw for a conv kernel, else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    name = "initializer"

    def __call__(self, shape, rng: np.random.Generator, dtype=np.float32):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name}


class Zeros(Initializer):
    """w = 0."""

    name = "zeros"

    def __call__(self, shape, rng, dtype=np.float32):
        return np.zeros(shape, dtype=dtype)


class Constant(Initializer):
    """w = c."""

    name = "constant"

    def __init__(self, value: float = 0.0):
        if not is_finite_number(value):
            raise ConfigError(expected("a finite constant", short_repr(value),
                                       "Pass e.g. Constant(0.1)."))
        self.value = float(value)

    def __call__(self, shape, rng, dtype=np.float32):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "value": self.value}


class RandomUniform(Initializer):
    """w ~ U(low, high)."""

    name = "uniform"

    def __init__(self, low: float = -0.05, high: float = 0.05):
        if not (is_finite_number(low) and is_finite_number(high) and low < high):
            raise ConfigError(expected("finite bounds with low < high",
                                       f"low={low}, high={high}",
                                       "Swap or widen the bounds."))
        self.low, self.high = float(low), float(high)

    def __call__(self, shape, rng, dtype=np.float32):
        return rng.uniform(self.low, self.high, size=shape).astype(dtype)

    def get_config(self):
        return {"name": self.name, "low": self.low, "high": self.high}


class RandomNormal(Initializer):
    """w ~ N(mean, std²)."""

    name = "normal"

    def __init__(self, mean: float = 0.0, std: float = 0.05):
        if not (is_finite_number(mean) and is_finite_number(std) and std > 0):
            raise ConfigError(expected("a finite mean and a finite std > 0",
                                       f"mean={mean}, std={std}",
                                       "Pass e.g. RandomNormal(0.0, 0.05)."))
        self.mean, self.std = float(mean), float(std)

    def __call__(self, shape, rng, dtype=np.float32):
        return rng.normal(self.mean, self.std, size=shape).astype(dtype)

    def get_config(self):
        return {"name": self.name, "mean": self.mean, "std": self.std}


class _Scaled(Initializer):
    """Variance-scaling family: Var(w) = scale / fan."""

    scale = 1.0
    mode = "fan_in"
    distribution = "normal"

    def __call__(self, shape, rng, dtype=np.float32):
        fan_in, fan_out = _fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(fan, 1)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)  # U(−l, l) has variance l²/3
            return rng.uniform(-limit, limit, size=shape).astype(dtype)
        return rng.normal(0.0, math.sqrt(var), size=shape).astype(dtype)


class GlorotUniform(_Scaled):
    """Glorot/Xavier uniform: U(−l, l), l = √(6 / (fan_in + fan_out))."""

    name, scale, mode, distribution = "glorot_uniform", 1.0, "fan_avg", "uniform"


class GlorotNormal(_Scaled):
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out))."""

    name, scale, mode, distribution = "glorot_normal", 1.0, "fan_avg", "normal"


class HeUniform(_Scaled):
    """He uniform: U(−l, l), l = √(6 / fan_in)."""

    name, scale, mode, distribution = "he_uniform", 2.0, "fan_in", "uniform"


class HeNormal(_Scaled):
    """He normal: N(0, 2 / fan_in)."""

    name, scale, mode, distribution = "he_normal", 2.0, "fan_in", "normal"


class LeCunNormal(_Scaled):
    """LeCun normal: N(0, 1 / fan_in)."""

    name, scale, mode, distribution = "lecun_normal", 1.0, "fan_in", "normal"


class LeCunUniform(_Scaled):
    """LeCun uniform: U(−l, l), l = √(3 / fan_in)."""

    name, scale, mode, distribution = "lecun_uniform", 1.0, "fan_in", "uniform"


class Orthogonal(Initializer):
    """Orthogonal (Saxe et al., 2014): each (n, n) block of an (n, k·n) matrix
    orthogonal — one per gate of a recurrent weight U.

    Gram–Schmidt on Gaussian columns (each pass run twice, for round-off):
    the Q of a QR decomposition with diag(R) > 0, so uniformly distributed.
    Written out rather than np.linalg.qr, whose threaded LAPACK can take a
    second for a 128 × 128 matrix on a busy machine.
    """

    name = "orthogonal"

    def __call__(self, shape, rng, dtype=np.float32):
        n, m = shape
        blocks = []
        for _ in range(m // n):
            a = rng.standard_normal((n, n))
            q = np.zeros_like(a)
            for k in range(n):
                v = a[:, k]
                for _ in range(2):
                    v = v - q[:, :k] @ (q[:, :k].T @ v)   # remove earlier directions
                q[:, k] = v / np.sqrt(v @ v)
            blocks.append(q)
        return np.concatenate(blocks, axis=1).astype(dtype)


_REGISTRY: dict[str, type[Initializer]] = {
    "zeros": Zeros, "constant": Constant, "uniform": RandomUniform,
    "normal": RandomNormal, "glorot_uniform": GlorotUniform,
    "xavier_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "xavier_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_normal": LeCunNormal, "lecun_uniform": LeCunUniform,
    "orthogonal": Orthogonal,
}
NAMES = sorted(_REGISTRY)


def get(init: str | Initializer) -> Initializer:
    """Resolve a name or an Initializer object."""
    if isinstance(init, Initializer):
        return init
    if isinstance(init, str) and init.lower() in _REGISTRY:
        return _REGISTRY[init.lower()]()
    raise ConfigError(expected(f"an initializer name, one of {NAMES}", repr(init),
                               "Check the spelling or pass an Initializer object."))


def from_config(config: dict) -> Initializer:
    name = config.get("name") if isinstance(config, dict) else None
    if name not in _REGISTRY:
        raise ConfigError(expected("a known initializer", repr(name), f"Use {NAMES}."))
    try:
        kwargs = {k: float(v) for k, v in config.items() if k != "name"}
        return _REGISTRY[name](**kwargs)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(expected(f"the arguments of the {name} initializer",
                                   repr(config), str(exc))) from None
