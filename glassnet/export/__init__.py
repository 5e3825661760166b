"""Export trained models to other runtimes: ONNX (``onnx.py``, the ``onnx``
extra). The exporters read a model's layers and weights; they never import
the model module, and the optional packages are imported only when an export
runs.

    onnx.py        export_onnx(model, path, opset=17, preprocessing=None)
    converters.py  one converter per layer type (CONVERTERS)
    activations.py the activations f(z) as ONNX ops (ACTIVATIONS)
    images.py      Conv2D / MaxPool2D / AvgPool2D / GlobalAvgPool2D (NHWC
                   tensors around ONNX's NCHW ops)
    recurrent.py   SimpleRNN / LSTM / GRU as ONNX's RNN / LSTM / GRU
    graph.py       the graph being built (nodes, weights, names)
"""

from glassnet.export.converters import ACTIVATIONS, CONVERTERS
from glassnet.export.onnx import export_onnx

__all__ = ["ACTIVATIONS", "CONVERTERS", "export_onnx"]
