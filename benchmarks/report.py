"""Turn a benchmark result dict (see run.py) into the Markdown of RESULTS.md."""

from __future__ import annotations

import statistics

import report_targets


def _s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _us(x: float) -> str:
    return f"{x * 1e6:.1f} µs" if x < 1e-3 else f"{x * 1e3:.2f} ms"


def _ratio(a, b) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}"


def _met(ratio: float | None, target: float | None) -> str:
    if ratio is None or target is None:
        return ""
    return f" (≤ {target}: {'met' if ratio <= target else 'NOT met'})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def render(res: dict) -> str:
    meta = res["meta"]
    v = meta["versions"]
    lines = [f"## Run of {meta['date']}", "",
             f"- command: `{meta['command']}` ({meta['wall_s'] / 60:.1f} min, "
             f"{meta['reps']} repetitions per timing, medians; threads: "
             f"{meta.get('threads', '?')})",
             f"- machine: {meta['machine_start']} (at the end: load average "
             f"{meta['machine_end'].rsplit('load average ', 1)[-1]})",
             "- versions: " + ", ".join(f"{k} {x}" for k, x in v.items()), ""]
    for key, fn in (("train", _train), ("predict", _predict), ("accuracy", _accuracy),
                    ("memory", _memory), ("gflops", _gflops), ("profile", _profile),
                    ("threading", _threads), ("scaling", _scaling),
                    ("targets", lambda t, res: report_targets.render(t))):
        if key in res:
            lines += fn(res[key], res) + [""]
    return "\n".join(lines)


def _train(rows, res) -> list[str]:
    out = ["### Training: one MNIST epoch (60,000 samples, Adam 1e-3, float32)", ""]
    body = []
    for r in rows:
        m = r["median"]
        g, t, s = m.get("glassnet"), m.get("torch"), m.get("scikit-learn")
        rt = None if t is None else g / t
        rs = None if s is None else g / s
        body.append([r["name"], _s(g), _s(t) if t else "—", _s(s) if s else "—",
                     (f"**{rt:.3f}**" if rt else "—") + _met(rt, r["target_torch"]),
                     (f"**{rs:.3f}**" if rs else "—") + _met(rs, r["target_sklearn"]),
                     f"{r['gemm_gflop_per_epoch'] / g:.0f}"])
    out += _table(["network, batch", "glassnet", "PyTorch", "scikit-learn",
                   "glassnet / PyTorch", "glassnet / scikit-learn",
                   "glassnet GEMM GFLOP/s"], body)
    out += ["", "Every repetition (s): " + "; ".join(
        f"{r['name']}: " + ", ".join(f"{k} " + " ".join(f"{x:.2f}" for x in xs)
                                     for k, xs in r["times"].items()) for r in rows)]
    return out


def _predict(p, res) -> list[str]:
    out = ["### Prediction latency, 784-128-10 (probabilities returned as NumPy)", ""]
    body = []
    for label, name, target in (("single", "1 sample", 0.5),
                                ("batch1000", "1,000 samples", None)):
        m = p[label]
        g, t, s = m.get("glassnet"), m.get("torch"), m.get("scikit-learn")
        rt = None if t is None else g / t
        body.append([name, _us(g), _us(t) if t else "—", _us(s) if s else "—",
                     (f"**{rt:.3f}**" if rt else "—") + _met(rt, target),
                     _ratio(g, s)])
    return out + _table(["predict", "glassnet", "PyTorch", "scikit-learn",
                         "glassnet / PyTorch", "glassnet / scikit-learn"], body)


def _accuracy(a, res) -> list[str]:
    acc = a["accuracy"]
    n = len(acc["glassnet"])
    out = [f"### Test accuracy after {a['epochs']} epochs (784-128-10, batch 128, "
           f"Adam 1e-3; mean of {n} seed{'s' if n > 1 else ''})", ""]
    mean = {k: statistics.fmean(x) * 100 for k, x in acc.items()}
    body = [[k, f"{mean[k]:.2f} %", " ".join(f"{x * 100:.2f}" for x in xs)]
            for k, xs in acc.items()]
    out += _table(["library", "test accuracy", "per seed"], body)
    if "torch" in mean:
        d = mean["glassnet"] - mean["torch"]
        out += ["", f"glassnet − PyTorch: {d:+.2f} points (target within ±0.3: "
                f"{'met' if abs(d) <= 0.3 else 'NOT met'})."]
    t, nf = a["epoch_times"], a["epoch_times_noflush"]
    out += ["", "glassnet seconds per epoch over a 5-epoch run, two identical runs "
            "alternating epoch by epoch: with the subnormal flush (every 64 steps) "
            + ", ".join(f"{x:.2f}" for x in t) + "; with the flush switched off "
            + ", ".join(f"{x:.2f}" for x in nf)
            + f" (subnormal Adam state values at the end: {a.get('subnormals', 0):,} "
            f"and {a['subnormals_noflush']:,})."]
    return out


def _memory(rows, res) -> list[str]:
    out = ["### Peak memory of a training run (one epoch, 784-128-10, batch 128; "
           "fresh process per library)", ""]
    body = [[r["lib"], f"{r['rss_after_data_mb']:.0f} MB",
             f"{r['peak_during_training_mb']:.0f} MB"
             if r["peak_during_training_mb"] else "—",
             f"+{r['training_overhead_mb']:.0f} MB"
             if r["training_overhead_mb"] is not None else "—"] for r in rows]
    out += _table(["library", "RSS with library and data loaded",
                   "peak RSS while training", "training's own peak"], body)
    if rows:
        out += ["", f"The float32 training images take {rows[0]['data_mb']:.0f} MB "
                "of each process's RSS; the rest before training is the library "
                "itself (imports)."]
    return out


def _gflops(g, res) -> list[str]:
    out = ["### GEMM rate of this machine (sgemm GFLOP/s, measured in this run)", ""]
    body = [[k, f"{x:.0f}"] for k, x in g.items()]
    out += _table(["GEMM", "GFLOP/s"], body)
    if "train" in res:
        peak = g.get("numpy 4096³")
        out += [""]
        for r in res["train"]:
            gt = r["median"]["glassnet"]
            rate = r["gemm_gflop_per_epoch"] / gt
            floor = r["gemm_gflop_per_epoch"] / peak
            out.append(f"- {r['name']}: {r['gemm_gflop_per_epoch']:.1f} GFLOP of GEMMs "
                       f"per epoch → glassnet achieves {rate:.0f} GFLOP/s "
                       f"({rate / peak * 100:.0f} % of NumPy's 4096³ sgemm); the "
                       f"arithmetic floor at that rate is {floor:.2f} s "
                       f"(glassnet {gt:.2f} s).")
    return out


def _profile(profiles, res) -> list[str]:
    out = []
    for p in profiles:
        hidden = "-".join(map(str, (784, *p["hidden"], 10)))
        us = p["us_per_step"]
        parts = sum(us.values())
        out += [f"### Where a glassnet step goes: {hidden}, batch {p['batch']} "
                f"({p['n_params']:,} parameters)", ""]
        body = [[k, f"{x:.0f}", f"{x / parts * 100:.0f} %"] for k, x in us.items()]
        body.append(["**sum of the pieces**", f"{parts:.0f}", "100 %"])
        out += _table(["piece (median over steps)", "µs per step", "share"], body)
        gemm = us["forward: GEMMs"] + us["backward: GEMMs"]
        out += ["", f"GEMMs {gemm / parts * 100:.0f} %, elementwise work and Python "
                f"{(parts - gemm) / parts * 100:.0f} %. A step inside fit (epoch "
                f"time / batches) took {p['fit_step_us']:.0f} µs; the difference "
                "from the sum is fit's own loop (and timing noise). One elementwise "
                f"pass over the flat parameter buffer costs {p['one_pass_us']:.0f} µs "
                f"(a multiply), a sqrt {p['sqrt_pass_us']:.0f} µs, a divide "
                f"{p['div_pass_us']:.0f} µs; Adam makes 12 passes (m: 3, v: 4, "
                "update: 5).", ""]
    return out


def _threads(rows, res) -> list[str]:
    out = ["### Threads: 1 vs one per core for each library (seconds per epoch, "
           f"from {rows[0].get('rows_timed', 60000):,} rows scaled to 60,000)", ""]
    keys = list(rows[0]["median"])
    body = [[r["name"]] + [_s(r["median"][k]) for k in keys] for r in rows]
    return out + _table(["network, batch"] + keys, body)


def _scaling(sc, res) -> list[str]:
    out = ["### Scaling: seconds per MNIST epoch (* = extrapolated from part of an "
           "epoch)", ""]
    for key, label in (("width", "hidden width (batch 128)"),
                       ("batch", "batch size (784-128-10)")):
        body = []
        for c in sc[key]:
            star = "*" if c["extrapolated"] else ""
            g, t = c["epoch_s"].get("glassnet"), c["epoch_s"].get("torch")
            body.append([str(c[key]), f"{g:.2f}{star}",
                         f"{t:.2f}{star}" if t else "—", _ratio(g, t),
                         f"{c['n']:,}"])
        out += _table([label, "glassnet (s)", "PyTorch (s)", "glassnet / PyTorch",
                       "samples timed"], body) + [""]
    if sc.get("plot"):
        out.append(f"![scaling]({sc['plot'].split('/', 1)[-1]})")
    return out
