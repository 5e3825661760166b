"""The targets table of issue 16 as Markdown (from ``_targets.run_all``)."""

from __future__ import annotations

import statistics


def _ratio_cells(g: list[float], o: list[float]) -> tuple[float, str]:
    """(ratio of the medians, range of the round-by-round ratios)."""
    per_round = [a / b for a, b in zip(g, o, strict=False)]
    r = statistics.median(g) / statistics.median(o)
    return r, f"{min(per_round):.2f}–{max(per_round):.2f}"


def _row(case: str, g, o, other: str, target: float, unit: str,
         cpu: tuple | None = None) -> list[str]:
    r, rng = _ratio_cells(g, o)
    c = "—" if cpu is None else f"{_ratio_cells(*cpu)[0]:.2f}"
    scale, suffix, digits = {"s": (1, "s", 3), "us": (1e6, "µs", 1),
                             "ms": (1e3, "ms", 1)}[unit]

    def fmt(x):
        return f"{x * scale:.{digits}f} {suffix}"
    return [case, fmt(statistics.median(g)), f"{other} {fmt(statistics.median(o))}",
            f"**{r:.2f}**", rng, c, f"≤ {target}", "met" if r <= target else "NOT met"]


def _cpu(row: dict, other: str) -> tuple | None:
    cpu = row.get("cpu")
    return None if not cpu or other not in cpu else (cpu["glassnet"], cpu[other])


def render(t: dict) -> list[str]:
    head = ["case", "glassnet", "other", "glassnet / other (medians)",
            "per-round range", "CPU-time ratio", "target", ""]
    body = []
    for r in t["mlp"]:
        times = r["times"]
        if "jax" in times:
            body.append(_row(f"{r['name']} vs JAX jit", times["glassnet"],
                             times["jax"], "JAX", r["target_jax"], "s",
                             _cpu(r, "jax")))
    for r in t["mlp"]:
        times = r["times"]
        if "torch" in times:
            body.append(_row(f"{r['name']} vs PyTorch", times["glassnet"],
                             times["torch"], "PyTorch", r["target_torch"], "s",
                             _cpu(r, "torch")))
    p = t.get("predict", {}).get("single_times", {})
    if "torch" in p:
        body.append(_row("single-sample `model.predict(x)` vs PyTorch "
                         "`inference_mode`", p["glassnet"], p["torch"], "PyTorch",
                         0.25, "us"))
    pc = t.get("predict_cpu")
    if pc:
        g, o = pc["cpu"]["glassnet"], pc["cpu"]["torch"]
        r, rng = _ratio_cells(g, o)
        body.append(["single-sample `model.predict(x)` vs PyTorch, CPU time per call",
                     f"{statistics.median(g) * 1e6:.1f} µs",
                     f"PyTorch {statistics.median(o) * 1e6:.1f} µs", f"**{r:.2f}**",
                     rng, f"{r:.2f}", "≤ 0.25", "met" if r <= 0.25 else "NOT met"])
    if t.get("lstm"):
        s = t["lstm"]["times"]
        body.append(_row("LSTM(128) on MNIST rows, batch 128, epoch", s["glassnet"],
                         s["torch"], "PyTorch", 0.80, "s", _cpu(t["lstm"], "torch")))
    cnn = t.get("cnn", {})
    if "pending" in cnn:
        body.append(["LeNet-like CNN step, batch 128", "—", "—", "pending", "—",
                     "—", "≤ 0.8", cnn["pending"]])
    elif "torch" in cnn.get("times", {}):
        body.append(_row("LeNet-like CNN step, batch 128", cnn["times"]["glassnet"],
                         cnn["times"]["torch"], "PyTorch", 0.80, "ms"))
    if t.get("sklearn64"):
        s = t["sklearn64"]["times"]
        body.append(_row("784-128-10 vs scikit-learn, X / 255 (float64)",
                         s["glassnet"], s["scikit-learn"], "scikit-learn", 0.35, "s",
                         _cpu(t["sklearn64"], "scikit-learn")))
    for f in t.get("floor", [])[:1]:
        r = f["glassnet_s"] / f["floor_s"]
        body.append([f"{f['name']} epoch vs the floor", f"{f['glassnet_s']:.3f} s",
                     f"floor {f['floor_s']:.3f} s ({f['rate']:.0f} GFLOP/s, "
                     f"{f.get('rate_key', '4096³').removeprefix('numpy ')}; at the "
                     f"4096³ rate {f.get('floor_4096_s', f['floor_s']):.3f} s)",
                     f"**{r:.2f}**", "—", "—", "≤ 1.5",
                     "met" if r <= 1.5 else "NOT met"])
    gf = t.get("gemm_floor")
    if gf:
        g, o = gf["cpu"]["glassnet"], gf["cpu"]["GEMMs alone"]
        r, rng = _ratio_cells(g, o)
        body.append([f"{gf['name']} epoch vs its GEMMs alone (CPU time)",
                     f"{statistics.median(g):.3f} CPU s",
                     f"GEMMs {statistics.median(o):.3f} CPU s", f"**{r:.2f}**", rng,
                     f"{r:.2f}", "≤ 1.5", "met" if r <= 1.5 else "NOT met"])
    out = ["### The targets of issue 16", ""]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in body]
    v = t.get("jax_versions")
    if v:
        out += ["", f"JAX {v.get('jax')}, optax {v.get('optax')}, in its own "
                "process, alternating with glassnet's epochs."]
    out += ["", "Every round (s or µs): " + "; ".join(
        f"{r['name']}: " + ", ".join(f"{k} " + " ".join(f"{x:.3f}" for x in xs)
                                     for k, xs in r["times"].items())
        for r in t["mlp"])]
    return out
