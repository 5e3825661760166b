"""Data for glassnet: toy sets, MNIST, CSV files, splits, scaling and batches.

Every name below is defined in the module shown beside it.
"""

from glassnet.data.batching import BatchIterator, Gather
from glassnet.data.builtin import builtin_names, load_builtin
from glassnet.data.csv import load_csv, load_csv_bytes
from glassnet.data.csv_features import load_csv_features, transform_rows
from glassnet.data.dataset import Dataset
from glassnet.data.download import download, sha256_file
from glassnet.data.encoders import LabelEncoder, OneHotEncoder, to_categorical
from glassnet.data.features import ColumnSpec, FeatureSpec
from glassnet.data.folds import KFold, StratifiedKFold, cross_validate
from glassnet.data.generated import (
    blobs,
    circles,
    line,
    logic_gate,
    meal_prices,
    moons,
    noisy_curve,
    seven_segment,
    spirals,
    xor_points,
)
from glassnet.data.idx import read_idx, write_idx
from glassnet.data.mnist import default_cache_dir, load_mnist, read_npz
from glassnet.data.preprocessing import preprocessor_from_dict
from glassnet.data.scalers import MinMaxScaler, StandardScaler
from glassnet.data.splits import (
    split_indices,
    train_test_split,
    train_val_test_split,
)

__all__ = [
    "BatchIterator",
    "ColumnSpec",
    "Dataset",
    "FeatureSpec",
    "Gather",
    "KFold",
    "LabelEncoder",
    "MinMaxScaler",
    "OneHotEncoder",
    "StandardScaler",
    "StratifiedKFold",
    "blobs",
    "builtin_names",
    "circles",
    "cross_validate",
    "default_cache_dir",
    "download",
    "line",
    "load_builtin",
    "load_csv",
    "load_csv_bytes",
    "load_csv_features",
    "load_mnist",
    "logic_gate",
    "meal_prices",
    "moons",
    "noisy_curve",
    "preprocessor_from_dict",
    "read_idx",
    "read_npz",
    "seven_segment",
    "sha256_file",
    "spirals",
    "split_indices",
    "to_categorical",
    "train_test_split",
    "train_val_test_split",
    "transform_rows",
    "write_idx",
    "xor_points",
]
