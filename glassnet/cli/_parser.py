"""The argument parser of the ``glassnet`` command (argparse, one subparser each)."""

from __future__ import annotations

import argparse

import glassnet
from glassnet.cli.datasets import IMAGE_SETS
from glassnet.data import builtin_names
from glassnet.demos import DEMOS


class UsageError(Exception):
    """Bad command-line syntax; main() prints it as one line and exits 2."""

    def __init__(self, prog: str, message: str):
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage + exit 2
        raise UsageError(self.prog, message)


DEMO_NAMES = tuple(DEMOS)

EPILOG = """examples:
  glassnet train circles --layers 16 --epochs 40 --seed 0 --output runs/demo
  glassnet train data.csv --target label --layers 64,32 --epochs 40 --output runs/mine
  glassnet train mnist --conv 32,64 --layers 128 --epochs 3 --batch-size 128 --lr 0.001
  glassnet evaluate runs/mine/model.safetensors test.csv
  glassnet predict runs/mine/model.safetensors new.csv --output predictions.csv
  glassnet summary runs/mine/model.safetensors

add --debug to any command to see the full traceback of an error."""


def build_parser() -> Parser:
    p = Parser(prog="glassnet", description="Train, inspect and use glassnet "
               "neural networks from the command line.", epilog=EPILOG,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true",
                   help="show the full traceback when something goes wrong")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _train(sub)
    _evaluate(sub)
    _predict(sub)
    s = sub.add_parser("summary", help="layers, parameters and what a model file "
                       "holds")
    s.add_argument("model", metavar="MODEL", help="a .safetensors model file")
    _explain(sub)
    _export(sub)
    s = sub.add_parser("demo", help="run a guided demo (e.g. backprop)")
    s.add_argument("name", metavar="NAME", help="the demo to run: "
                   + ", ".join(DEMO_NAMES))
    s.add_argument("--fast", action="store_true", help="train less (quick look)")
    s.add_argument("--plot", metavar="FILE.png", help="also draw the demo's "
                   "picture (optimizers: the arena's loss curves, with the curves "
                   "as FILE.json; activations: each function and its derivative)")
    s = sub.add_parser("plot", help="draw the plots of a training run again",
                       description="RUN is a run directory from glassnet train, a "
                       "JSON file {optimizer: [losses]} (arena plot), or the word "
                       "'activations'.")
    s.add_argument("run", metavar="RUN")
    s.add_argument("--output", metavar="DIR", help="where to write the PNG files "
                   "(default: RUN/plots)")
    s.add_argument("--data", metavar="DATA", help="the training CSV (or built-in "
                   "dataset) to draw the data points of; without it only a "
                   "built-in dataset named in the model file is used")
    _playground(sub)
    _search(sub)
    return p


def _playground(sub) -> None:
    s = sub.add_parser("playground", help="a web page where a network learns in "
                       "front of you, every number clickable",
                       description="Serve the playground page on this machine "
                       "(standard library only, works offline) until Ctrl-C.")
    s.add_argument("--port", type=int, default=8765, metavar="N",
                   help="port to serve on (default 8765; 0: any free port)")
    s.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                   help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--no-open", dest="no_open", action="store_true",
                   help="do not open a browser; just print the URL")


def _version() -> str:
    return f"glassnet {glassnet.__version__}"


def _train(sub) -> None:
    s = sub.add_parser(
        "train", help="train a network on a built-in dataset or a CSV file",
        description="Train a network and save the model, history, plots and a "
        "report. Options override the --config file, which overrides the defaults. "
        f"Built-in datasets: {', '.join(builtin_names())}; image sets (use "
        f"--conv): {', '.join(IMAGE_SETS)}.")
    s.add_argument("data", metavar="DATA", nargs="?", default=None,
                   help="a built-in dataset name or a CSV file")
    s.add_argument("--config", metavar="FILE.toml", help="read settings from a TOML "
                   "file (keys = the option names)")
    _target(s)
    s.add_argument("--layers", metavar="SIZES", help="hidden layer sizes, e.g. "
                   "128,64 (default 16; 'none' for no hidden layer)")
    s.add_argument("--conv", metavar="FILTERS", help="image data (mnist, "
                   "fashion-mnist, shapes): convolution blocks before --layers, "
                   "e.g. 32,64 = Conv2D(32, 3×3) → MaxPool2D(2) → Conv2D(64, 3×3) "
                   "→ MaxPool2D(2) (default: none)")
    s.add_argument("--activation", metavar="NAME", help="hidden activation: relu, "
                   "tanh, sigmoid, … (default relu)")
    s.add_argument("--loss", metavar="NAME", help="auto, categorical_crossentropy, "
                   "binary_crossentropy, mse, mae, huber (default auto)")
    s.add_argument("--optimizer", metavar="NAME", help="sgd, momentum, nesterov, "
                   "adagrad, rmsprop, adam, adamw (default adam)")
    s.add_argument("--lr", type=float, metavar="RATE", help="learning rate "
                   "(default 0.01)")
    s.add_argument("--epochs", type=int, metavar="N", help="passes over the "
                   "training rows (default 20)")
    s.add_argument("--batch-size", dest="batch_size", type=int, metavar="N",
                   help="rows per update (default 32)")
    s.add_argument("--validation-split", dest="validation_split", type=float,
                   metavar="FRACTION", help="share of rows held out to validate "
                   "(default 0.2; 0 for none)")
    s.add_argument("--early-stopping", dest="early_stopping", type=int,
                   metavar="PATIENCE", help="stop after PATIENCE epochs without a "
                   "better validation loss, keeping the best weights (default 0: off)")
    s.add_argument("--seed", type=int, metavar="N", help="seed for the data, split, "
                   "initial weights and shuffling (default 0)")
    _scaling(s)
    _csv_cells(s, one_hot={"action": "store_const", "const": True})
    s.add_argument("--output", metavar="DIR", help="run directory (default "
                   "runs/<data name>)")
    s.add_argument("--checkpoint", action="store_const", const=True,
                   help="save DIR/checkpoint.safetensors after every epoch")
    s.add_argument("--checkpoint-every", dest="checkpoint_every", type=int,
                   metavar="N", help="also checkpoint every N batches")
    s.add_argument("--resume", action="store_true", help="continue from "
                   "DIR/checkpoint.safetensors if it exists (same options)")
    s.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    s.add_argument("--no-plots", dest="no_plots", action="store_true",
                   help="skip the PNG plots")


def _scaling(s) -> None:
    """--standardize / --standardize-target and their opposites."""
    g = s.add_mutually_exclusive_group()
    g.add_argument("--standardize", dest="standardize", action="store_const",
                   const=True, help="standardise features (default for CSV files)")
    g.add_argument("--no-standardize", dest="standardize", action="store_const",
                   const=False, help="use the features as they are (default for "
                   "built-in datasets)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--standardize-target", dest="standardize_target",
                   action="store_const", const=True, help="regression: train on "
                   "standardised targets (y − μ)/σ and end the model with "
                   "Rescale(μ, σ), so it predicts in the target's units (default)")
    g.add_argument("--no-standardize-target", dest="standardize_target",
                   action="store_const", const=False, help="regression: train on "
                   "the targets as they are")


def _target(s) -> None:
    """--target of train and search."""
    s.add_argument("--target", metavar="COLUMN", help="CSV column to predict "
                   "(default: the last column)")


def _csv_cells(s, one_hot: dict) -> None:
    """--one-hot and --missing of train and search. ``one_hot`` is the flag's
    action: train's stays None when absent so a --config file can set it."""
    s.add_argument("--one-hot", dest="one_hot", **one_hot,
                   help="one-hot encode non-numeric CSV feature columns")
    s.add_argument("--missing", metavar="POLICY", help="missing CSV cells: error, "
                   "drop, mean, median, most_frequent (default error)")


def _evaluate(sub) -> None:
    s = sub.add_parser("evaluate", help="loss, metrics and confusion matrix of a "
                       "model on labelled data")
    s.add_argument("model", metavar="MODEL", help="a .safetensors model file")
    s.add_argument("data", metavar="DATA", help="a CSV file with the target column, "
                   "or a built-in dataset name")
    s.add_argument("--target", metavar="COLUMN", help="target column (default: the "
                   "one the model was trained on)")
    s.add_argument("--seed", type=int, default=1, metavar="N", help="seed of a "
                   "built-in dataset (default 1: fresh samples)")
    s.add_argument("--plot", metavar="FILE.png", help="also draw the confusion "
                   "matrix")


def _predict(sub) -> None:
    s = sub.add_parser("predict", help="predictions (and class probabilities) as "
                       "CSV")
    s.add_argument("model", metavar="MODEL", help="a .safetensors model file")
    s.add_argument("data", metavar="DATA", help="a CSV file with the feature "
                   "columns of training, or a built-in dataset name")
    s.add_argument("--output", metavar="FILE.csv", help="write here (default: "
                   "standard output)")
    s.add_argument("--target", metavar="COLUMN", help="a column to leave out "
                   "(for model files saved from Python, which use the columns in "
                   "order)")
    s.add_argument("--seed", type=int, default=1, metavar="N",
                   help="seed of a built-in dataset (default 1)")
    s.add_argument("--unknown", choices=("error", "ignore"), default="error",
                   help="a category not seen in training: error (default), or "
                   "ignore (all its one-hot columns 0, and a count on stderr)")


def _export(sub) -> None:
    s = sub.add_parser("export", help="write a model as an ONNX graph",
                       description="Write MODEL (a model file or a run directory) "
                       "as an ONNX graph whose output equals glassnet's "
                       "predictions. Needs the onnx extra.")
    s.add_argument("model", metavar="MODEL", help="a .safetensors model file or a "
                   "run directory")
    s.add_argument("output", metavar="OUT.onnx", help="where to write the graph")
    s.add_argument("--opset", type=int, default=17, metavar="N",
                   help="ONNX opset version (default 17)")
    s.add_argument("--fold-scaler", action="store_true", help="put the file's "
                   "saved scaler in front of the graph, so it takes raw features")


def _explain(sub) -> None:
    s = sub.add_parser("explain", help="the chain-rule receipts of one prediction")
    s.add_argument("model", metavar="MODEL", help="a .safetensors model file")
    s.add_argument("data", metavar="DATA", nargs="?", help="CSV file or built-in "
                   "dataset (default: the training data of a built-in run)")
    s.add_argument("--row", type=int, default=0, metavar="N", help="which row "
                   "(default 0)")
    s.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed of a built-in dataset (default 0)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--neuron", metavar="LAYER,UNIT", help="explain this unit's "
                   "output, e.g. 1,0 (default: the predicted output unit)")
    g.add_argument("--weight", metavar="LAYER,W,I,J", help="explain ∂E/∂w for "
                   "W[I, J] of layer LAYER (or LAYER,b,J), e.g. 0,W,1,3; for a "
                   "Conv2D layer LAYER,kernel,I,J,C,F or LAYER,bias,F")
    s.add_argument("--update", action="store_true", help="with --weight: also the "
                   "optimizer's update of that weight")


def _search(sub) -> None:
    s = sub.add_parser(
        "search", help="score every configuration of a grid by k-fold "
        "cross-validation (locally or on a Dask cluster)",
        description="Train every combination of the grid's option values on k-1 "
        "folds and score it on the held-out fold, k times; write DIR/results.csv, "
        "DIR/best.safetensors (the best configuration refit on every row) and "
        "DIR/report.md. GRID is a TOML or JSON file mapping glassnet train options "
        "to lists of values, e.g. lr = [0.01, 0.1] and layers = [16, \"32,16\"].")
    s.add_argument("data", metavar="DATA", help="a built-in dataset name or a CSV "
                   "file")
    _target(s)
    s.add_argument("--grid", metavar="GRID", required=True, help="the grid file "
                   "(.toml or .json)")
    s.add_argument("--cv", type=int, default=5, metavar="K", help="number of folds "
                   "(stratified for classification; default 5)")
    s.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the "
                   "data, the folds, the initial weights and the shuffling (default 0)")
    s.add_argument("--output", metavar="DIR", help="where to write the results "
                   "(default runs/search-<data name>)")
    s.add_argument("--n-jobs", dest="n_jobs", type=int, default=1, metavar="N",
                   help="local processes (joblib; -1: one per core; default 1)")
    s.add_argument("--scheduler", metavar="ADDRESS", help="run the tasks on the "
                   "Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)")
    _csv_cells(s, one_hot={"action": "store_true"})
    s.add_argument("--quiet", action="store_true", help="no progress output")
    s.add_argument("--no-plots", dest="no_plots", action="store_true",
                   help="skip the plot in the report")
