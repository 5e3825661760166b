"""The glass box: look inside a network while it computes and learns.

- ``trace`` / ``tracing``: every array of a training step, by name.
- ``explain``: chain-rule receipts for a neuron, a gradient, an update.
- ``DiagnosticsRecorder`` / ``diagnose``: health numbers during fit and the
  warnings (with fixes) they lead to.
- ``doctor``: problems in a dataset before training.
- ``find_lr``: the learning-rate range test.
"""

from glassnet.glassbox.formatting import Finding, Report
from glassnet.glassbox.notation import Notation
from glassnet.glassbox.receipts import Receipt, explain
from glassnet.glassbox.trace import Trace, Tracer, trace, tracing

__all__ = ["Finding", "Notation", "Receipt", "Report", "Trace", "Tracer",
           "explain", "trace", "tracing"]
