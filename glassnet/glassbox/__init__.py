"""The glass box: look inside a network while it computes and learns.

- ``trace`` / ``tracing``: every array of a training step, by name.
- ``explain``: chain-rule receipts for a neuron, a gradient, an update.
- ``DiagnosticsRecorder`` / ``diagnose``: health numbers recorded during fit
  (``fit(diagnostics=N)``) and the warnings, with fixes, they lead to.
- ``doctor``: problems in a dataset before training.
- ``find_lr``: the learning-rate range test.
"""

from glassnet.glassbox.diagnostics import DiagnosticsRecorder, diagnose
from glassnet.glassbox.doctor import doctor
from glassnet.glassbox.formatting import Finding, Report
from glassnet.glassbox.lr_finder import LRFinderResult, find_lr
from glassnet.glassbox.notation import Notation
from glassnet.glassbox.receipts import Receipt, explain
from glassnet.glassbox.trace import Trace, Tracer, trace, tracing

__all__ = ["DiagnosticsRecorder", "Finding", "LRFinderResult", "Notation", "Receipt",
           "Report", "Trace", "Tracer", "diagnose", "doctor", "explain", "find_lr",
           "trace", "tracing"]
