"""Data that used to mislead (issue 15, items 10, 11 and 22): messages that
name the real problem, Excel's ``sep=`` line, memory near the arrays' size,
unseen categories at prediction time."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import load_csv, load_csv_features


def _regression(n=64, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, 2))
    return X, X @ [1.0, -2.0] + 0.5


def test_features_of_1e308_are_standardised_not_called_nan():
    """Item 10: μ and σ of ±1e308 overflowed, so the scaler gave inf and fit
    said 'NaN or inf in X'. Now they are computed on X / max|X|."""
    X = np.array([[1e308, 1.0], [-1e308, 2.0], [5e307, 3.0], [-5e307, 4.0]])
    Z = gn.StandardScaler().fit(X).transform(X)
    assert np.isfinite(Z).all()
    assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z.std(axis=0), 1)


@pytest.mark.parametrize("where", ["X", "y"])
def test_values_beyond_float32_are_named_not_called_nan(where, errmsg):
    """Item 10: a finite 1e300 became inf in the cast to float32, silently
    (a NumPy warning) and then 'NaN or inf'."""
    X, y = _regression()
    if where == "X":
        X[3, 1] = 1e300
    else:
        y[5] = 1e300
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    net.compile("mse", "sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)   # no NumPy overflow warning
        with pytest.raises(gn.ShapeError) as info:
            net.fit(X, y, verbose=0)
    errmsg(info, "float32", "1e+300", "float64")


def test_an_infinite_target_is_not_called_an_id_column(tmp_path):
    """Item 10: 'inf' made the target non-numeric, so it became classes, one
    per row, refused as 'an ID column'."""
    path = tmp_path / "t.csv"
    rows = [f"{i},{i % 3},{i * 0.5}" for i in range(15)]
    rows[4] = "4,1,inf"
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(gn.DataError, match=r"line 6, column 3.*finite target.*'inf'"):
        load_csv(path)


def test_complex_input_is_refused(errmsg):
    """Item 10: complex X trained on its real part, with only NumPy's warning."""
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    net.compile("mse", "sgd")
    X = np.ones((4, 2)) * (1 + 2j)
    with pytest.raises(gn.ShapeError) as info:
        net.fit(X, np.ones(4), batch_size=2, verbose=0)
    errmsg(info, "complex")
    with pytest.raises(gn.ShapeError):
        net.predict(X)


@pytest.mark.parametrize("value", [10**400, -(10**400)], ids=["plus", "minus"])
def test_huge_ints_as_hyperparameters_are_config_errors(value):
    """Item 10: 10**400 as a learning rate or a slope gave OverflowError."""
    from glassnet.core.activations_extra import ELU, LeakyReLU
    net = gn.Sequential([gn.Dense(1, input_dim=2)], seed=0)
    for make in (lambda: net.compile("mse", "sgd", learning_rate=value),
                 lambda: LeakyReLU(value), lambda: ELU(value),
                 lambda: gn.Dropout(value), lambda: gn.regularizers.L2(value),
                 lambda: gn.schedules.StepDecay(value)):
        with pytest.raises(gn.ConfigError, match="digits"):
            make()


def test_excel_sep_line_sets_the_delimiter(tmp_path):
    """Item 11: a file beginning with Excel's 'sep=;' line was not recognised."""
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nx1;x2;y\n1,5;2;a\n3;4,5;b\n5;6;a\n7;8;b\n")
    with pytest.raises(gn.DataError, match=r"line 3, column 1.*decimals"):
        load_csv(path)
    path.write_text("sep=;\r\nx1;x2;y\r\n1.5;2;a\r\n3;4.5;b\r\n5;6;a\r\n7;8;b\r\n")
    data = load_csv(path)
    assert data.feature_names == ["x1", "x2"] and data.class_names == ["a", "b"]
    assert data.X[:2].tolist() == [[1.5, 2.0], [3.0, 4.5]]


def test_loading_a_csv_needs_memory_near_its_arrays(tmp_path):
    """Item 11: every cell used to be a Python string in a list of rows
    (about 13× the file's size under tracemalloc, 23× in RSS); now numeric
    columns are float64 arrays from the start."""
    rng = np.random.default_rng(0)
    path = tmp_path / "wide.csv"
    X = rng.normal(size=(12000, 10))
    with open(path, "w") as f:
        f.write(",".join(f"x{i}" for i in range(10)) + ",color,y\n")
        for i, row in enumerate(X):
            f.write(",".join(f"{v:.6f}" for v in row)
                    + f",{('red', 'green', 'blue')[i % 3]},{row.sum():.4f}\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        data = load_csv(path, one_hot=["color"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    arrays = data.X.nbytes + data.y.nbytes
    assert data.X.shape == (12000, 13) and np.allclose(data.X[:, :10], X, atol=1e-6)
    assert peak < 3.5 * size and peak < 4 * arrays, (peak, size, arrays)


def test_numbers_in_a_one_hot_column_keep_their_text(tmp_path):
    """Item 11 (kept behaviour): a one-hot column's categories are its text
    ('02134' stays '02134'), while numeric columns became float arrays."""
    path = tmp_path / "zip.csv"
    path.write_text("zip,x,y\n02134,1,a\n10001,2,b\n02134,3,a\n10001,4,b\n")
    data = load_csv(path, one_hot=["zip"])
    assert data.feature_names == ["zip=02134", "zip=10001", "x"]


def test_a_late_text_cell_turns_the_column_to_text(tmp_path):
    """Item 11: a column read as numbers for its first chunk of rows and text
    after it is read again, so every cell keeps its text."""
    from glassnet.data import _csvread
    path = tmp_path / "late.csv"
    n = _csvread._CELLS_PER_CHUNK // 3 + 10
    cells = [str(i % 4) for i in range(n)]
    cells[-3] = "four"
    path.write_text("c,x,y\n" + "".join(f"{c},{i},{i % 2}\n"
                                           for i, c in enumerate(cells)))
    data = load_csv(path, one_hot=True)
    assert data.feature_names[:5] == ["c=0", "c=1", "c=2", "c=3", "c=four"]
    assert data.X[-3, 4] == 1 and data.X[0, 0] == 1


def test_unknown_categories_can_be_ignored(tmp_path):
    """Item 22: one unseen category failed the whole file; unknown='ignore'
    gives it an all-zero one-hot block and lists the row."""
    train = tmp_path / "train.csv"
    train.write_text("color,x,y\nred,1,a\nblue,2,b\nred,3,a\nblue,4,b\n")
    spec = load_csv(train, one_hot=["color"]).spec
    new = tmp_path / "new.csv"
    new.write_text("color,x\nred,1\npurple,2\nblue,3\n")
    with pytest.raises(gn.DataError, match="'purple'.*--unknown ignore"):
        load_csv_features(new, spec)
    data = load_csv_features(new, spec, unknown="ignore")
    assert data.X.tolist() == [[0, 1, 1], [0, 0, 2], [1, 0, 3]]
    assert data.unknown_rows.tolist() == [1]


def test_the_float32_range_check_agrees_with_min_and_max_on_every_case():
    """_within's Σx² shortcut only ever says yes when min and max would; every
    other chunk takes the exact check."""
    from glassnet._validation import _within
    top = float(np.finfo(np.float32).max)
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 7))
    cases = {"ordinary": base, "near the top": base * 1e37,
             "many values near the top (Σx² over top², each within)":
                 np.full((300, 7), 0.9 * top),
             "one beyond": base.copy(), "one -inf": base.copy(), "one NaN": base.copy(),
             "float32 input": base.astype(np.float32),
             "strided": np.asfortranarray(base * 1e37)}
    cases["one beyond"][123, 4] = -1.01 * top
    cases["one -inf"][5, 0] = -np.inf
    cases["one NaN"][299, 6] = np.nan
    for name, arr in cases.items():
        exact = bool(np.all(np.abs(arr) <= top))           # False for NaN
        for chunk_bytes in (64 << 20, 7 * 8 * 16):          # one chunk, many
            assert _within(arr, top, chunk_bytes) == exact, (name, chunk_bytes)
