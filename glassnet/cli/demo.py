"""``glassnet demo NAME``: a guided demo (``glassnet.demos``), optionally drawn."""

from __future__ import annotations

import json
from pathlib import Path

from glassnet import demos, plots
from glassnet.errors import ConfigError
from glassnet.files.atomic import atomic_write_bytes

PLOTTED_DEMOS = ("optimizers", "activations")


def run(args) -> int:
    key = args.name.strip().lower().replace("_", "-")
    if key not in demos.DEMOS:
        raise ConfigError(f"there is no demo {args.name!r}. Choose one of: "
                          f"{', '.join(demos.DEMOS)}.")
    if args.plot and key not in PLOTTED_DEMOS:
        raise ConfigError(f"demo {key!r} has no plot; --plot works with "
                          f"{' and '.join(PLOTTED_DEMOS)}. Drop --plot.")
    result = demos.run(key, fast=args.fast)
    if args.plot:
        _plot(key, result, Path(args.plot))
    return 0


def _plot(key: str, result: dict, path: Path) -> None:
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    if key == "activations":
        print(f"\nwrote {plots.plot_activations(path)}")
        return
    curves = {k: [float(v) for v in c] for k, c in result["curves"].items()}
    data = path.with_suffix(".json")
    atomic_write_bytes(data, json.dumps(curves).encode("utf-8"))
    print(f"\nwrote {plots.plot_optimizers(curves, path)} (curves in {data}; "
          f"redraw with: glassnet plot {data})")
