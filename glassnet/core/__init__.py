"""The engine: the layer contract, Dense and friends, activations, losses,
initializers, optimizers and the Sequential model."""
