"""Peak memory of a training run, one library per fresh process.

    python benchmarks/_memory.py glassnet|torch|scikit-learn [epochs]

Prints one JSON line: the process's peak RSS over its whole life (imports and
data included), its RSS once the data is loaded, and the peak *during
training* above that (Linux: the peak counter is reset through
/proc/self/clear_refs just before training; elsewhere the lifetime peak).
"""

from __future__ import annotations

import json
import re
import resource
import sys

MB = 1024 * 1024


def _status(key: str) -> float | None:
    try:
        text = open("/proc/self/status").read()
    except OSError:
        return None
    m = re.search(rf"{key}:\s+(\d+) kB", text)
    return int(m.group(1)) * 1024 / MB if m else None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main(lib: str, epochs: int = 1, hidden=(128,), bs: int = 128) -> dict:
    import numpy as np
    from _common import (
        TorchMLP,
        glassnet_model,
        import_sklearn,
        import_torch,
        load_data,
        sklearn_epoch,
        sklearn_model,
    )
    X, y, _, _ = load_data()
    if lib == "glassnet":
        net = glassnet_model(hidden)
        run = lambda: net.fit(X, y, epochs=epochs, batch_size=bs, verbose=0)  # noqa: E731
    elif lib == "torch":
        torch = import_torch()
        tm = TorchMLP(torch, hidden)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def run():
            for _ in range(epochs):
                tm.epoch(Xt, yt, bs)
    elif lib == "scikit-learn":
        clf = sklearn_model(import_sklearn(), hidden, bs)

        def run():
            for _ in range(epochs):
                sklearn_epoch(clf, X, y)
    else:
        raise SystemExit(f"unknown library {lib!r}")
    np.asarray(X).sum()  # touch the data so it is resident before the baseline
    base = _status("VmRSS")
    reset = _reset_peak()
    run()
    peak_train = _status("VmHWM") if reset else None
    life = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB → MB
    return {"lib": lib, "epochs": epochs, "rss_after_data_mb": base,
            "peak_during_training_mb": peak_train,
            "training_overhead_mb": None if peak_train is None or base is None
            else peak_train - base,
            "peak_lifetime_mb": life, "data_mb": X.nbytes / MB}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
