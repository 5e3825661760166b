"""Export a glassnet model to ONNX (needs the ``onnx`` extra).

    model.export_onnx("model.onnx")                  # Sequential.export_onnx
    glassnet export runs/mine model.onnx --fold-scaler

The graph computes ``model.predict``: one input "input" (batch, *input_shape)
and one output "output", float32, the batch axis (and a sequence's time axis
when the model leaves it open) dynamic. Each layer becomes the ONNX ops of its
converter (``converters.CONVERTERS``); a layer without one, or a setting ONNX
cannot express (masking), raises ConfigError naming the layer. Fitted
scalers (StandardScaler, MinMaxScaler) given as ``preprocessing`` become the
graph's first nodes, so it takes raw features. Every export passes
``onnx.checker.check_model(full_check=True)`` before it is written
(atomically).
"""

from __future__ import annotations

import os

import numpy as np

from glassnet.errors import ConfigError, expected
from glassnet.export.converters import CONVERTERS
from glassnet.export.graph import Graph
from glassnet.files.atomic import atomic_write_bytes

MIN_OPSET = 13                   # Softmax over one axis, Squeeze's axes input


def export_onnx(model, path: str | os.PathLike[str] | None = None, opset: int = 17,
                preprocessing: list | None = None):
    """Build, check and (when ``path`` is given) write the ONNX graph of
    ``model``; returns the ``onnx.ModelProto``."""
    try:
        import onnx  # optional: the `onnx` extra (onnx, onnxruntime)
    except ImportError:
        raise ConfigError("ONNX export needs the onnx package: "
                          "pip install 'glassnet[onnx]'.") from None
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) \
            or not MIN_OPSET <= opset <= newest:
        raise ConfigError(expected(f"opset in {MIN_OPSET}..{newest}", repr(opset),
                                   "Pass e.g. opset=17."))
    g = Graph(onnx)
    x = "input"
    for step in preprocessing or []:
        x = _scaler(g, step, x)
    for i, layer in enumerate(model.layers):
        convert = CONVERTERS.get(type(layer).__name__)
        if convert is None:
            raise ConfigError(expected(
                f"layers the ONNX exporter can express ({', '.join(CONVERTERS)})",
                f"layer {i} '{layer.name}' of type {type(layer).__name__}",
                "Export a model without it, or run this model with glassnet."))
        g.prefix = layer.name
        x = convert(g, layer, x)
    g.prefix = ""
    proto = _model(onnx, g, x, model, opset)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        atomic_write_bytes(path, proto.SerializeToString())
    return proto


def _model(onnx, g: Graph, x: str, model, opset: int):
    """Inputs, the output (an Identity named "output"), opset and IR version."""
    helper, f32 = onnx.helper, onnx.TensorProto.FLOAT
    g.op("Identity", [x], output="output")
    dims = ["batch"] + [d if d is not None else "time" for d in model.input_shape]
    out_dims = ["batch"] + [d if d is not None else "time"
                            for d in model.output_shape]
    graph = helper.make_graph(
        g.nodes, model.name or "glassnet",
        [helper.make_tensor_value_info("input", f32, dims)],
        [helper.make_tensor_value_info("output", f32, out_dims)],
        initializer=g.initializers)
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(graph, opset_imports=opsets,
                              producer_name="glassnet",
                              ir_version=helper.find_min_ir_version_for(opsets))
    proto.doc_string = "exported by glassnet: outputs equal model.predict"
    return proto


def _scaler(g: Graph, step, x: str) -> str:
    """A fitted scaler as the graph's first nodes (its saved statistics):

        StandardScaler  x' = (x − μ) / σ
        MinMaxScaler    x' = (x − min) · s + lo,  s = (hi − lo) / (max − min)
    """
    config, arrays = step.to_dict()
    kind = config.get("class")
    g.prefix = kind
    if kind == "StandardScaler":
        return g.op("Div", [g.op("Sub", [x, g.const("mean", arrays["mean"])]),
                            g.const("scale", arrays["scale"])])
    if kind == "MinMaxScaler":
        shifted = g.op("Sub", [x, g.const("data_min", arrays["data_min"])])
        scaled = g.op("Mul", [shifted, g.const("scale", np.asarray(step.scale_))])
        return g.op("Add", [scaled, g.const("low", config["feature_range"][0])])
    raise ConfigError(expected("preprocessing of StandardScaler or MinMaxScaler "
                               "steps", kind, "Apply other steps before the "
                               "graph, or export without folding them in."))
