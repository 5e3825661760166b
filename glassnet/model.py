"""``Sequential``: a stack of layers with all parameters in one flat buffer.

Parameters and gradients live in two contiguous arrays (``model.flat_params``,
``model.flat_grads``); each layer's ``W``/``b`` are views into them, so an
optimizer updates every parameter of the model in a few vectorized operations.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet import losses as loss_mod
from glassnet._validation import (
    as_dtype,
    as_rng,
    check_lengths,
    check_positive_int,
    check_X,
)
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.layers import LAYER_TYPES, Layer

_ALIGN = 16  # elements: each parameter view starts on a 64-byte boundary


class Sequential:
    """A feed-forward stack of layers.

    >>> net = Sequential([Dense(15, "sigmoid", input_dim=784), Dense(10)], seed=0)
    >>> net.count_params()
    11935
    """

    def __init__(self, layers: list[Layer], dtype="float32", seed=None,
                 name: str = "sequential"):
        if not isinstance(layers, list | tuple) or not layers:
            raise ConfigError(expected("a non-empty list of layers", repr(layers),
                                       "Pass e.g. [gn.Dense(4, input_dim=2), "
                                       "gn.Dense(1)]."))
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(expected(f"a glassnet Layer at position {i}",
                                         type(layer).__name__,
                                         "Use gn.Dense, gn.Dropout, gn.Flatten, …"))
        if layers[0].input_dim is None:
            raise ConfigError(expected("input_dim on the first layer", "None",
                                       "Pass e.g. gn.Dense(15, input_dim=784)."))
        if len({id(layer) for layer in layers}) != len(layers):
            raise ConfigError("the same layer object appears twice; create a new "
                              "layer for each position.")
        self.layers = list(layers)
        self.dtype = as_dtype(dtype)
        self.rng = as_rng(seed)
        self.name = name
        self.loss = None
        self.optimizer = None
        self.metrics: list = []
        self.history = None
        self.epoch = 0
        self.stop_training = False
        self.tracer = None
        self.meta: dict = {}
        self._build()

    # -- construction ------------------------------------------------------
    def _build(self) -> None:
        shape = self.layers[0].input_dim
        self.input_shape = tuple(shape)
        used: dict[str, int] = {}
        for i, layer in enumerate(self.layers):
            if i > 0 and layer.input_dim is not None and tuple(layer.input_dim) \
                    != tuple(shape):
                raise ShapeError(expected(
                    f"input_dim={shape} for layer {i} (the previous layer's output)",
                    f"input_dim={layer.input_dim}",
                    "Drop input_dim from later layers or make the sizes agree."))
            layer.dtype = self.dtype
            shape = layer.build(shape)
            base = layer.name or _snake(type(layer).__name__)
            n = used.get(base, 0)
            used[base] = n + 1
            layer.name = base if n == 0 else f"{base}_{n}"
            layer.rng = self.rng
            layer.need_input_grad = i > 0
        self.output_shape = tuple(shape)
        self._allocate()

    def _allocate(self) -> None:
        layout, offset = [], 0
        for layer in self.layers:
            for pname, pshape in layer.param_shapes().items():
                size = int(np.prod(pshape))
                layout.append((layer, pname, pshape, offset, size))
                offset += -(-size // _ALIGN) * _ALIGN
        self.flat_params = np.zeros(max(offset, 1), dtype=self.dtype)
        self.flat_grads = np.zeros_like(self.flat_params)
        self._layout = layout
        for layer in self.layers:
            init = layer.init_params(self.rng, self.dtype)
            params, grads = {}, {}
            for lay, pname, pshape, off, size in layout:
                if lay is layer:
                    params[pname] = self.flat_params[off:off + size].reshape(pshape)
                    grads[pname] = self.flat_grads[off:off + size].reshape(pshape)
                    params[pname][...] = init[pname]
            layer.bind(params, grads)

    @property
    def n_outputs(self) -> int:
        return int(np.prod(self.output_shape))

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """[(name, value view, gradient view)] in get_weights() order."""
        return [(f"{lay.name}.{p}", lay.params[p], lay.grads[p])
                for lay, p, *_ in self._layout]

    # -- weights -----------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter: [W0, b0, W1, b1, …], W as (n_in, n_out)."""
        return [lay.params[p].copy() for lay, p, *_ in self._layout]

    def set_weights(self, weights: list) -> None:
        """Set every parameter from a list in get_weights() order (copied in)."""
        if not isinstance(weights, list | tuple) or len(weights) != len(self._layout):
            got = len(weights) if isinstance(weights, list | tuple) else \
                type(weights).__name__
            raise ShapeError(expected(f"a list of {len(self._layout)} arrays "
                                      f"{[s for *_, s, _o, _n in self._layout]}",
                                      got, "Pass get_weights()-ordered arrays."))
        arrays = []
        for (lay, p, shape, *_), w in zip(self._layout, weights, strict=True):
            arr = np.asarray(w, dtype=self.dtype)
            if arr.shape != tuple(shape):
                raise ShapeError(expected(f"{lay.name}.{p} of shape {tuple(shape)}",
                                          f"shape {arr.shape}",
                                          "W is (n_in, n_out) and b is (n_out,)."))
            if not np.isfinite(arr).all():
                raise ShapeError(expected(f"finite values for {lay.name}.{p}",
                                          "NaN or inf", "Check the weights."))
            arrays.append(arr)
        for (lay, p, *_), arr in zip(self._layout, arrays, strict=True):
            lay.params[p][...] = arr

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    # -- forward / backward ------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Run every layer, storing what backward needs. X already validated."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def backward(self, dout: np.ndarray, accumulate: bool = True,
                 start: int | None = None) -> np.ndarray | None:
        """Backpropagate dL/d(output) through layers[start-1 … 0]."""
        stop = len(self.layers) if start is None else start
        for layer in reversed(self.layers[:stop]):
            dout = layer.backward(dout, accumulate)
        return dout

    def output_activation(self):
        return getattr(self.layers[-1], "activation", None)

    def _fused(self, loss) -> bool:
        act = self.output_activation()
        return (loss.fuses_with is not None and not loss.from_logits
                and act is not None and act.name == loss.fuses_with
                and hasattr(self.layers[-1], "backward_z"))

    def loss_and_grads(self, X, y, loss, sample_weight=None,
                       training: bool = False) -> float:
        """Forward, loss, backward: writes dL/dθ into ``flat_grads``; returns L."""
        out = self.forward(X, training)
        last = self.layers[-1]
        if self._fused(loss):
            L = loss.forward_logits(last.z, y, sample_weight, p=last.a)
            dz = loss.backward_logits(last.z, y, sample_weight, p=last.a,
                                      out=last._buffer("dz", last.z.shape))
            self.backward(last.backward_z(dz, accumulate=False), accumulate=False,
                          start=len(self.layers) - 1)
        else:
            L = loss.forward(out, y, sample_weight)
            dout = loss.backward(out, y, sample_weight)
            self.backward(dout, accumulate=False)
        for layer in self.layers:
            L += layer.penalty()
            layer.add_penalty_grads()
        return float(L)

    def loss_value(self, X, y, loss, sample_weight=None) -> float:
        """L(X, y) with penalties, no gradients (used by gradcheck)."""
        out = self.forward(X, training=False)
        last = self.layers[-1]
        if self._fused(loss):
            L = loss.forward_logits(last.z, y, sample_weight)
        else:
            L = loss.forward(out, y, sample_weight)
        return float(L + sum(layer.penalty() for layer in self.layers))

    def _prepare(self, X, y, loss):
        X = check_X(X, self.input_shape, self.dtype)
        if y is None:
            raise ShapeError(expected("targets y", "None", "Pass y with one row per "
                                      "sample."))
        check_lengths(X, y)
        return X, loss.prepare_targets(y, self.n_outputs, self.dtype)

    def gradients(self, X, y, loss="half_sse") -> list[np.ndarray]:
        """dLoss/dθ for every parameter, in get_weights() order; weights unchanged.

        Runs in inference mode (dropout off), so the result is deterministic.
        """
        loss = loss_mod.get(loss) if loss is not None else self._compiled_loss()
        X, y = self._prepare(X, y, loss)
        self.loss_and_grads(X, y, loss, training=False)
        return [g.copy() for _, _, g in self.parameters()]

    def _compiled_loss(self):
        if self.loss is None:
            raise ConfigError("no loss given and the model is not compiled: pass "
                              "loss='mse' (or another loss) or call compile() first.")
        return self.loss

    # -- prediction --------------------------------------------------------
    def predict(self, X, batch_size: int = 1024) -> np.ndarray:
        """Outputs for X, shape (B, n_out); a fresh array."""
        if type(batch_size) is int and batch_size > 0 and self._one_clean_row(X):
            return self._infer(X)  # fast path: a single sample, checked in O(1)
        X = check_X(X, self.input_shape, self.dtype)
        check_positive_int(batch_size, "batch_size", "Pass e.g. batch_size=1024.")
        if X.shape[0] <= batch_size:
            return self._infer(X)
        return np.concatenate([self._infer(X[i:i + batch_size])
                               for i in range(0, X.shape[0], batch_size)])

    def _one_clean_row(self, X) -> bool:
        """One sample already in the model's form: an ndarray of the model dtype,
        shape (1, *input_shape), finite. x·x is finite only if every xᵢ is (NaN
        or ±inf make it NaN or inf); a row whose x·x overflows merely takes the
        full check_X path. Saves most of a single-sample predict's validation."""
        return (type(X) is np.ndarray and X.dtype == self.dtype
                and X.shape == (1, *self.input_shape)
                and math.isfinite(np.vdot(X, X)))

    def _infer(self, X):
        out = X
        for layer in self.layers:
            out = layer.infer(out)
        return out if out is not X else out.copy()

    def predict_proba(self, X, batch_size: int = 1024) -> np.ndarray:
        """Class probabilities: softmax rows, or [1 − p, p] for one sigmoid unit."""
        p = self.predict(X, batch_size)
        act = self.output_activation()
        name = act.name if act is not None else "linear"
        if name == "sigmoid" and p.shape[1] == 1:
            return np.hstack([1.0 - p, p])
        if name == "linear" and self.loss is not None and self.loss.from_logits:
            if p.shape[1] == 1:
                p = 1.0 / (1.0 + np.exp(-p))
                return np.hstack([1.0 - p, p])
            p = np.exp(p - p.max(axis=1, keepdims=True))
            return p / p.sum(axis=1, keepdims=True)
        return p

    def predict_classes(self, X, batch_size: int = 1024) -> np.ndarray:
        """Predicted class index per sample (argmax, or p ≥ 0.5 for one unit)."""
        return self.predict_proba(X, batch_size).argmax(axis=1)

    # -- training (see glassnet.training) ----------------------------------
    def compile(self, loss="mse", optimizer="sgd", metrics=None, **kwargs):
        from glassnet import training
        return training.compile(self, loss, optimizer, metrics, **kwargs)

    def fit(self, X, y, **kwargs):
        """Train; see glassnet.fit.fit for the arguments. Returns a History."""
        from glassnet.fit import fit
        return fit(self, X, y, **kwargs)

    def train_step(self, X, y, sample_weight=None) -> float:
        from glassnet import training
        return training.train_step(self, X, y, sample_weight)

    def evaluate(self, X, y, batch_size: int = 1024, sample_weight=None) -> dict:
        from glassnet import training
        return training.evaluate(self, X, y, batch_size, sample_weight)

    # -- description -------------------------------------------------------
    def summary(self, print_fn=print) -> str:
        """Keras-style table with each count's arithmetic and float32 memory."""
        rows = [("Layer (type)", "Output shape", "Param #", "Arithmetic")]
        for layer in self.layers:
            shape = "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
            rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                         f"{layer.count_params():,}", layer.param_arithmetic()))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "─" * (sum(widths) + 6)
        fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
        total = self.count_params()
        kb = total * 4 / 1024
        out = [f'Model: "{self.name}"  input (None, '
               f'{", ".join(map(str, self.input_shape))})', line, fmt(rows[0]), line]
        out += [fmt(r) for r in rows[1:]]
        out += [line, f"Total params: {total:,} ({kb:,.2f} KB as float32)"]
        if self.dtype != np.float32:
            kb_model = total * self.dtype.itemsize / 1024
            out.append(f"Model dtype {self.dtype}: {kb_model:,.2f} KB")
        text = "\n".join(out)
        if print_fn is not None:
            print_fn(text)
        return text

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": str(self.dtype),
                "layers": [{"type": type(layer).__name__,
                            "config": layer.get_config()} for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict, seed=None,
                    max_params: int | None = None) -> Sequential:
        """Rebuild from get_config() via the closed LAYER_TYPES registry.

        ``max_params`` refuses (before allocating anything) an architecture with
        more parameters than that — a model file cannot ask for gigabytes.
        """
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError(expected("a config dict with a 'layers' list",
                                       type(config).__name__, "Use get_config()."))
        layers = []
        for entry in config["layers"]:
            kind = entry.get("type") if isinstance(entry, dict) else None
            if not isinstance(kind, str) or kind not in LAYER_TYPES:
                raise ConfigError(expected(f"a layer type in {sorted(LAYER_TYPES)}",
                                           repr(kind), "The file names a layer type "
                                           "this glassnet does not know."))
            layers.append(LAYER_TYPES[kind].from_config(entry.get("config", {})))
        if max_params is not None and layers and layers[0].input_dim is not None:
            shape, total = layers[0].input_dim, 0
            for layer in layers:
                shape = layer.build(shape)
                total += layer.count_params()
            if total > max_params:
                raise ConfigError(expected(f"at most {max_params:,} parameters",
                                           f"an architecture with {total:,}",
                                           "The file's architecture and weights "
                                           "disagree."))
        return cls(layers, dtype=config.get("dtype", "float32"), seed=seed,
                   name=config.get("name", "sequential"))

    def save(self, path, **kwargs) -> None:
        """Save to a safetensors model file (see glassnet.io)."""
        from glassnet.files.model_format import save_model
        extra = {**self.meta, **(kwargs.pop("extra_metadata", None) or {})}
        save_model(self, path, extra_metadata=extra, **kwargs)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], dtype={str(self.dtype)!r})"


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out.replace("simple_r_n_n", "simple_rnn").replace("l_s_t_m", "lstm") \
        .replace("g_r_u", "gru")
