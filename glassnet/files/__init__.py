"""File formats that know nothing of the model: atomic writes, safetensors,
strict JSON, the model-file and checkpoint layouts."""
