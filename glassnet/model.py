"""``Sequential``: the engine (``glassnet.core.network``) with the Keras API.

    net = gn.Sequential([gn.Dense(15, "sigmoid", input_dim=784),
                         gn.Dense(10, "softmax")], seed=0)
    net.compile(loss="categorical_crossentropy", optimizer="adam")
    net.fit(X, y, epochs=5)          # glassnet.train.loop
    net.predict(X)                   # glassnet.core.network
    net.save("model.safetensors")    # glassnet.files.model_format
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.core import losses
from glassnet.core.network import Network
from glassnet.core.summary import summary_html, summary_table
from glassnet.errors import ConfigError, ShapeError, expected
from glassnet.export.onnx import export_onnx
from glassnet.files.model_format import save_model
from glassnet.layers import layer_from_config
from glassnet.train import loop, step
from glassnet.train.history import History


class Sequential(Network):
    """A feed-forward stack of layers.

    >>> net = Sequential([Dense(15, "sigmoid", input_dim=784), Dense(10)], seed=0)
    >>> net.count_params()
    11935
    """

    def __init__(self, layers, dtype="float32", seed=None, name: str = "sequential",
                 device: str = "cpu", weights=None):
        super().__init__(layers, dtype=dtype, seed=seed, name=name, device=device,
                         weights=weights)
        self.loss = None
        self.optimizer = None
        self.metrics: list = []
        self.history: History | None = None
        self.epoch = 0                   # epochs trained so far, across fit calls
        self.stop_training = False       # callbacks set it to stop after this epoch
        self.stop_reason: str | None = None
        self.tracer = None               # a glass-box Tracer, when attached
        self.meta: dict = {}             # what a model file carried beside weights

    # -- training ----------------------------------------------------------
    def compile(self, loss="mse", optimizer="sgd", metrics=None, **kwargs):
        """Choose the loss, the optimizer (name or object; keyword arguments
        go to a named optimizer's constructor) and the metrics for fit."""
        return step.compile(self, loss, optimizer, metrics, **kwargs)

    def fit(self, X, y, epochs: int = 1, batch_size: int = 32, validation_split=None,
            validation_data=None, shuffle: bool = True, callbacks=None, verbose=1,
            seed=None, class_weight=None, sample_weight=None,
            nan_policy: str = "raise", lr_schedule=None, diagnostics=None,
            checkpoint=None, checkpoint_every=None, resume: bool = False) -> History:
        """Train for ``epochs`` passes over (X, y); returns this call's History.

        X, y: inputs (n, *input_shape) and targets (labels or one-hot rows for
            categorical cross-entropy, (n, n_out) values otherwise).
        epochs, batch_size: passes over the data and rows per update.
        validation_split: a fraction of the rows held out (stratified for
            classifiers, recorded in ``history.validation_indices``), or
        validation_data: (X_val, y_val).
        shuffle: a new row order every epoch, drawn from ``seed``'s generator.
        callbacks: gn.callbacks objects (EarlyStopping, ModelCheckpoint, …).
        verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
        class_weight: 'balanced' or {class: weight}; sample_weight: one per row.
        nan_policy: on a non-finite loss or gradient, 'raise' (TrainingError),
            'stop' (end training, keep the last good weights) or 'warn' (skip
            that update).
        lr_schedule: η as a function of the epoch (gn.schedules).
        diagnostics: record the glass box's health numbers every N batches.
        checkpoint, checkpoint_every, resume: save the whole training state
            to a file at every epoch end (and every N batches); with
            ``resume=True`` continue bit for bit from it.

        Calling fit again continues training: epoch numbers carry on.
        """
        return loop.fit(self, X, y, epochs=epochs, batch_size=batch_size,
                        validation_split=validation_split,
                        validation_data=validation_data, shuffle=shuffle,
                        callbacks=callbacks, verbose=verbose, seed=seed,
                        class_weight=class_weight, sample_weight=sample_weight,
                        nan_policy=nan_policy, lr_schedule=lr_schedule,
                        diagnostics=diagnostics, checkpoint=checkpoint,
                        checkpoint_every=checkpoint_every, resume=resume)

    def train_step(self, X, y, sample_weight=None) -> float:
        """One update on one batch; returns the batch loss before the update."""
        return step.train_step(self, X, y, sample_weight)

    def evaluate(self, X, y, batch_size: int = 1024, sample_weight=None) -> dict:
        """{"loss": …, <metric>: …} over (X, y), in inference mode."""
        return step.evaluate(self, X, y, batch_size, sample_weight)

    def gradients(self, X, y, loss="half_sse") -> list[np.ndarray]:
        """dLoss/dθ for every parameter, in get_weights() order; weights unchanged.

        Runs in inference mode (dropout off), so the result is deterministic.
        """
        loss = self.compiled_loss() if loss is None else \
            losses.get(loss).on_device(self.xp)
        X, y = self.prepare(X, y, loss)
        self.loss_and_grads(X, y, loss, training=False)
        return [np.array(self.backend.to_host(g), copy=True)
                for _, _, g in self.parameters()]

    def to(self, device) -> Sequential:
        """Move the model, its loss and its optimizer state to ``device``
        ("cpu" or "cuda"); returns the model. Data passed to fit/predict stays
        NumPy either way."""
        super().to(device)
        if self.loss is not None:
            self.loss.on_device(self.xp)
        if self.optimizer is not None:
            self.optimizer.on_device(self.backend)
        return self

    def compiled_loss(self):
        if self.loss is None:
            raise ConfigError("no loss given and the model is not compiled: pass "
                              "loss='mse' (or another loss) or call compile() first.")
        return self.loss

    # -- the model's own training state (set only here) ---------------------
    def set_training_setup(self, loss, optimizer, metrics) -> None:
        self.loss, self.optimizer, self.metrics = loss, optimizer, metrics

    def begin_fit(self, history: History) -> None:
        self.history, self.stop_training, self.stop_reason = history, False, None

    def end_epoch(self, epoch: int) -> None:
        self.epoch = epoch + 1

    def request_stop(self, reason: str) -> None:
        """Stop after the current epoch, saying why (callbacks, NaN guard, Ctrl-C)."""
        self.stop_training, self.stop_reason = True, reason

    # -- prediction --------------------------------------------------------
    def predict_proba(self, X, batch_size: int = 1024) -> np.ndarray:
        """Class probabilities: softmax rows, or [1 − p, p] for one sigmoid unit."""
        p = self.predict(X, batch_size)                    # (B, C) or (B, T, C)
        act = self.output_activation()
        name = act.name if act is not None else "linear"
        if name == "sigmoid" and p.shape[-1] == 1:
            return np.concatenate([1.0 - p, p], axis=-1)
        if name == "linear" and self.loss is not None and self.loss.from_logits:
            if p.shape[-1] == 1:
                p = 1.0 / (1.0 + np.exp(-p))
                return np.concatenate([1.0 - p, p], axis=-1)
            p = np.exp(p - p.max(axis=-1, keepdims=True))
            return p / p.sum(axis=-1, keepdims=True)
        return p

    def predict_classes(self, X, batch_size: int = 1024) -> np.ndarray:
        """Predicted class index per sample (per step for sequence outputs):
        argmax, or p ≥ 0.5 for one unit."""
        return self.predict_proba(X, batch_size).argmax(axis=-1)

    # -- description and files ---------------------------------------------
    def summary(self, print_fn=print) -> str:
        """Keras-style table with each count's arithmetic and float32 memory."""
        text = summary_table(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def _repr_html_(self) -> str:
        """Jupyter shows the summary table, arithmetic included, as HTML."""
        return summary_html(self)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": str(self.dtype),
                "layers": [{"type": type(layer).__name__,
                            "config": layer.get_config()} for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict, seed=None, max_params: int | None = None,
                    device: str = "cpu", weights: list | None = None) -> Sequential:
        """Rebuild from get_config() via the closed ``LAYER_TYPES`` registry.

        ``max_params`` refuses (before allocating anything) an architecture with
        more parameters than that — a model file cannot ask for gigabytes.
        ``weights`` (get_weights() order) are compared with the shapes the
        architecture declares before any buffer is allocated, and then used
        instead of the initializers: the cost is that of the weights given.
        """
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError(expected("a config dict with a 'layers' list",
                                       type(config).__name__, "Use get_config()."))
        layers = [layer_from_config(entry) for entry in config["layers"]]
        if layers and layers[0].input_dim is not None and (
                max_params is not None or weights is not None):
            shapes = declared_shapes(layers)
            total = sum(math.prod(shape) for _, shape in shapes)
            if max_params is not None and total > max_params:
                raise ConfigError(expected(f"at most {max_params:,} parameters",
                                           f"an architecture with {total:,}",
                                           "The file's architecture and weights "
                                           "disagree."))
            if weights is not None:
                _check_weight_shapes(shapes, weights)
        return cls(layers, dtype=config.get("dtype", "float32"), seed=seed,
                   name=config.get("name", "sequential"), device=device,
                   weights=weights)

    def save(self, path, **kwargs) -> None:
        """Save architecture and weights (and ``self.meta``) to a safetensors
        model file, atomically; see ``glassnet.io.save_model`` for options."""
        save_model(self, path, **kwargs)

    def export_onnx(self, path, opset: int = 17, preprocessing=None):
        """Write this model as an ONNX graph whose output equals ``predict``
        (needs the ``onnx`` extra); ``preprocessing``: fitted scalers to put
        in front. Returns the onnx.ModelProto. See ``glassnet.export.onnx``."""
        return export_onnx(self, path, opset=opset, preprocessing=preprocessing)


def declared_shapes(layers) -> list[tuple[str, tuple[int, ...]]]:
    """(name, shape) of every weight the layers declare, in get_weights()
    order, from their shapes alone: nothing is allocated."""
    shape, out = layers[0].input_dim, []
    for i, layer in enumerate(layers):
        shape = layer.build(shape)
        for key, s in {**layer.param_shapes(), **layer.state_shapes()}.items():
            out.append((f"layer {i} ({type(layer).__name__}) {key}", tuple(s)))
    return out


def _check_weight_shapes(shapes: list, weights) -> None:
    if not isinstance(weights, list | tuple) or len(weights) != len(shapes):
        got = len(weights) if isinstance(weights, list | tuple) else \
            type(weights).__name__
        raise ShapeError(expected(f"{len(shapes)} weight arrays", got,
                                  "Pass the arrays of get_weights()."))
    for (name, shape), w in zip(shapes, weights, strict=True):
        if tuple(np.shape(w)) != shape:
            raise ShapeError(expected(f"{name} of shape {shape}",
                                      f"shape {tuple(np.shape(w))}",
                                      "The architecture and the weights disagree."))
