"""Names for the numbers in a receipt, after the seed texts.

For the 2-2-2 network of the backpropagation seed (Mazur's worked example):

    inputs i1, i2 → hidden h1, h2 → outputs o1, o2
    net_h1 = w1·i1 + w2·i2 + b1     out_h1 = σ(net_h1)
    weights numbered w1, w2, … by the unit they feed, then by their source

glassnet stores W as (n_in, n_out), so ``layers[l].W[i, j]`` is the weight
from input i to unit j, and the seeds' w5 is ``layers[1].W[0, 0]``.
Networks with more than ``number_up_to`` weights are named by position
instead (``layers[1].W[3, 7]``): w11761 would tell nobody anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from glassnet.core.dense import Dense
from glassnet.core.simple import Dropout, Flatten
from glassnet.errors import ConfigError, expected


@dataclass
class Notation:
    """How a receipt names inputs, units, the loss and targets.

    The seed-000 neuron reads ``Notation(inputs="X", hidden="a", output="O")``;
    the backpropagation seed reads ``Notation(inputs="i", loss="E_total")``.
    """

    inputs: str = "x"
    hidden: str = "h"
    output: str = "o"
    loss: str = "E"
    target: str = "y"
    number_up_to: int = 100


class Names:
    """Resolves (layer index, unit) and (layer, parameter, index) to names."""

    def __init__(self, model, notation: Notation | None = None):
        self.n = notation or Notation()
        self.dense = dense_positions(model)          # model indices of Dense layers
        self.pos = {l: k for k, l in enumerate(self.dense)}
        self.layers = model.layers
        n_weights = sum(model.layers[l].W.size for l in self.dense)
        self.numbered = n_weights <= self.n.number_up_to
        self._w_off, self._b_off, wo, bo = {}, {}, 0, 0
        for l in self.dense:
            self._w_off[l], self._b_off[l] = wo, bo
            wo += model.layers[l].W.size
            bo += model.layers[l].units

    @property
    def E(self) -> str:
        return self.n.loss

    def is_output(self, l: int) -> bool:
        return l == self.dense[-1]

    def unit(self, l: int, j: int) -> str:
        """'h1', 'h2.3' (second of several hidden layers, unit 3) or 'o1'."""
        if self.is_output(l):
            single = self.layers[l].units == 1
            return self.n.output if single else f"{self.n.output}{j + 1}"
        k = self.pos[l]
        if len(self.dense) == 2:
            return f"{self.n.hidden}{j + 1}"
        return f"{self.n.hidden}{k + 1}.{j + 1}"

    def net(self, l: int, j: int) -> str:
        return f"net_{self.unit(l, j)}"

    def out(self, l: int, j: int) -> str:
        return f"out_{self.unit(l, j)}"

    def source(self, l: int, i: int) -> str:
        """What feeds input i of Dense layer l: an input xᵢ or out_ of a unit."""
        k = self.pos[l]
        if k == 0:
            return f"{self.n.inputs}{i + 1}"
        return self.out(self.dense[k - 1], i)

    def weight(self, l: int, i: int, j: int) -> str:
        if self.numbered:
            n_in = self.layers[l].W.shape[0]
            return f"w{self._w_off[l] + j * n_in + i + 1}"
        return f"layers[{l}].W[{i},{j}]"

    def bias(self, l: int, j: int) -> str:
        if self.numbered:
            return f"b{self._b_off[l] + j + 1}"
        return f"layers[{l}].b[{j}]"

    def target(self, j: int) -> str:
        return f"{self.n.target}_{self.unit(self.dense[-1], j)}"

    def next_dense(self, l: int) -> int:
        return self.dense[self.pos[l] + 1]


def dense_positions(model) -> list[int]:
    """Model indices of the Dense layers; other layers must be see-through."""
    out = []
    for l, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            out.append(l)
        elif isinstance(layer, Dropout) or (isinstance(layer, Flatten) and l == 0):
            continue  # identity in inference mode / a reshape of the input
        elif getattr(layer, "scales_targets", False) and l == len(model.layers) - 1:
            continue  # Rescale: the loss is on the Dense output before it
        else:
            raise ConfigError(expected(
                "a model of Dense layers (Dropout, a leading Flatten and a final "
                "Rescale allowed) "
                "for a receipt", f"{type(layer).__name__} at position {l}",
                "Use Dense(units, activation=...) instead of a separate "
                "Activation layer, or trace the model with gn.trace()."))
    return out
