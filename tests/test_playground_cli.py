"""``glassnet playground``: options, a real process answering on 127.0.0.1,
and Ctrl-C closing it cleanly."""

import fnmatch
import os
import signal
import socket
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

from glassnet.cli import main
from glassnet.cli._parser import build_parser
from glassnet.playground.server import ASSETS, load_assets


def test_defaults_bind_this_machine_only():
    args = build_parser().parse_args(["playground"])
    assert (args.host, args.port, args.no_open) == ("127.0.0.1", 8765, False)


@pytest.mark.parametrize("argv, words", [
    (["playground", "--port", "70000"], "--port in 0..65535"),
    (["playground", "--port", "x"], "invalid int value"),
    (["playground", "--host", "203.0.113.1", "--port", "0", "--no-open"],
     "--host 127.0.0.1"),
])
def test_bad_options_exit_2_with_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_a_busy_port_exits_2_and_says_what_to_do(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["playground", "--port", str(port), "--no-open"]) == 2
    err = capsys.readouterr().err
    assert f"port {port}" in err and "--port 0" in err and err.count("\n") == 1


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_it_serves_until_ctrl_c_and_then_closes_cleanly():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # a suite started in the background (`make test &`) ignores SIGINT, and a
    # child inherits that: give the server the default Ctrl-C a terminal gives
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground",
                             "--port", "0", "--no-open"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_default_sigint)
    try:
        line = proc.stdout.readline()
        assert line.startswith("glassnet playground: http://127.0.0.1:"), line
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=30) as page:
            assert b"glassnet playground" in page.read()
        req = urllib.request.Request(url + "api/session", method="POST")
        with urllib.request.urlopen(req, timeout=30) as res:
            assert res.status == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_the_page_ships_inside_the_package():
    """Every asset the server serves is a file in glassnet/playground/static that
    pyproject's package-data installs (pip install . as well as -e .)."""
    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"][
        "setuptools"]["package-data"]["glassnet.playground"]
    for name in ASSETS:
        assert (root / "glassnet/playground/static" / name).is_file()
        assert any(fnmatch.fnmatch(f"static/{name}", p) for p in patterns), name
    assert set(ASSETS) == {p.name for p in (root / "glassnet/playground/static")
                           .iterdir()}
    assert set(load_assets()) == set(ASSETS)
