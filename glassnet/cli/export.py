"""``glassnet export MODEL OUT.onnx``: the model as an ONNX graph.

MODEL is a model file or a run directory (its model.safetensors). The graph
expects the network's inputs; with ``--fold-scaler`` the file's saved
scalers become its first nodes and it takes raw feature columns instead.
"""

from __future__ import annotations

import os

from glassnet.errors import ModelFileError
from glassnet.io import read_model_file


def run(args) -> int:
    where = os.fspath(args.model)
    inside = os.path.join(where, "model.safetensors")
    if os.path.isdir(where):
        if not os.path.isfile(inside):
            raise ModelFileError(f"{where} is a directory without model.safetensors;"
                                 " pass a model file or a run directory.")
        where = inside
    saved = read_model_file(where)
    steps = list(saved.preprocessing)
    saved.model.export_onnx(args.output, opset=args.opset,
                            preprocessing=steps if args.fold_scaler else None)
    names = ", ".join(type(s).__name__ for s in steps)
    print(f"wrote {args.output} (opset {args.opset}): input 'input' "
          f"(batch, {', '.join(str(d) for d in saved.model.input_shape)}), "
          f"output 'output' (batch, "
          f"{', '.join(str(d) for d in saved.model.output_shape)})")
    if steps and args.fold_scaler:
        print(f"the graph applies the saved {names} first: feed raw features")
    elif steps:
        print(f"note: {where} carries {names}; the graph expects transformed "
              "inputs (add --fold-scaler to put it in the graph)")
    return 0
