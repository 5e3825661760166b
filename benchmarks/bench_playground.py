"""How fast the playground learns and how often the page is updated.

    python benchmarks/bench_playground.py                  # all sections, ~1 min
    python benchmarks/bench_playground.py --seconds 20     # longer stream runs
    python benchmarks/bench_playground.py --screenshot docs/playground.png

- epoch: one pass of ``Lab.run`` over the training points (Lab's own batch
  loop: apply_step per batch), median of repeated single epochs.
- frame: what a session does to publish one update (``Lab.frame`` + JSON).
- stream: updates per second received over Server-Sent Events by a client
  in this process from ``glassnet playground`` running in its own process,
  while that session plays; also epochs per second.
- page: frames the page itself drew per second in headless Chromium (needs
  playwright and a chromium on PATH; skipped otherwise).

Settings are printed with each row. On a shared machine run with
``OPENBLAS_NUM_THREADS=1`` and read the numbers as this machine's, at its load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

from glassnet.playground.lab import Lab
from glassnet.playground.settings import Settings

SMALL = {}                                    # the page's defaults: 2-4-2-1, tanh
LARGE = {"layers": [8] * 6, "features": ["x1", "x2", "x1^2", "x2^2", "x1x2",
                                         "sin_x1", "sin_x2"]}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def describe(changes: dict) -> str:
    s = {**Settings().to_dict(), **changes}
    return (f"{s['dataset']}, features {len(s['features'])}, layers {s['layers']}, "
            f"{s['activation']}, batch {s['batch_size']}, {s['optimizer']}")


def bench_epoch(changes: dict, repeats: int = 30) -> dict:
    lab = Lab(Settings(**{k: tuple(v) if isinstance(v, list) else v
                          for k, v in changes.items()}))
    lab.run(epochs=3)                                     # warm the buffers
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        lab.run(epochs=1)
        times.append(time.perf_counter() - t)
    frame = []
    for _ in range(repeats):
        t = time.perf_counter()
        json.dumps(lab.frame())
        frame.append(time.perf_counter() - t)
    return {"epoch_ms": 1e3 * statistics.median(times),
            "frame_ms": 1e3 * statistics.median(frame),
            "steps_per_epoch": -(-len(lab.X) // lab.settings.batch_size)}


# -- the server in its own process ------------------------------------------------
def start_server():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground",
                             "--port", "0", "--no-open"], stdout=subprocess.PIPE,
                            text=True, env=env)
    url = proc.stdout.readline().split()[2]
    return proc, url


def post(url: str, path: str, body: dict | None = None) -> dict:
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    data = json.dumps(body).encode() if body is not None else b""
    conn.request("POST", path, data, {"Content-Type": "application/json"})
    res = conn.getresponse()
    out = json.loads(res.read())
    conn.close()
    return out


def bench_stream(url: str, changes: dict, seconds: float) -> dict:
    sid = post(url, "/api/session")["id"]
    if changes:
        post(url, f"/api/control?id={sid}", changes)
    post(url, f"/api/action?id={sid}", {"action": "play"})
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("GET", f"/api/stream?id={sid}")
    res = conn.getresponse()
    frames, first, last, start = 0, None, None, time.perf_counter()
    event = None
    while time.perf_counter() - start < seconds:
        line = res.fp.readline().decode()
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line.startswith("data: ") and event == "frame":
            f = json.loads(line[6:])
            if f["playing"]:
                frames += 1
                first = f if first is None else first
                last = f
    elapsed = time.perf_counter() - start
    conn.close()
    post(url, f"/api/close?id={sid}")
    return {"updates_per_s": frames / elapsed,
            "epochs_per_s": (last["progress"] - first["progress"]) / elapsed}


def bench_page(url: str, seconds: float, screenshot: str | None) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        return None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(url)
        page.wait_for_function("document.body.dataset.frames >= 1")
        page.click("[data-testid=play]")
        time.sleep(1.0)
        n0, t0 = int(page.evaluate("document.body.dataset.frames")), time.perf_counter()
        time.sleep(seconds)
        n1, t1 = int(page.evaluate("document.body.dataset.frames")), time.perf_counter()
        if screenshot:
            take_screenshot(page, screenshot)
        browser.close()
    return {"updates_per_s": (n1 - n0) / (t1 - t0)}


def take_screenshot(page, path: str) -> None:
    """The README's picture: circles learned, paused, one step, an edge's receipt."""
    page.select_option("[data-testid=learning-rate]", "0.1")
    page.wait_for_function("Number(document.querySelector('[data-testid=epoch]')"
                           ".textContent) >= 300", timeout=120_000)
    page.click("[data-testid=play]")
    page.click("[data-testid=step]")
    page.locator("[data-testid=weight]").nth(9).click(force=True)
    page.locator("[data-testid=receipt]").filter(has_text="the optimizer wrote") \
        .wait_for()
    page.screenshot(path=path, full_page=True)
    try:                       # 256 colours keep the PNG small (Pillow, if there)
        from PIL import Image
    except ImportError:
        return
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="per stream run")
    ap.add_argument("--screenshot", metavar="PNG", help="also save the README's "
                    "screenshot here")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print("| network | epoch (ms) | steps/epoch | frame (ms) | updates/s (SSE) | "
          "epochs/s (SSE) |")
    print("|---|---|---|---|---|---|")
    proc, url = start_server()
    try:
        for changes in (SMALL, LARGE):
            e = bench_epoch(changes)
            s = bench_stream(url, changes, args.seconds)
            print(f"| {describe(changes)} | {e['epoch_ms']:.1f} | "
                  f"{e['steps_per_epoch']} | {e['frame_ms']:.1f} | "
                  f"{s['updates_per_s']:.1f} | {s['epochs_per_s']:.1f} |")
        p = bench_page(url, args.seconds, args.screenshot)
        print("page (headless Chromium, defaults): " + (
            "skipped (no playwright or chromium)" if p is None else
            f"{p['updates_per_s']:.1f} frames drawn per second"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
