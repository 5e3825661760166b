"""Saving and loading models: crash-safe writes and a NumPy-only safetensors format.

Nothing here ever unpickles, imports or evaluates content from a file. The
file formats themselves live in ``glassnet.files`` (which knows nothing of
the model); this package turns them into models.
"""

from glassnet.errors import ModelFileError
from glassnet.files.atomic import atomic_open, atomic_write_bytes
from glassnet.files.checkpoint import read_checkpoint
from glassnet.files.model_format import save_model
from glassnet.files.safetensors import read_safetensors, write_safetensors
from glassnet.io.model_file import ModelFile, load_model, read_model_file

__all__ = [
    "ModelFile",
    "ModelFileError",
    "atomic_open",
    "atomic_write_bytes",
    "load_model",
    "read_checkpoint",
    "read_model_file",
    "read_safetensors",
    "save_model",
    "write_safetensors",
]
