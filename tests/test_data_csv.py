"""CSV loading: the bad-CSV fixture set, policies, and prediction-time reuse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from glassnet.data import (
    FeatureSpec,
    load_csv,
    load_csv_bytes,
    load_csv_features,
    transform_rows,
)
from glassnet.errors import ConfigError, DataError

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def _ok(check):
    return ("ok", check)


def _err(line, column, text):
    return ("error", line, column, text)


# (file, load_csv kwargs, expectation). Every fixture either loads correctly or
# fails with one DataError naming the file, the line and (for cells) the column.
CASES = [
    ("missing.csv", {}, _err(None, None, "not found")),
    ("empty.csv", {}, _err(1, None, "empty file")),
    ("blank_lines.csv", {}, _err(1, None, "empty file")),
    ("header_only.csv", {}, _err(2, None, "at least one data row")),
    ("ragged_row.csv", {}, _err(3, 4, "expected 3 fields")),
    ("non_numeric_cell.csv", {}, _err(3, 2, "received 'tall'")),
    ("valid_numeric.csv", {"target": "price"}, _err(1, None, "received 'price'")),
    ("valid_numeric.csv", {"target": 7}, _err(1, None, "target index")),
    ("single_class.csv", {}, _err(2, 3, "at least 2 classes")),
    ("nan_cells.csv", {}, _err(3, 1, "missing")),
    ("duplicate_header.csv", {}, _err(1, 3, "unique column names")),
    ("id_target.csv", {}, _err(2, 3, "every row is its own class")),
    ("latin1.csv", {}, _err(2, 8, "byte 0xe9")),
    ("unterminated_quote.csv", {}, _err(2, None, "quote")),
    ("infinite.csv", {}, _err(3, 1, "finite")),
    ("decimal_comma.csv", {}, _err(2, 1, "decimals with a point")),
    ("categorical_feature.csv", {}, _err(2, 1, "one_hot")),
    ("categorical_feature.csv", {"one_hot": ["size"]}, _err(2, 1, "received 'red'")),
    (
        "tab.tsv",
        {"task": "classification"},
        _ok(lambda d: d.class_names == ["7.75", "10.25", "12.5"]),
    ),
    (
        "valid_numeric.csv",
        {},
        _ok(lambda d: d.X.shape == (4, 2) and d.y.tolist() == [0, 1, 0, 1]),
    ),
    (
        "bom.csv",
        {},
        _ok(
            lambda d: (
                d.feature_names == ["x1", "x2"] and d.class_names == ["cat", "dog"]
            )
        ),
    ),
    ("semicolon.csv", {}, _ok(lambda d: d.X[1].tolist() == [2.5, 3.0])),
    (
        "tab.tsv",
        {},
        _ok(
            lambda d: (
                d.task == "regression" and d.y.shape == (3, 1) and d.y[0, 0] == 10.25
            )
        ),
    ),
    (
        "quoted_commas.csv",
        {},
        _ok(lambda d: d.class_names == ["New York, NY", "Paris, FR"]),
    ),
    ("long_line.csv", {}, _ok(lambda d: d.X.shape == (4, 3000))),
    ("nan_cells.csv", {"missing": "drop"}, _ok(lambda d: d.X.shape == (2, 2))),
    (
        "nan_cells.csv",
        {"missing": "mean"},
        _ok(lambda d: np.allclose(d.X[1:3], [[7 / 3, 3.0], [4.0, 2.0]])),
    ),
    ("nan_cells.csv", {"missing": "median"}, _ok(lambda d: d.X[1, 0] == 2.0)),
    (
        "latin1.csv",
        {"encoding": "latin-1"},
        _ok(lambda d: d.class_names == ["café", "thé"]),
    ),
    (
        "categorical_feature.csv",
        {"one_hot": ["color"]},
        _ok(
            lambda d: (
                d.feature_names == ["color=blue", "color=green", "color=red", "size"]
            )
        ),
    ),
    (
        "categorical_feature.csv",
        {"one_hot": True},
        _ok(lambda d: d.X[0].tolist() == [0, 0, 1, 1]),
    ),
    (
        "no_header.csv",
        {},
        _ok(lambda d: d.feature_names == ["col1", "col2"] and d.n_samples == 4),
    ),
    ("no_header.csv", {"header": True}, _ok(lambda d: d.n_samples == 3)),
    ("id_target.csv", {"target": "x2"}, _err(2, 3, "received 'u001'")),
    (
        "id_target.csv",
        {"target": "x2", "one_hot": True},
        _ok(lambda d: d.class_names == ["0", "1", "2"] and d.n_features == 16),
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "expect"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_fixture(name, kwargs, expect):
    path = FIXTURES / name
    if expect[0] == "ok":
        data = load_csv(path, **kwargs)
        assert expect[1](data), data
        return
    _, line, column, text = expect
    with pytest.raises(DataError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert name in message
    assert text in message
    assert "expected" in message and "received" in message
    if line is not None:
        assert re.search(rf"\blines? {line}\b", message), message
    if column is not None:
        assert f"column {column}" in message


def test_fixture_set_is_large_enough():
    assert len(list(FIXTURES.iterdir())) >= 15


def test_task_rule_and_override(tmp_path):
    ints = tmp_path / "ints.csv"
    ints.write_text("x,y\n1,0\n2,1\n3,2\n4,1\n")
    assert load_csv(ints).task == "classification"
    assert load_csv(ints, task="regression").y.shape == (4, 1)
    floats = tmp_path / "floats.csv"
    floats.write_text("x,y\n1,0.5\n2,1.5\n3,2.0\n")
    assert load_csv(floats).task == "regression"
    with pytest.raises(ConfigError):
        load_csv(floats, task="clustering")
    with pytest.raises(ConfigError):
        load_csv(floats, missing="zero")


def test_classes_sorted_numerically_and_target_by_index(tmp_path):
    path = tmp_path / "digits.csv"
    path.write_text("y,a,b\n10,1,2\n2,3,4\n10,5,6\n2,7,8\n")
    data = load_csv(path, target=0)
    assert data.class_names == ["2", "10"]
    assert data.y.tolist() == [1, 0, 1, 0]
    assert data.feature_names == ["a", "b"]


def test_prediction_csv_reuses_spec(tmp_path):
    train = load_csv(FIXTURES / "categorical_feature.csv", one_hot=["color"])
    spec = FeatureSpec.from_dict(json.loads(json.dumps(train.spec.to_dict())))
    new = tmp_path / "new.csv"
    new.write_text("size,color\n2,green\n5,red\n")  # other order, no target
    data = load_csv_features(new, like=spec)
    assert data.y is None
    assert data.X.tolist() == [[0, 1, 0, 2], [0, 0, 1, 5]]
    assert data.class_names == ["a", "b"]
    rows = transform_rows([{"color": "blue", "size": 1}, ["red", "3"]], train)
    assert rows.tolist() == [[1, 0, 0, 1], [0, 0, 1, 3]]
    bad = tmp_path / "bad.csv"
    bad.write_text("color,size\npurple,1\n")
    with pytest.raises(DataError, match=r"bad.csv, line 2, column 1.*'purple'"):
        load_csv_features(bad, like=train)
    absent = tmp_path / "absent.csv"
    absent.write_text("colour,size\nred,1\n")
    with pytest.raises(DataError, match="a column named 'color'"):
        load_csv_features(absent, like=train)


def test_prediction_imputes_with_training_statistics(tmp_path):
    train = load_csv(FIXTURES / "nan_cells.csv", missing="mean")
    new = tmp_path / "new.csv"
    new.write_text("x1,x2\n,1\n5,NA\n")
    X = load_csv_features(new, like=train.spec.to_dict()).X
    assert np.allclose(X, [[7 / 3, 1.0], [5.0, 2.0]])
    strict = load_csv(FIXTURES / "nan_cells.csv", missing="drop")
    with pytest.raises(DataError, match=r"line 2, column 1"):
        load_csv_features(new, like=strict)


def test_no_header_prediction_by_position(tmp_path):
    train = load_csv(FIXTURES / "no_header.csv")
    new = tmp_path / "new.csv"
    new.write_text("9,10\n11,12\n")
    assert load_csv_features(new, like=train).X.tolist() == [[9, 10], [11, 12]]
    with_target = tmp_path / "with_target.csv"
    with_target.write_text("9,10,1\n11,12,0\n")
    assert load_csv_features(with_target, like=train).y.tolist() == [1, 0]


def test_csv_bytes_in_memory_read_like_the_file(tmp_path):
    raw = "\ufeffsize;colour;label\n1.5;red;yes\n2;blue;no\n3;red;yes\n".encode()
    path = tmp_path / "shop.csv"
    path.write_bytes(raw)
    a = load_csv(path, one_hot=True)
    b = load_csv_bytes(raw, source="shop.csv", one_hot=True)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert a.feature_names == b.feature_names and a.class_names == b.class_names
    with pytest.raises(DataError, match=r"upload\.csv, line 3"):
        load_csv_bytes(b"a,b\n1,2\n3\n")
