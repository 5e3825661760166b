"""glassnet search on one machine: the grid, the tasks, the outputs, failures.

The Dask cluster cases are in test_search_dask.py."""

from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.cli.gridsearch import (
    configurations,
    folds,
    make_tasks,
    read_grid,
    run_task,
    run_tasks,
)
from glassnet.io import read_model_file

GRID = 'layers = [8, "8,4"]\nlr = [0.01, 0.1]\nepochs = [4]\n'


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def scores(rows: list[dict]) -> list[list[str]]:
    """Every number of results.csv but the fit time."""
    return [[v for k, v in r.items() if k != "fit_time_s"] for r in rows]


def one_line_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("glassnet search: error:"), err
    return err


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """One small search on the built-in circles data, in this process."""
    tmp = tmp_path_factory.mktemp("search")
    grid = write(tmp / "grid.toml", GRID)
    assert main(["search", "circles", "--grid", str(grid), "--cv", "3", "--seed",
                 "0", "--output", str(tmp / "out"), "--quiet"]) == 0
    return tmp


def test_the_grid_file_becomes_checked_configurations(tmp_path):
    grid = read_grid(str(write(tmp_path / "g.toml", GRID)))
    assert grid == {"layers": [8, "8,4"], "lr": [0.01, 0.1], "epochs": [4]}
    configs = configurations(grid, {"data": "circles"})
    assert [(c.layers, c.lr, c.epochs) for c in configs] == [
        ([8], 0.01, 4), ([8], 0.1, 4), ([8, 4], 0.01, 4), ([8, 4], 0.1, 4)]
    as_json = write(tmp_path / "g.json", json.dumps(
        {"layers": [[8], [8, 4]], "lr": [0.01, 0.1], "epochs": [4]}))
    assert configurations(read_grid(str(as_json)), {"data": "circles"}) == configs


def test_results_csv_has_one_row_per_configuration(search):
    rows = read_rows(search / "out" / "results.csv")
    assert list(rows[0]) == ["rank", "layers", "lr", "epochs", "mean_accuracy",
                             "std_accuracy", "fold1_accuracy", "fold2_accuracy",
                             "fold3_accuracy", "fit_time_s", "error"]
    assert [(r["layers"], r["lr"]) for r in rows] == [
        ("8", "0.01"), ("8", "0.1"), ("8,4", "0.01"), ("8,4", "0.1")]
    assert sorted(int(r["rank"]) for r in rows) == [1, 2, 3, 4]
    for r in rows:
        folds_ = [float(r[f"fold{f}_accuracy"]) for f in (1, 2, 3)]
        assert float(r["mean_accuracy"]) == pytest.approx(np.mean(folds_))
        assert float(r["std_accuracy"]) == pytest.approx(np.std(folds_))
        assert r["error"] == ""
    best = min(rows, key=lambda r: int(r["rank"]))
    assert float(best["mean_accuracy"]) == max(float(r["mean_accuracy"])
                                               for r in rows)


def test_each_score_is_the_task_trained_as_glassnet_train_trains(search):
    """Recompute configuration 2's folds by hand: fold rows from StratifiedKFold,
    a scaler-free built-in, the network glassnet train builds, fit, accuracy."""
    rows = read_rows(search / "out" / "results.csv")
    data = gn.load_builtin("circles", seed=0)
    splits = list(gn.StratifiedKFold(3, shuffle=True, seed=0).split(data.X, data.y))
    for f, (train, val) in enumerate(splits):
        net = gn.Sequential([gn.Dense(8, "relu", input_dim=2),
                             gn.Dense(2, "softmax")], seed=0)
        net.compile("categorical_crossentropy", "adam", learning_rate=0.1)
        net.fit(data.X[train], data.y[train], epochs=4, batch_size=32, seed=0,
                verbose=0)
        expected = np.mean(net.predict_classes(data.X[val]) == data.y[val])
        assert float(rows[1][f"fold{f + 1}_accuracy"]) == expected


def test_best_model_is_glassnet_train_of_the_best_configuration(search, capsys):
    """best.safetensors holds the best configuration refit on every row, bitwise
    what the report's glassnet train command gives; glassnet predict reads it."""
    out = search / "out"
    report = (out / "report.md").read_text()
    command = report.split("exactly as this command trains it:")[1]
    command = command.split("```sh\n")[1].split("\n```")[0]
    argv = shlex.split(command)[1:]
    argv[argv.index("--output") + 1] = str(search / "again")
    assert main(argv + ["--quiet", "--no-plots"]) == 0
    best = read_model_file(out / "best.safetensors")
    again = read_model_file(search / "again" / "model.safetensors")
    for a, b in zip(best.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert best.info["search"]["metric"] == "accuracy"
    capsys.readouterr()
    assert main(["predict", str(out / "best.safetensors"), "circles"]) == 0
    assert capsys.readouterr().out.startswith("prediction,prob_")


def test_the_report_ranks_the_configurations_and_shows_the_plot(search):
    out = search / "out"
    report = (out / "report.md").read_text()
    for part in ("## Reproduce", "glassnet search circles", "## Best configuration",
                 "## Results", "![accuracy against each option](plots/scores.png)"):
        assert part in report
    assert (out / "plots" / "scores.png").stat().st_size > 0


def test_n_jobs_2_gives_exactly_the_scores_of_one_process(search):
    pytest.importorskip("joblib")
    out = search / "jobs2"
    assert main(["search", "circles", "--grid", str(search / "grid.toml"), "--cv",
                 "3", "--output", str(out), "--n-jobs", "2", "--quiet",
                 "--no-plots"]) == 0
    assert scores(read_rows(out / "results.csv")) == \
        scores(read_rows(search / "out" / "results.csv"))


def test_a_diverging_or_erroring_configuration_is_recorded_and_the_search_goes_on(
        tmp_path):
    grid = write(tmp_path / "g.toml", 'optimizer = ["sgd"]\nlr = [0.01, 1e30]\n'
                 'loss = ["mse", "binary_crossentropy"]\nepochs = [3]\n')
    assert main(["search", "line", "--grid", str(grid), "--cv", "2", "--output",
                 str(tmp_path / "out"), "--quiet", "--no-plots"]) == 0
    rows = {(r["lr"], r["loss"]): r for r in read_rows(tmp_path / "out" /
                                                     "results.csv")}
    assert rows[("0.01", "mse")]["rank"] == "1" and not rows[("0.01", "mse")]["error"]
    diverged = rows[("1e+30", "mse")]
    assert diverged["rank"] == "" and diverged["mean_mse"] == ""
    assert "TrainingError" in diverged["error"] and "fold 1" in diverged["error"]
    for lr in ("0.01", "1e+30"):
        assert "binary_crossentropy" in rows[(lr, "binary_crossentropy")]["error"]
    assert (tmp_path / "out" / "best.safetensors").is_file()


def test_a_task_failure_is_a_result_not_an_exception():
    data = gn.load_builtin("line", seed=0)
    cfg = configurations({"lr": [1e30], "optimizer": ["sgd"], "epochs": [2]},
                         {"data": "line", "validation_split": 0.0})
    task = make_tasks(cfg, folds(data, 2, seed=0))[0]
    result = run_task(task, data)
    assert not result.ok and np.isnan(result.score)
    assert result.error.startswith("TrainingError: ")


def test_when_every_configuration_fails_the_search_says_so_in_one_line(
        tmp_path, capsys):
    grid = write(tmp_path / "g.toml", 'optimizer = ["sgd"]\nlr = [1e30]\n'
                 'epochs = [2]\n')
    err = one_line_error(capsys, ["search", "line", "--grid", str(grid), "--cv", "2",
                                  "--output", str(tmp_path / "out"), "--quiet"])
    assert "every configuration failed" in err and "results.csv" in err
    assert read_rows(tmp_path / "out" / "results.csv")[0]["error"]


@pytest.mark.parametrize("text, fragment", [
    ("lr = [0.01\n", "is not valid TOML"),
    ("learning_rate = [0.01]\n", "unknown option 'learning_rate'"),
    ("seed = [0, 1]\n", "'seed' is not searched"),
    ("lr = 0.01\n", "'lr' must be a non-empty list"),
    ("lr = []\n", "'lr' must be a non-empty list"),
    ('lr = ["fast"]\n', "--lr (config key 'lr') has the wrong type"),
    ('activation = ["relu", "swish9"]\n', "--activation 'swish9' is not known"),
    ("early_stopping = [3]\n", "needs --validation-split > 0"),
    ("", "holds no options"),
])
def test_a_bad_grid_exits_2_with_one_line(tmp_path, capsys, text, fragment):
    grid = write(tmp_path / "g.toml", text)
    err = one_line_error(capsys, ["search", "circles", "--grid", str(grid),
                                  "--output", str(tmp_path / "out")])
    assert fragment in err and str(grid) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["--cv", "1"], "--cv must be at least 2"),
    (["--n-jobs", "0"], "--n-jobs must be"),
    (["--cv", "500"], "at least k=500 rows"),
    (["--grid", "missing.toml"], "does not exist"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, argv, fragment):
    grid = write(tmp_path / "g.toml", "lr = [0.01]\nepochs = [1]\n")
    err = one_line_error(capsys, ["search", "circles", "--grid", str(grid),
                                  "--output", str(tmp_path / "out"), *argv])
    assert fragment in err


def test_tasks_run_the_same_in_any_order():
    """A task's score depends only on the task: run backwards, same scores."""
    data = gn.load_builtin("circles", seed=0)
    configs = configurations({"lr": [0.01, 0.1], "epochs": [2]},
                             {"data": "circles", "validation_split": 0.0})
    tasks = make_tasks(configs, folds(data, 3, seed=0))
    forward = run_tasks(tasks, data)
    backward = run_tasks(tasks[::-1], data)
    assert [r.score for r in forward] == [r.score for r in backward[::-1]]
    assert len({r.score for r in forward}) > 1


def test_on_a_csv_the_scaler_of_each_task_is_fitted_on_its_training_folds(
        tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal([50.0, 0.01], [15.0, 0.005], size=(90, 2))  # scales far apart
    y = np.where((X[:, 0] - 50) / 15 + (X[:, 1] - 0.01) / 0.005 > 0, "yes", "no")
    lines = ["a,b,label"] + [f"{a:.3f},{b:.5f},{t}"
                             for (a, b), t in zip(X, y, strict=True)]
    write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    write(tmp_path / "g.toml", "lr = [0.05]\nepochs = [3]\nlayers = [4]\n")
    assert main(["search", str(tmp_path / "d.csv"), "--target", "label", "--grid",
                 str(tmp_path / "g.toml"), "--cv", "3", "--output",
                 str(tmp_path / "out"), "--quiet", "--no-plots"]) == 0
    row = read_rows(tmp_path / "out" / "results.csv")[0]
    data = gn.load_csv(str(tmp_path / "d.csv"), "label")
    splits = gn.StratifiedKFold(3, shuffle=True, seed=0).split(data.X, data.y)
    for f, (train, val) in enumerate(splits):
        scaler = gn.StandardScaler().fit(data.X[train])
        net = gn.Sequential([gn.Dense(4, "relu", input_dim=2),
                             gn.Dense(2, "softmax")], seed=0)
        net.compile("categorical_crossentropy", "adam", learning_rate=0.05)
        net.fit(scaler.transform(data.X[train]), data.y[train], epochs=3,
                batch_size=32, seed=0, verbose=0)
        pred = net.predict_classes(scaler.transform(data.X[val]))
        assert float(row[f"fold{f + 1}_accuracy"]) == np.mean(pred == data.y[val])
    best = read_model_file(tmp_path / "out" / "best.safetensors")
    np.testing.assert_allclose(best.preprocessing[0].mean_, data.X.mean(axis=0))
