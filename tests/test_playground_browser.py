"""The playground in a real browser: headless Chromium driven by Playwright.

Presses play, sees the epoch count rise and the loss fall, checks that the
decision region is drawn, clicks an edge and a neuron and reads receipts with
numbers, steps and reads the update — and fails on any console error.

Playwright's own browser download does not work on these machines, so the
test drives the system's Chromium (Debian: ``apt-get install chromium``)
through ``executable_path``; it skips where Playwright or a browser is missing.
"""

import re
import shutil
import threading

import pytest

from glassnet.playground.server import PlaygroundServer
from glassnet.playground.session import Sessions

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
NUMBER = re.compile(r"-?\d+\.\d+")

# the index of an edge whose middle is not covered by another element
CLICKABLE_EDGE = """() => [...document.querySelectorAll('[data-testid=weight]')]
  .findIndex(g => { const r = g.getBoundingClientRect();
                    const el = document.elementFromPoint(r.x + r.width / 2,
                                                         r.y + r.height / 2);
                    return el !== null && g.contains(el); })"""

# share of the decision-region canvas painted in clearly orange or blue pixels
PAINTED = """() => { const c = document.querySelector('[data-testid=boundary]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let orange = 0, blue = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] > d[i + 2] + 40) orange++; else if (d[i + 2] > d[i] + 40) blue++; }
  const n = d.length / 4; return [orange / n, blue / n]; }"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return path


@pytest.fixture
def browser(tmp_path):
    """open(server) → a new page of a fresh Chromium profile at the server's URL;
    console errors and page errors collect in ``problems``."""
    exe = chromium()
    problems = []
    with sync_api.sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=exe, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        except sync_api.Error as err:
            pytest.skip(f"Chromium did not start: {str(err).splitlines()[0]}")

        def open_page(server):
            p = context.new_page()
            p.on("console", lambda m: problems.append(m.text)
                 if m.type == "error" else None)
            p.on("pageerror", lambda e: problems.append(str(e)))
            p.set_default_timeout(60_000)
            p.goto(server.url)
            return p

        yield open_page, problems
        context.close()


@pytest.fixture
def serve():
    servers = []

    def start(**options):
        server = PlaygroundServer("127.0.0.1", 0, Sessions(**options))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        server.server_close()


@pytest.fixture
def page(browser, serve):
    open_page, problems = browser
    return open_page(serve()), problems


def text(p, testid: str) -> str:
    return p.text_content(f"[data-testid={testid}]")


def test_press_play_watch_it_learn_and_open_the_numbers(page):
    p, problems = page
    p.wait_for_selector("[data-testid=weight]")
    p.wait_for_function("document.body.dataset.frames >= 1")
    assert text(p, "epoch") == "0"
    first_loss = float(text(p, "loss"))
    p.select_option("[data-testid=learning-rate]", "0.1")    # a control, changed
    p.click("[data-testid=play]")
    p.wait_for_function("Number(document.querySelector('[data-testid=epoch]')"
                        ".textContent) >= 20")
    p.wait_for_function(f"Number(document.querySelector('[data-testid=loss]')"
                        f".textContent) < {first_loss} - 0.02")
    orange, blue = p.evaluate(PAINTED)
    assert orange > 0.1 and blue > 0.1                   # the region is drawn

    p.locator("[data-testid=weight]").nth(p.evaluate(CLICKABLE_EDGE)).click()
    receipt = p.locator("[data-testid=receipt]")
    receipt.filter(has_text="backprop stored").wait_for()
    assert "∂E/∂" in receipt.text_content()
    assert len(NUMBER.findall(receipt.text_content())) >= 5

    p.click("[data-testid=play]")                        # pause, then one step
    p.wait_for_function("document.querySelector('[data-testid=play]')"
                        ".textContent.includes('▶')")
    p.click("[data-testid=step]")
    receipt.filter(has_text="the optimizer wrote").wait_for()

    p.locator("[data-testid=neuron]").first.click()
    receipt.filter(has_text="net_h1.1").wait_for()
    assert "tanh(" in receipt.text_content()
    assert problems == [], problems


def test_a_tab_beyond_the_limit_is_told_plainly(browser, serve):
    open_page, problems = browser
    server = serve(max_sessions=1)
    first = open_page(server)
    first.wait_for_selector("[data-testid=weight]")
    second = open_page(server)
    banner = second.locator("[data-testid=message]")
    banner.filter(has_text="already open").wait_for()
    assert second.locator("[data-testid=play]").is_hidden()
    assert len(problems) == 1 and "429" in problems[0]   # the refusal, nothing else
