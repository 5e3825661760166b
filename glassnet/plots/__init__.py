"""Plots of training runs and models, saved as PNG files (matplotlib, headless).

Every function takes what it draws and a ``path``, writes the PNG and returns
the path; without a path it returns the matplotlib figure, which Jupyter
draws inline. Matplotlib is imported only when a plot is drawn.
"""

from glassnet.plots.conv import (
    conv_layers,
    feature_maps,
    plot_feature_maps,
    plot_filters,
)
from glassnet.plots.curves import plot_confusion_matrix, plot_history, plot_optimizers
from glassnet.plots.functions import plot_activations
from glassnet.plots.model import (
    plot_decision_boundary,
    plot_network,
    plot_weight_histograms,
)
from glassnet.plots.search import plot_search

__all__ = [
    "conv_layers",
    "feature_maps",
    "plot_feature_maps",
    "plot_filters",
    "plot_activations",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_history",
    "plot_network",
    "plot_optimizers",
    "plot_search",
    "plot_weight_histograms",
]
