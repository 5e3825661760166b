"""``glassnet summary MODEL``: layers, parameters and what the file holds."""

from __future__ import annotations

from glassnet.cli.saved import open_model
from glassnet.io import read_safetensors


def run(args) -> int:
    saved = open_model(args.model)
    _, meta = read_safetensors(saved.path)
    info, spec = saved.info, saved.spec
    saved.model.summary()
    print(f"\nfile        {saved.path}")
    print(f"format      {info.get('format')} v{info.get('format_version')}, written "
          f"by glassnet {info.get('library_version', '?')}")
    print(f"sha256      {meta.get('glassnet.sha256', '?')}")
    names = spec.feature_names
    print(f"features    {', '.join(names[:12])}"
          + (f", … ({len(names)} in all)" if len(names) > 12 else ""))
    if spec.target:
        print(f"target      {spec.target} ({spec.task})")
    if saved.class_names:
        print(f"classes     {', '.join(saved.class_names)}")
    for step in saved.preprocessing:
        config, arrays = step.to_dict()
        stats = "  ".join(f"{k}=[{', '.join(f'{x:.4g}' for x in v[:6])}"
                          f"{', …' if len(v) > 6 else ''}]" for k, v in arrays.items())
        print(f"preprocess  {config.get('class')}  {stats}")
    training = info.get("training", {})
    if training.get("command"):
        print(f"trained by  {training['command']}")
    for split, values in training.get("results", {}).items():
        print(f"{split:<11} " + "  ".join(f"{k} {v:.4f}" for k, v in values.items()))
    return 0
