"""Demos of the seed texts: each tells its story with the real numbers.

    >>> import glassnet as gn
    >>> gn.demos.run("backprop")          # or, in a shell: glassnet demo backprop

Every demo is a module here with ``run(fast=False, print_fn=print) -> dict``:
it prints its narration through ``print_fn`` and returns the key numbers
(``fast=True`` trains less, for tests). ``DEMOS`` maps each name to its
``run`` function.
"""

from __future__ import annotations

from glassnet.demos import (
    activations,
    backprop,
    chars,
    circles,
    cnn,
    line,
    mnist,
    neuron,
    optimizers,
    overfitting,
    perceptron,
    rnn,
    seven_segment,
    vanishing,
)
from glassnet.errors import ConfigError, expected

DEMOS = {
    "backprop": backprop.run,          # seed 002: the 2-2-2 network by hand
    "neuron": neuron.run,              # seed 000: weighted sum, bias, activation
    "perceptron": perceptron.run,      # AND and OR learned, XOR impossible
    "line": line.run,                  # y = mx + b by gradient descent
    "seven-segment": seven_segment.run,  # seed 000: 7 segments → digit
    "circles": circles.run,            # linear vs one hidden layer
    "mnist": mnist.run,                # seed 001: 784-15-10, 11,935 parameters
    "activations": activations.run,    # each activation and its derivative
    "vanishing": vanishing.run,        # sigmoid gradients fade, ReLU's do not
    "overfitting": overfitting.run,    # a big net memorises the noise
    "optimizers": optimizers.run,      # SGD … Adam from the same start
}
DEMOS["rnn"] = rnn.run                 # SimpleRNN forgets where LSTM remembers
DEMOS["cnn"] = cnn.run                 # what a convolution filter detects
DEMOS["chars"] = chars.run             # a character-level model writes verse


def run(name: str, fast: bool = False, print_fn=print) -> dict:
    """Run the demo ``name`` (see ``DEMOS``); returns its key numbers."""
    key = str(name).strip().lower().replace("_", "-")
    if key not in DEMOS:
        raise ConfigError(expected(f"a demo name, one of {sorted(DEMOS)}",
                                   repr(name), "Pass e.g. run('backprop')."))
    return DEMOS[key](fast=fast, print_fn=print_fn)


__all__ = ["DEMOS", "run"]
