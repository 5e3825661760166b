"""A Markdown report of a training run: what was trained, how, and how well.

``render_report`` turns a plain dict into Markdown so the report can be read
on GitHub, in an editor or converted to HTML, and always starts with the one
command that reproduces the run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from glassnet.files.atomic import atomic_write_bytes


def _cell(value) -> str:
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0 or abs(value) >= 1e-3:
            return f"{value:.4f}"
        return f"{value:.3e}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "(none)"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(rows: list[tuple], header: tuple) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def render_report(run: Mapping) -> str:
    """Markdown for a run dict with keys (all optional except title/command):

    title, command, when, duration_s, version, data {key: value},
    config {key: value}, summary (model summary text), results
    {metric: (train, validation)}, stopped (reason), epochs_run,
    plots {title: relative path}, files {relative path: description},
    next_steps [command, …].
    """
    lines = [f"# {run['title']}", ""]
    when = run.get("when")
    if when or run.get("duration_s") is not None:
        took = run.get("duration_s")
        took = f" in {took:.1f} s" if took is not None else ""
        lines += [f"Trained {when or ''}{took} with glassnet "
                  f"{run.get('version', '?')}.", ""]
    lines += ["## Reproduce", "", "```sh", run["command"], "```", ""]
    if run.get("data"):
        lines += ["## Data", ""]
        lines += _table(list(run["data"].items()), ("", "value")) + [""]
    if run.get("config"):
        lines += ["## Configuration", ""]
        lines += _table(list(run["config"].items()), ("setting", "value")) + [""]
    if run.get("summary"):
        lines += ["## Model", "", "```", run["summary"], "```", ""]
    if run.get("results"):
        lines += ["## Results", ""]
        if run.get("epochs_run") is not None:
            lines += [f"Epochs trained: {run['epochs_run']}."]
        if run.get("stopped"):
            lines += [f"Stopped early: {run['stopped']}."]
        lines += [""]
        rows = [(name, *vals) for name, vals in run["results"].items()]
        lines += _table(rows, ("metric", "training", "validation")) + [""]
    if run.get("plots"):
        lines += ["## Plots", ""]
        for title, path in run["plots"].items():
            lines += [f"### {title}", "", f"![{title}]({path})", ""]
    if run.get("files"):
        lines += ["## Files", ""]
        lines += [f"- `{path}` — {what}" for path, what in run["files"].items()]
        lines += [""]
    if run.get("next_steps"):
        lines += ["## Use the model", "", "```sh", *run["next_steps"], "```", ""]
    return "\n".join(lines)


def write_report(path: str | os.PathLike[str], run: Mapping) -> Path:
    """Render and write the report atomically; return its path."""
    path = Path(path)
    atomic_write_bytes(path, render_report(run).encode("utf-8"))
    return path
