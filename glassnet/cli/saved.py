"""Open the model file a command names: a ``glassnet.io.ModelFile``, compiled.

The model file (``glassnet train`` writes it with ``ModelFile.save``) carries,
beside the architecture and weights, everything that turns raw data into the
model's inputs and its outputs back into answers:

    metadata   feature_spec    how CSV columns become X (FeatureSpec.to_dict())
               preprocessing   {"steps": [{"config": …, "tensors": {…}}]}
               class_names     output index → name
               data            where the training data came from
               training        the resolved configuration, loss, optimizer,
                               metrics, final results, the reproducing command
    tensors    preprocessing.<i>.<name>   e.g. the StandardScaler's mean, scale

Files saved from Python with ``net.save`` (no spec) get a numeric spec with
columns x1..xF, so ``glassnet predict`` still reads CSVs with F columns.
"""

from __future__ import annotations

import os

from glassnet import losses, optimizers
from glassnet.errors import GlassnetError, ModelFileError
from glassnet.files.regular import MAX_MODEL_BYTES
from glassnet.io import ModelFile, read_model_file


def open_model(path: str | os.PathLike[str]) -> ModelFile:
    """Read a model file (or the one in a run directory), compiled with the
    loss, optimizer and metrics it was trained with."""
    where = os.fspath(path)
    inside = os.path.join(where, "model.safetensors")
    if os.path.isdir(where) and os.path.isfile(inside):
        where = inside  # a run directory
    saved = read_model_file(where, max_bytes=MAX_MODEL_BYTES)
    if saved.spec is None:
        raise ModelFileError(f"{where} holds a model for sequences (input shape "
                             f"{saved.model.input_shape}); the glassnet command "
                             "reads rows of features. Use it from Python: "
                             "glassnet.io.read_model_file(path).predict(X).")
    _compile(saved)
    return saved


def _compile(saved: ModelFile) -> None:
    """Compile with the saved loss/optimizer, or sensible ones for the output."""
    model, training = saved.model, saved.info.get("training", {})
    act = model.output_activation()
    default = {"softmax": "categorical_crossentropy",
               "sigmoid": "binary_crossentropy"}.get(act.name if act else "", "mse")
    loss = training.get("loss") or {"name": default}
    metrics = training.get("metrics") or (
        ["accuracy"] if saved.task == "classification" else ["mae"])
    try:
        model.compile(losses.from_config(dict(loss)),
                      optimizers.from_config(dict(training.get("optimizer") or
                                                  {"name": "sgd"})),
                      metrics=list(metrics))
    except (GlassnetError, TypeError, ValueError) as exc:
        raise ModelFileError(f"the saved training settings cannot be used ({exc}). "
                             "Re-save the model with this glassnet.") from None
