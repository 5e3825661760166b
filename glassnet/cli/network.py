"""The network ``glassnet train`` builds from its options: convolution blocks
(--conv, images only), hidden Dense layers, the output layer and loss the
target asks for, a Rescale(μ, σ) for regression targets; and the one-line
description of it printed before training.
"""

from __future__ import annotations

from glassnet import losses as loss_mod
from glassnet.errors import ConfigError
from glassnet.layers import Conv2D, Dense, Flatten, MaxPool2D, Rescale, Reshape
from glassnet.model import Sequential

CLASSIFICATION_LOSSES = ("categorical_crossentropy", "binary_crossentropy")
REGRESSION_LOSSES = ("mse", "mae", "huber", "half_sse")


def build_model(cfg, data, train_rows=None) -> tuple[Sequential, loss_mod.Loss]:
    """Convolution blocks (--conv, images only), hidden Dense layers, then the
    output layer the loss asks for; for a regression, Rescale(μ, σ) of the
    training targets after it (unless --no-standardize-target), so training
    sees standardised targets."""
    loss = _resolve_loss(cfg.loss, data)
    n_in = data.n_features
    layers = conv_blocks(cfg, data)
    for units in cfg.layers:
        layers.append(Dense(units, cfg.activation,
                            input_dim=None if layers else n_in))
    if loss.name == "categorical_crossentropy":
        units, act = data.n_classes, "softmax"
    elif loss.name == "binary_crossentropy":
        units, act = 1, "sigmoid"
    else:
        units, act = data.y.shape[1], "linear"
    layers.append(Dense(units, act, input_dim=None if layers else n_in))
    if data.task != "classification" and cfg.standardize_target:
        rows = slice(None) if train_rows is None else train_rows
        layers.append(Rescale.fit(data.y[rows]))         # ŷ = z σ + μ
    model = Sequential(layers, seed=cfg.seed)
    metrics = ["accuracy"] if data.task == "classification" else ["mae", "r2"]
    model.compile(loss, cfg.optimizer, metrics=metrics, learning_rate=cfg.lr)
    return model, loss


def conv_blocks(cfg, data) -> list:
    """Rows of pixels → images → Conv2D(F, 3×3) → MaxPool2D(2) per --conv
    entry → Flatten; nothing without --conv."""
    if not cfg.conv:
        return []
    if data.image_shape is None:
        raise ConfigError(f"--conv needs image data (mnist, fashion-mnist, shapes), "
                          f"and {data.name or cfg.data!r} is a table of "
                          f"{data.n_features} features. Drop --conv, or train on "
                          "images.")
    layers = [Reshape(data.image_shape, input_dim=data.n_features)]
    for filters in cfg.conv:
        layers += [Conv2D(filters, 3, activation=cfg.activation), MaxPool2D(2)]
    return layers + [Flatten()]


def _resolve_loss(name: str, data) -> loss_mod.Loss:
    classify = data.task == "classification"
    if name == "auto":
        return loss_mod.get("categorical_crossentropy" if classify else "mse")
    loss = loss_mod.get(name)
    allowed = CLASSIFICATION_LOSSES if classify else REGRESSION_LOSSES
    if loss.name not in allowed:
        what = f"{data.n_classes} classes" if classify else "numbers (regression)"
        raise ConfigError(f"--loss {name} does not fit a target of {what}. Use "
                          f"one of {', '.join(allowed)}, or --loss auto.")
    if loss.name == "binary_crossentropy" and data.n_classes != 2:
        raise ConfigError(f"--loss binary_crossentropy needs 2 classes, the target "
                          f"has {data.n_classes}. Use categorical_crossentropy.")
    return loss


def _arch(model) -> str:
    parts = [str(model.input_shape[0])]
    for layer in model.layers:
        act = getattr(layer, "activation", None)
        if isinstance(layer, Rescale):
            parts.append("× σ + μ (targets' units)")
            continue
        size = getattr(layer, "units", None) or getattr(layer, "filters", None)
        if isinstance(layer, Conv2D):
            parts.append(f"Conv2D {size}×{'×'.join(map(str, layer.kernel_size))}"
                         f" {act.name}")
        elif isinstance(layer, Reshape | MaxPool2D):
            parts.append("×".join(map(str, layer.output_shape)))
        else:
            parts.append(f"{size} {act.name}" if act is not None and size else
                         type(layer).__name__)
    return " → ".join(parts)
