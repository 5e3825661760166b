"""The command line against special files, odd names, full disks and new
users (issue 15, items 2, 3, 9, 12, 19, 20, 21, 22)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX")


def glassnet(*args, cwd, timeout=90):
    return subprocess.run([sys.executable, "-m", "glassnet.cli", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def write_csv(path: Path, n: int = 40, seed: int = 0, target=True) -> Path:
    X = np.random.default_rng(seed).normal(size=(n, 2))
    head = "a,b,label\n" if target else "a,b\n"
    path.write_text(head + "".join(
        f"{a:.3f},{b:.3f}" + (f",{int(a + b > 0)}" if target else "") + "\n"
        for a, b in X))
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("harden_cli")
    data = write_csv(tmp / "d.csv")
    assert main(["train", str(data), "--epochs", "2", "--quiet", "--no-plots",
                 "--output", str(tmp / "run")]) == 0
    return tmp, tmp / "run" / "model.safetensors", data


# -- item 2: special files ------------------------------------------------------

@pytest.mark.parametrize("role", ["train CSV", "config", "predict CSV", "model"])
def test_a_fifo_is_refused_not_waited_on(tmp_path, trained, role):
    """Item 2: a FIFO as any file the command reads hung forever."""
    _, model, data = trained
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    args = {"train CSV": ["train", fifo, "--epochs", "1"],
            "config": ["train", data, "--config", fifo],
            "predict CSV": ["predict", model, fifo],
            "model": ["predict", fifo, data]}[role]
    r = glassnet(*args, cwd=tmp_path, timeout=60)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "FIFO" in r.stderr


def test_dev_zero_is_refused_not_read_until_memory_error(tmp_path, trained):
    """Item 2: /dev/zero was read until MemoryError (exit 1)."""
    _, model, data = trained
    for args in (["train", "/dev/zero", "--epochs", "1"],
                 ["predict", model, "/dev/zero"],
                 ["train", data, "--config", "/dev/zero"]):
        r = glassnet(*args, cwd=tmp_path, timeout=60)
        assert r.returncode == 2, (args, r.stderr)
        assert "character device" in r.stderr and r.stderr.count("\n") == 1


# -- item 3: run folders stay inside runs/ --------------------------------------

def test_a_csv_named_dotdot_cannot_write_outside_runs(tmp_path, capsys,
                                                      monkeypatch):
    """Item 3: '...csv' has the stem '..', so runs/.. was the current directory
    and the user's report.md was overwritten."""
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "...csv")
    (tmp_path / "report.md").write_text("my notes\n")
    assert main(["train", "...csv", "--epochs", "1", "--quiet", "--no-plots"]) == 0
    assert (tmp_path / "report.md").read_text() == "my notes\n"
    runs = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    assert len(runs) == 1 and (runs[0] / "report.md").is_file()
    assert runs[0].resolve().parent == (tmp_path / "runs").resolve()


# -- item 9: the output directory is checked before training --------------------

def test_a_full_disk_is_found_before_training_and_named(tmp_path, capsys,
                                                        monkeypatch):
    """Item 9: a full disk was discovered after all epochs, with a message that
    named no file and suggested checking permissions."""
    import glassnet.files.atomic as atomic

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", full)
    data = write_csv(tmp_path / "d.csv")
    code = main(["train", str(data), "--epochs", "3", "--output",
                 str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2 and "epoch 1/3" not in out
    assert "disk is full" in err and str(tmp_path / "out") in err
    assert "permissions" not in err and err.count("\n") == 1


def test_an_unwritable_output_is_found_before_training(tmp_path, capsys):
    """Item 9: --output under a regular file fails before the first epoch."""
    data = write_csv(tmp_path / "d.csv")
    (tmp_path / "file").write_text("x")
    code = main(["train", str(data), "--epochs", "3", "--output",
                 str(tmp_path / "file" / "run")])
    out, err = capsys.readouterr()
    assert code == 2 and "epoch 1/3" not in out and "file" in err


# -- item 12: paths written in a model file are not read ------------------------

def test_plot_and_explain_do_not_read_a_path_named_in_the_model_file(
        tmp_path, trained, capsys):
    """Item 12: a model file naming /etc/… or a FIFO as its training data made
    'glassnet plot' and 'glassnet explain' read it."""
    from test_harden_model_files import _rewrite
    _, model, data = trained
    run = tmp_path / "run"
    run.mkdir()
    bait = tmp_path / "secret.csv"
    write_csv(bait, seed=3)
    copy = run / "model.safetensors"
    copy.write_bytes(model.read_bytes())

    def point(info):
        info["data"] = {"source": "builtin", "path": str(bait), "seed": 0}
    _rewrite(copy, edit_info=point)
    bait.unlink()
    os.mkfifo(bait)              # reading it would hang
    assert main(["plot", str(run), "--output", str(tmp_path / "p")]) == 0
    assert "not read" in capsys.readouterr().out
    assert main(["explain", str(copy)]) == 2
    assert "not read" in capsys.readouterr().err
    assert main(["plot", str(run), "--data", str(data), "--output",
                 str(tmp_path / "p")]) == 0


# -- item 19: what a new user types ---------------------------------------------

def test_train_help_shows_each_default_once(capsys):
    """Item 19: ArgumentDefaultsHelpFormatter added '(default: None)' after the
    defaults the help texts already give."""
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "(default: None)" not in text and "default 20" in text


def test_layers_0_is_rejected_not_read_as_none(capsys):
    """Item 19: '--layers 0' trained a network without a hidden layer."""
    assert main(["train", "circles", "--layers", "0", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "--layers" in err and "none" in err


def test_compile_lr_says_did_you_mean(errmsg):
    """Item 19: compile(lr=0.1) was a raw TypeError."""
    net = gn.Sequential([gn.Dense(1, input_dim=2)])
    with pytest.raises(gn.ConfigError) as info:
        net.compile("mse", "sgd", lr=0.1)
    errmsg(info, "did you mean learning_rate=0.1")


def test_evaluate_with_swapped_arguments_says_csv_not_model(trained, capsys):
    """Item 19: 'glassnet evaluate DATA MODEL' said 'header length
    7308321214411335027 exceeds …'."""
    _, model, data = trained
    assert main(["evaluate", str(data), str(model)]) == 2
    err = capsys.readouterr().err
    assert "CSV" in err and "MODEL before DATA" in err and "header length" not in err


# -- item 20: evaluate a regression ---------------------------------------------

def test_evaluate_of_a_regression_shows_r2(tmp_path, capsys):
    """Item 20: 'glassnet evaluate' of a regression model showed no R²."""
    X = np.random.default_rng(0).normal(size=(80, 2))
    path = tmp_path / "r.csv"
    path.write_text("a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{2 * a - b + 0.1:.4f}\n"
                                        for a, b in X))
    assert main(["train", str(path), "--epochs", "5", "--quiet", "--no-plots",
                 "--output", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "run"), str(path)]) == 0
    out = capsys.readouterr().out
    assert "  r2 " in out


# -- item 21: explain says which numbers are which ------------------------------

def test_explain_labels_file_values_and_model_inputs(trained, capsys):
    """Item 21: 'glassnet explain' printed raw values, then a receipt on
    standardised ones, without saying so."""
    _, model, data = trained
    assert main(["explain", str(model), str(data), "--row", "1"]) == 0
    out = capsys.readouterr().out
    assert "as in the file" in out and "standardised" in out
    raw = float(data.read_text().splitlines()[2].split(",")[0])
    assert f"a={raw:.4g}" in out.splitlines()[0]


# -- item 22: an unseen category ------------------------------------------------

def test_predict_unknown_ignore(tmp_path, capsys):
    """Item 22: one unseen category failed the whole prediction file."""
    rng = np.random.default_rng(0)
    train = tmp_path / "t.csv"
    rows = [(c, rng.normal()) for c in rng.choice(["red", "blue"], 40)]
    train.write_text("color,x,y\n" + "".join(
        f"{c},{x:.3f},{int(x > 0)}\n" for c, x in rows))
    assert main(["train", str(train), "--one-hot", "--epochs", "1", "--quiet",
                 "--no-plots", "--output", str(tmp_path / "run")]) == 0
    new = tmp_path / "new.csv"
    new.write_text("color,x\nred,1\npurple,0.5\nblue,-1\n")
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "run"), str(new)]) == 2
    assert "--unknown ignore" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "run"), str(new), "--unknown",
                 "ignore"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip().splitlines()) == 4 and "1 row(s)" in err and "2" in err


def test_arena_json_written_by_the_demo_is_read_back(tmp_path, capsys):
    """The arena's JSON file is read as a regular, bounded file (item 2)."""
    curves = tmp_path / "arena.json"
    curves.write_text(json.dumps({"SGD": [1.0, 0.5], "Adam": [1.0, 0.2]}))
    assert main(["plot", str(curves), "--output", str(tmp_path)]) == 0
    os.unlink(curves)
    os.mkfifo(curves)
    assert main(["plot", str(curves), "--output", str(tmp_path)]) == 2
