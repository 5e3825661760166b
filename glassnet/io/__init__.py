"""Saving and loading: crash-safe writes and a NumPy-only safetensors format.

Nothing here ever unpickles, imports or evaluates content from a file.
"""

from glassnet.errors import ModelFileError
from glassnet.io.atomic import atomic_open, atomic_write_bytes
from glassnet.io.model_file import ModelFile, load_model, read_model_file, save_model
from glassnet.io.safetensors_format import read_safetensors, write_safetensors

__all__ = [
    "ModelFile",
    "ModelFileError",
    "atomic_open",
    "atomic_write_bytes",
    "load_model",
    "read_model_file",
    "read_safetensors",
    "save_model",
    "write_safetensors",
]
