"""Loss functions L(ŷ, y), averaged over the batch, with their gradients.

Every loss gives the per-sample loss ``lᵢ`` and the batch loss
L = (1/B) Σᵢ wᵢ·lᵢ (wᵢ = 1 without sample weights). ``backward`` returns
dL/dŷ with the 1/B already applied, shape (B, n_out).

Cross-entropy losses also work from the logits z of the layer before the
output activation; paired with their activation this is the stable form:

    softmax + categorical cross-entropy:  L = lse(z) − z_y,   dL/dz = (p − y)/B
    sigmoid + binary cross-entropy:       l = max(z,0) − z·y + ln(1+e^(−|z|)),
                                          dL/dz = (σ(z) − y)/(B·n)
"""

from __future__ import annotations

import numpy as np

from glassnet.errors import ConfigError, ShapeError, expected

_EPS = 1e-12
_TINY_P = 1e-30  # below this, −ln p is taken from the logits instead


def _weighted_mean(per_sample: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:  # the mean, without ndarray.mean's Python-level overhead
        return float(np.add.reduce(per_sample, axis=None)) / per_sample.size
    return float((per_sample * w).sum() / per_sample.shape[0])


def _clip_prob(p: np.ndarray) -> np.ndarray:
    """p clipped to [ε, 1 − ε] so ln p and ln(1 − p) stay finite. The upper
    bound must exist in p's dtype: 1 − 1e-12 rounds to 1.0 in float32."""
    hi = min(1.0 - _EPS, 1.0 - float(np.finfo(p.dtype).epsneg))
    return np.clip(p, _EPS, hi)


def _scale_rows(g: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is not None:
        g *= w[:, None]
    return g


class Loss:
    """Base class. Subclasses define ``per_sample`` and ``backward``."""

    name = "loss"
    #: the output activation this loss fuses with (its logits form), if any
    fuses_with: str | None = None
    from_logits = False

    # -- targets -----------------------------------------------------------
    def prepare_targets(self, y, n_out: int, dtype) -> np.ndarray:
        """Validate y once at the boundary and convert it to (B, n_out) floats."""
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise ShapeError(expected("numeric targets", f"dtype {y.dtype}",
                                      "Encode labels as numbers first."))
        y = y.astype(dtype, copy=False)
        if y.ndim == 1 and n_out == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_out:
            raise ShapeError(expected(f"targets of shape (n_samples, {n_out}) to match "
                                      f"the output layer's {n_out} units",
                                      f"shape {y.shape}",
                                      "Reshape y or change the last layer's units."))
        if not np.isfinite(y).all():
            raise ShapeError(expected("finite targets", "NaN or inf in y",
                                      "Remove or impute the missing targets."))
        return y

    # -- generic form (on the output ŷ) -------------------------------------
    def per_sample(self, y_pred: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, y_pred, y, w=None) -> float:
        """L = (1/B) Σᵢ wᵢ lᵢ."""
        return _weighted_mean(self.per_sample(y_pred, y), w)

    def backward(self, y_pred, y, w=None, out=None) -> np.ndarray:
        raise NotImplementedError

    # -- logits form (fused with the output activation) --------------------
    def per_sample_logits(self, z, y) -> np.ndarray:
        raise NotImplementedError(f"{self.name} has no logits form")

    def forward_logits(self, z, y, w=None, p=None) -> float:
        """L from the logits z; ``p`` (the activation's output) may be reused."""
        return _weighted_mean(self.per_sample_logits(z, y), w)

    def backward_logits(self, z, y, w=None, out=None, p=None) -> np.ndarray:
        raise NotImplementedError(f"{self.name} has no logits form")

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """MSE: lᵢ = (1/n) Σⱼ (ŷᵢⱼ − yᵢⱼ)²,  dL/dŷ = 2(ŷ − y)/(B·n)."""

    name = "mse"

    def per_sample(self, y_pred, y):
        return ((y_pred - y) ** 2).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = np.subtract(y_pred, y, out=out)
        out *= 2.0 / y_pred.size
        return _scale_rows(out, w)


class HalfSumSquaredError(Loss):
    """½·SSE (the seeds' E_total): lᵢ = ½ Σⱼ (yᵢⱼ − ŷᵢⱼ)²,  dL/dŷ = (ŷ − y)/B."""

    name = "half_sse"

    def per_sample(self, y_pred, y):
        return 0.5 * ((y - y_pred) ** 2).sum(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = np.subtract(y_pred, y, out=out)
        out *= 1.0 / y_pred.shape[0]
        return _scale_rows(out, w)


class MeanAbsoluteError(Loss):
    """MAE: lᵢ = (1/n) Σⱼ |ŷᵢⱼ − yᵢⱼ|,  dL/dŷ = sign(ŷ − y)/(B·n)."""

    name = "mae"

    def per_sample(self, y_pred, y):
        return np.abs(y_pred - y).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = np.sign(np.subtract(y_pred, y, out=out), out=out)
        out *= 1.0 / y_pred.size
        return _scale_rows(out, w)


class Huber(Loss):
    """Huber: h(r) = ½r² if |r| ≤ δ else δ(|r| − ½δ), r = ŷ − y; mean over outputs.

    dL/dŷ = clip(r, −δ, δ)/(B·n)  (Huber, 1964).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if not delta > 0:
            raise ConfigError(expected("delta > 0", delta, "Pass e.g. Huber(1.0)."))
        self.delta = float(delta)

    def per_sample(self, y_pred, y):
        r = np.abs(y_pred - y)
        d = self.delta
        return np.where(r <= d, 0.5 * r * r, d * (r - 0.5 * d)).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        out = np.subtract(y_pred, y, out=out)
        np.clip(out, -self.delta, self.delta, out=out)
        out *= 1.0 / y_pred.size
        return _scale_rows(out, w)

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy: lᵢ = −(1/n) Σⱼ [y ln p + (1 − y) ln(1 − p)].

    From probabilities p: dL/dp = (p − y)/(p(1 − p))/(B·n)  (p clipped to
    [1e-12, 1 − 1e-12], in float32 [1e-12, 1 − 2⁻²⁴]). From logits z
    (fused with sigmoid): l = max(z, 0) − z·y + ln(1 + e^(−|z|)),
    dL/dz = (σ(z) − y)/(B·n).
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def prepare_targets(self, y, n_out, dtype):
        y = super().prepare_targets(y, n_out, dtype)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ShapeError(expected("binary targets in [0, 1]",
                                      f"values in [{y.min()}, {y.max()}]",
                                      "Use 0/1 labels, or categorical_crossentropy "
                                      "for more than two classes."))
        return y

    def per_sample(self, y_pred, y):
        if self.from_logits:
            return self.per_sample_logits(y_pred, y)
        p = _clip_prob(y_pred)
        return -(y * np.log(p) + (1.0 - y) * np.log1p(-p)).mean(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        if self.from_logits:
            return self.backward_logits(y_pred, y, w, out)
        p = _clip_prob(y_pred)
        out = np.divide(p - y, p * (1.0 - p), out=out)
        out *= 1.0 / y_pred.size
        return _scale_rows(out, w)

    def per_sample_logits(self, z, y):
        return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)

    def backward_logits(self, z, y, w=None, out=None, p=None):
        if p is None:
            e = np.exp(-np.abs(z))
            p = np.where(z >= 0, 1.0, e) / (1.0 + e)
        out = np.subtract(p, y, out=out)
        out *= 1.0 / z.size
        return _scale_rows(out, w)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


class CategoricalCrossentropy(Loss):
    """Categorical cross-entropy: lᵢ = −Σⱼ yᵢⱼ ln pᵢⱼ  (y one-hot or labels).

    Targets may be integer class labels (B,) or one-hot / probability rows
    (B, C). From logits z (fused with softmax): lᵢ = lse(zᵢ) − Σⱼ yᵢⱼ zᵢⱼ with
    lse(z) = max z + ln Σ e^(z − max z), and dL/dz = (p − y)/B.
    """

    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def prepare_targets(self, y, n_out, dtype):
        y = np.asarray(y)
        if n_out < 2:
            raise ShapeError(expected("an output layer with ≥ 2 units for "
                                      "categorical_crossentropy", f"{n_out} unit",
                                      "Use binary_crossentropy with one sigmoid "
                                      "unit, or one unit per class."))
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim == 1:
            if y.dtype.kind == "f":
                if not np.isfinite(y).all() or np.any(y != np.round(y)):
                    raise ShapeError(expected("integer class labels", "non-integer "
                                              "or non-finite values",
                                              "Pass labels 0..C-1 or one-hot rows."))
            elif y.dtype.kind not in "biu":
                raise ShapeError(expected("integer class labels", f"dtype {y.dtype}",
                                          "Map class names to 0..C-1 first "
                                          "(glassnet.data.LabelEncoder)."))
            labels = y.astype(np.int64)
            if labels.size and (labels.min() < 0 or labels.max() >= n_out):
                raise ShapeError(expected(
                    f"labels in 0..{n_out - 1} (the output layer has {n_out} units)",
                    f"labels from {labels.min()} to {labels.max()}",
                    "Give the last layer one unit per class, or re-encode labels."))
            return labels
        y = super().prepare_targets(y, n_out, dtype)
        sums = y.sum(axis=1)
        if y.size and (y.min() < 0 or np.abs(sums - 1).max() > 1e-3):
            raise ShapeError(expected(
                "one-hot or probability rows (≥ 0, each summing to 1)",
                f"rows summing to {sums.min():.4g} … {sums.max():.4g}, smallest "
                f"entry {y.min():.4g}", "Pass integer labels 0..C-1 or one-hot "
                "rows; for several labels per sample use binary_crossentropy."))
        return y

    @staticmethod
    def _dense(y, like):
        if y.ndim == 2:
            return y
        onehot = np.zeros_like(like)
        onehot[np.arange(len(y)), y] = 1.0
        return onehot

    def per_sample(self, y_pred, y):
        if self.from_logits:
            return self.per_sample_logits(y_pred, y)
        logp = np.log(np.clip(y_pred, _EPS, 1.0))
        if y.ndim == 1:
            return -logp[np.arange(len(y)), y]
        return -(y * logp).sum(axis=1)

    def backward(self, y_pred, y, w=None, out=None):
        if self.from_logits:
            return self.backward_logits(y_pred, y, w, out)
        p = np.clip(y_pred, _EPS, 1.0)
        out = np.divide(-self._dense(y, y_pred), p, out=out)
        out *= 1.0 / y_pred.shape[0]
        return _scale_rows(out, w)

    def per_sample_logits(self, z, y):
        m = z.max(axis=1)
        lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
        if y.ndim == 1:
            return lse - z[np.arange(len(y)), y]
        return lse * y.sum(axis=1) - (y * z).sum(axis=1)

    def forward_logits(self, z, y, w=None, p=None):
        # In training the softmax output p is already computed, so for labels
        # lᵢ = −ln p_{i,yᵢ} costs B logs instead of a second max/exp/sum over z.
        # If some p_{i,yᵢ} is too small for its log to be accurate (≤ 1e-30,
        # a loss above 69) the lse form below is used instead.
        if p is not None and y.ndim == 1:
            p_y = p[np.arange(len(y)), y]                 # (B,)
            if np.minimum.reduce(p_y) > _TINY_P:
                return _weighted_mean(-np.log(p_y), w)
        return _weighted_mean(self.per_sample_logits(z, y), w)

    def backward_logits(self, z, y, w=None, out=None, p=None):
        if p is None:
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        if out is None:
            out = np.empty_like(z)
        if y.ndim == 1:
            np.copyto(out, p)
            out[np.arange(len(y)), y] -= 1.0  # dz = p − onehot(y)
        else:
            np.subtract(p, y, out=out)
        out *= 1.0 / z.shape[0]
        return _scale_rows(out, w)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


_REGISTRY: dict[str, type[Loss]] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "half_sse": HalfSumSquaredError, "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError, "huber": Huber,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": CategoricalCrossentropy,
    "cross_entropy": CategoricalCrossentropy,
}
NAMES = ["mse", "half_sse", "mae", "huber", "binary_crossentropy",
         "categorical_crossentropy"]


def get(loss: str | Loss) -> Loss:
    """Resolve a loss name or object."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss.lower() in _REGISTRY:
        return _REGISTRY[loss.lower()]()
    raise ConfigError(expected(f"a loss name, one of {NAMES}", repr(loss),
                               "Check the spelling or pass a Loss object."))


def from_config(config: dict) -> Loss:
    name = config.get("name")
    if name not in _REGISTRY:
        raise ConfigError(expected("a known loss", repr(name), f"Use {NAMES}."))
    cls = _REGISTRY[name]
    kwargs = {k: v for k, v in config.items() if k != "name"}
    return cls(**kwargs)
