"""report.md of a search: what was searched, the ranking, the plot, the files."""

from __future__ import annotations

import math
from pathlib import Path

from glassnet.files.atomic import atomic_write_bytes


def write(path: Path, run: dict) -> Path:
    """Markdown for a run dict: title, command, when, took_s, version, where,
    data {key: value}, metric, higher_is_better, names [option], rows [Row],
    best (Row or None), best_command, plot (relative path or None),
    files {relative path: what}."""
    lines = [f"# {run['title']}", "",
             f"Searched {run['when']} in {run['took_s']:.1f} s with glassnet "
             f"{run['version']}, {run['where']}.", "",
             "## Reproduce", "", "```sh", run["command"], "```", "",
             "## Data", ""]
    lines += _table([(k, v) for k, v in run["data"].items()], ("", "value"))
    lines += [""] + _best(run) + _ranking(run)
    if run.get("plot"):
        lines += ["## Score against each option", "",
                  f"![{run['metric']} against each option]({run['plot']})", ""]
    lines += ["## Files", ""]
    lines += [f"- `{name}` — {what}" for name, what in run["files"].items()]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _best(run: dict) -> list[str]:
    best, metric = run["best"], run["metric"]
    if best is None:
        return ["## Best configuration", "", "Every configuration failed; the "
                "reasons are in the table below.", ""]
    options = ", ".join(f"{n.replace('_', '-')} {best.params[n]}"
                        for n in run["names"])
    return ["## Best configuration", "",
            f"{options}: mean {metric} {_num(best.mean)} ± {_num(best.std)} over "
            f"{len(best.scores)} folds. `best.safetensors` is this configuration "
            "trained on every row, exactly as this command trains it:", "",
            "```sh", run["best_command"], "```", ""]


def _ranking(run: dict) -> list[str]:
    names, metric = run["names"], run["metric"]
    order = sorted(run["rows"], key=lambda r: (r.rank is None, r.rank or 0,
                                               r.config))
    header = ("rank", *(n.replace("_", "-") for n in names), f"mean {metric}",
              "std", "fit time (s)", "error")
    cells = [(r.rank or "—", *(r.params[n] for n in names), _num(r.mean),
              _num(r.std), f"{r.fit_time_s:.2f}", r.error or "") for r in order]
    better = "higher" if run["higher_is_better"] else "lower"
    return ["## Results", "", f"Ranked by the mean {metric} on the held-out folds "
            f"({better} is better); every fold's score is in `results.csv`.", "",
            *_table(cells, header), ""]


def _table(rows: list[tuple], header: tuple) -> list[str]:
    out = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"
            for row in rows]
    return out


def _num(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.4f}"

