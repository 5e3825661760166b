"""The glassnet command end to end: train → evaluate → predict → summary →
explain on a saved model, in a real subprocess; options and configs in-process."""

from __future__ import annotations

import csv
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main


def glassnet(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glassnet.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write_csv(path: Path, n: int = 120, seed: int = 0, target: bool = True) -> Path:
    """Two numbers on very different scales, one text column, a 3-class target."""
    rng = np.random.default_rng(seed)
    age, income = rng.uniform(18, 80, n), rng.normal(50_000, 15_000, n)
    color = rng.choice(["red", "green", "blue"], n)
    score = (age - 50) / 15 + (income - 50_000) / 15_000 + (color == "red")
    label = np.where(score > 0.5, "buy", np.where(score < -0.5, "skip", "maybe"))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["age", "income", "color"] + (["decision"] if target else []))
        for row in zip(age, income, color, label, strict=True):
            w.writerow([f"{row[0]:.1f}", f"{row[1]:.0f}", row[2]]
                       + ([row[3]] if target else []))
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One real training run from a CSV, shared by the end-to-end checks."""
    tmp = tmp_path_factory.mktemp("cli")
    write_csv(tmp / "train.csv")
    write_csv(tmp / "new.csv", n=7, seed=1, target=False)
    r = glassnet("train", "train.csv", "--target", "decision", "--layers", "16,8",
                 "--epochs", "25", "--seed", "0", "--one-hot", "--output", "out",
                 cwd=tmp)
    assert r.returncode == 0, r.stderr
    return tmp, r


def test_train_writes_model_history_plots_and_report(run):
    tmp, r = run
    out = tmp / "out"
    for name in ("model.safetensors", "history.csv", "history.json", "report.md",
                 "config.toml"):
        assert (out / name).stat().st_size > 0, name
    plots = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert {"history.png", "confusion_matrix.png", "network.png",
            "weights.png"} <= set(plots)
    assert re.search(r"\n  standardize +True\n", r.stdout)  # the resolved config
    assert "epoch 25/25" in r.stdout                      # one line per epoch
    assert "final validation:" in r.stdout
    assert "out/model.safetensors" in r.stdout            # where things are
    report = (out / "report.md").read_text()
    assert "## Reproduce" in report and "![" in report
    history = (out / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,loss") and len(history) == 26


def test_report_command_reproduces_the_model_bitwise(run):
    tmp, _ = run
    report = (tmp / "out" / "report.md").read_text()
    command = report.split("```sh\n", 1)[1].split("\n", 1)[0]
    argv = shlex.split(command)
    assert argv[:2] == ["glassnet", "train"]
    r = glassnet(*argv[1:], "--output", "again", "--no-plots", "--quiet", cwd=tmp)
    assert r.returncode == 0, r.stderr
    a = gn.io.read_model_file(tmp / "out" / "model.safetensors").model
    b = gn.io.read_model_file(tmp / "again" / "model.safetensors").model
    assert all(x.tobytes() == y.tobytes() for x, y in
               zip(a.get_weights(), b.get_weights(), strict=True))


def test_evaluate_prints_metrics_and_confusion_matrix(run):
    tmp, _ = run
    r = glassnet("evaluate", "out/model.safetensors", "train.csv", cwd=tmp)
    assert r.returncode == 0, r.stderr
    assert "accuracy" in r.stdout and "confusion matrix" in r.stdout
    accuracy = float(r.stdout.split("accuracy", 1)[1].split()[0])
    assert accuracy > 0.8
    for name in ("buy", "maybe", "skip"):
        assert name in r.stdout


def test_predict_writes_names_and_probabilities(run):
    tmp, _ = run
    r = glassnet("predict", "out/model.safetensors", "new.csv", "--output",
                 "pred.csv", cwd=tmp)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader((tmp / "pred.csv").open()))
    assert rows[0] == ["prediction", "prob_buy", "prob_maybe", "prob_skip"]
    assert len(rows) == 8
    for row in rows[1:]:
        p = np.array(row[1:], dtype=float)
        assert abs(p.sum() - 1) < 1e-5
        assert row[0] == ["buy", "maybe", "skip"][int(p.argmax())]


def test_predict_applies_the_saved_scaler(run):
    """Same answers as the network on hand-standardised features."""
    tmp, _ = run
    from glassnet.io import read_model_file

    saved = read_model_file(tmp / "out" / "model.safetensors")
    data = gn.load_csv_features(tmp / "new.csv",
                                saved.info["feature_spec"])
    mean = saved.extra_tensors["preprocessing.0.mean"]
    scale = saved.extra_tensors["preprocessing.0.scale"]
    expected = saved.model.predict_proba((data.X - mean) / scale)
    r = glassnet("predict", "out/model.safetensors", "new.csv", cwd=tmp)
    got = np.array([row[1:] for row in csv.reader(r.stdout.splitlines()[1:])],
                   dtype=np.float32)
    np.testing.assert_array_equal(got, expected)


def test_summary_and_explain(run):
    tmp, _ = run
    r = glassnet("summary", "out/model.safetensors", cwd=tmp)
    assert r.returncode == 0, r.stderr
    for text in ("Total params", "StandardScaler", "buy, maybe, skip",
                 "color=red", "glassnet train train.csv"):
        assert text in r.stdout, text
    r = glassnet("explain", "out/model.safetensors", "train.csv", "--row", "2",
                 cwd=tmp)
    assert r.returncode == 0, r.stderr
    assert "net_" in r.stdout and "row 2 of train.csv" in r.stdout
    r = glassnet("explain", "out", "train.csv", "--weight", "0,W,1,3", "--update",
                 cwd=tmp)
    assert r.returncode == 0, r.stderr
    assert "∂E/∂" in r.stdout


def test_bad_input_in_a_real_process_exits_2_with_one_line(run):
    tmp, _ = run
    r = glassnet("predict", "out/model.safetensors", "nowhere.csv", cwd=tmp)
    assert r.returncode == 2
    assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "nowhere.csv" in r.stderr
    r = glassnet("--debug", "predict", "out/model.safetensors", "nowhere.csv",
                 cwd=tmp)
    assert r.returncode == 2 and "Traceback" in r.stderr


def test_unwritable_output_names_the_file_asked_for(run):
    tmp, _ = run
    r = glassnet("predict", "out/model.safetensors", "new.csv", "--output",
                 "nowhere/pred.csv", cwd=tmp)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "nowhere/pred.csv" in r.stderr and ".tmp-" not in r.stderr


def test_demo_in_a_real_process(tmp_path):
    r = glassnet("demo", "backprop", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "E_total = E_o1 + E_o2 = 0.298371109" in r.stdout
    assert "0.74136507 × 0.186815602 × 0.593269992 = 0.0821670406" in r.stdout
    assert r.stdout.count("the optimizer wrote") == 12
    r = glassnet("demo", "optimizers", "--fast", "--plot", "arena/arena.png",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Adam" in r.stdout and "arena/arena.png" in r.stdout
    curves = __import__("json").loads((tmp_path / "arena/arena.json").read_text())
    assert list(curves) == ["SGD", "momentum", "NAG", "Adagrad", "RMSprop", "Adam"]
    assert (tmp_path / "arena/arena.png").read_bytes()[:4] == b"\x89PNG"
    r = glassnet("plot", "arena/arena.json", "--output", "again", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "again/arena.png").stat().st_size > 2000


def test_every_demo_name_reaches_its_demo(capsys, monkeypatch):
    from glassnet import demos

    called = []
    for name in demos.DEMOS:
        monkeypatch.setitem(demos.DEMOS, name, lambda fast, print_fn, n=name:
                            called.append((n, fast)) or {})
    for name in demos.DEMOS:
        assert cli(capsys, "demo", name.upper().replace("-", "_"), "--fast")[0] == 0
    assert called == [(n, True) for n in demos.DEMOS] and len(called) == 14
    code, _, err = cli(capsys, "demo")             # no name: the names are listed
    assert code == 2 and all(n in err for n in demos.DEMOS)


# ---------------------------------------------------------------- in-process
def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, fragment", [
    ([], "choose a command"),
    (["train"], "DATA is missing"),
    (["train", "nosuch"], "neither an existing file nor a built-in"),
    (["train", "circles", "--epochs", "0"], "--epochs must be a positive"),
    (["train", "circles", "--epochs", "ten"], "invalid int value"),
    (["train", "circles", "--lr", "-1"], "--lr must be a positive"),
    (["train", "circles", "--layers", "3,x"], "--layers expects"),
    (["train", "circles", "--activation", "relux"], "--activation 'relux'"),
    (["train", "circles", "--optimizer", "adamx"], "--optimizer 'adamx'"),
    (["train", "circles", "--loss", "mse"], "does not fit a target of 2 classes"),
    (["train", "circles", "--target", "y"], "--target is for CSV files"),
    (["train", "circles", "--validation-split", "1"], "--validation-split must"),
    (["train", "circles", "--bogus"], "unrecognized arguments"),
    (["train", "circles", "--config", "missing.toml"], "does not exist"),
    (["evaluate", "missing.safetensors", "circles"], "no such file"),
    (["summary", "{csv}"], "not a safetensors file|truncated"),
    (["plot", "nowhere"], "not a run directory"),
    (["demo", "nosuch"], "there is no demo"),
    (["demo", "neuron", "--plot", "n.png"], "has no plot"),
    (["train", "circles", "--missing", "maybe"], "--missing must be one of"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, args, fragment):
    path = write_csv(tmp_path / "d.csv", n=12)
    code, out, err = cli(capsys, *[a.format(csv=path) for a in args])
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    import re
    assert re.search(fragment, err), err


def test_text_column_without_one_hot_says_how_to_fix(capsys, tmp_path):
    path = write_csv(tmp_path / "d.csv", n=20)
    code, _, err = cli(capsys, "train", path, "--target", "decision")
    assert code == 2 and "--one-hot" in err and "color" in err


def test_toml_config_with_flags_overriding(capsys, tmp_path):
    (tmp_path / "run.toml").write_text('data = "moons"\nlayers = [5, 3]\n'
                                       'epochs = 9\nbatch-size = 16\n')
    out_dir = tmp_path / "moons"
    code, out, err = cli(capsys, "train", "--config", tmp_path / "run.toml",
                         "--epochs", "2", "--no-plots", "--output", out_dir)
    assert code == 0, err
    assert "model: 2 → 5 relu → 3 relu → 2 softmax" in out
    assert "epoch 2/2" in out and "epoch 3" not in out
    saved = (out_dir / "config.toml").read_text()
    assert "epochs = 2" in saved and "layers = [5, 3]" in saved
    (tmp_path / "bad.toml").write_text("epochs = 2\nlerning_rate = 1\n")
    code, _, err = cli(capsys, "train", "circles", "--config", tmp_path / "bad.toml")
    assert code == 2 and "unknown key 'lerning_rate'" in err


def test_builtin_run_predict_to_stdout_and_resume(capsys, tmp_path):
    out_dir = tmp_path / "c"
    args = ["train", "circles", "--epochs", "3", "--checkpoint-every", "2",
            "--no-plots", "--output", out_dir]
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    assert (out_dir / "checkpoint.safetensors").is_file()
    code, out, err = cli(capsys, *args, "--resume")
    assert code == 0 and "resuming from" in out and "epoch 3/3" not in out
    code, out, _ = cli(capsys, "predict", out_dir, "circles")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "prediction,prob_0,prob_1" and len(lines) == 201


def test_regression_csv(capsys, tmp_path):
    path = tmp_path / "r.csv"
    x = np.linspace(0, 1, 40)
    path.write_text("x,y\n" + "".join(f"{a:.3f},{3 * a + 1:.3f}\n" for a in x))
    code, out, err = cli(capsys, "train", path, "--epochs", "3", "--no-plots",
                         "--output", tmp_path / "r")
    assert code == 0, err
    assert "(regression)" in out and "mae" in out
    code, out, _ = cli(capsys, "predict", tmp_path / "r", path)
    assert code == 0 and out.splitlines()[0] == "prediction"


def test_model_saved_from_python_uses_csv_columns_in_order(capsys, tmp_path):
    net = gn.Sequential([gn.Dense(2, "softmax", input_dim=3)], seed=0)
    net.save(tmp_path / "py.safetensors")
    (tmp_path / "d.csv").write_text("a,b,c,label\n1,2,3,0\n4,5,6,1\n")
    code, out, err = cli(capsys, "predict", tmp_path / "py.safetensors",
                         tmp_path / "d.csv", "--target", "label")
    assert code == 0, err
    p = net.predict_proba(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    rows = [line.split(",") for line in out.splitlines()[1:]]
    np.testing.assert_array_equal(np.array(rows)[:, 1:].astype(np.float32), p)
    code, out, err = cli(capsys, "evaluate", tmp_path / "py.safetensors",
                         tmp_path / "d.csv", "--target", "label")
    assert code == 0 and "accuracy" in out
    code, _, err = cli(capsys, "predict", tmp_path / "py.safetensors",
                       tmp_path / "d.csv")
    assert code == 2 and "4 feature columns" in err


def test_plot_activations_and_demo_plot(capsys, tmp_path):
    code, out, err = cli(capsys, "plot", "activations", "--output", tmp_path)
    assert code == 0, err
    assert (tmp_path / "activations.png").stat().st_size > 2000
    code, out, err = cli(capsys, "demo", "activations", "--plot", tmp_path / "a")
    assert code == 0, err
    assert "f'(z) = σ(z)·(1 − σ(z))" in out or "σ'(z)" in out
    assert (tmp_path / "a.png").stat().st_size > 2000


def test_a_sequence_model_is_refused_with_one_line(capsys):
    path = Path(__file__).parent / "fixtures" / "compat" / "lstm.safetensors"
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert "model for sequences" in err and "read_model_file" in err
