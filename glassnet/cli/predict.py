"""``glassnet predict MODEL DATA``: predictions and class probabilities as CSV."""

from __future__ import annotations

import csv
import io
import sys

from glassnet.cli.datasets import load_data_like
from glassnet.cli.saved import open_model
from glassnet.files.atomic import atomic_write_bytes


def run(args) -> int:
    saved = open_model(args.model)
    data = load_data_like(saved, args.data, args.target, args.seed,
                          unknown=getattr(args, "unknown", "error"))
    unknown = data.unknown_rows
    if unknown is not None and len(unknown):
        rows = ", ".join(str(int(i) + 1) for i in unknown[:10])
        more = ", …" if len(unknown) > 10 else ""
        print(f"note: {len(unknown)} row(s) hold a category not seen in training "
              f"(data rows {rows}{more}); their one-hot columns are all 0 "
              "(--unknown ignore)", file=sys.stderr)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if saved.class_names:
        P = saved.predict_proba(data.X)                           # (n, K)
        names = saved.class_names
        w.writerow(["prediction", *[f"prob_{c}" for c in names]])
        for row in P:
            w.writerow([names[int(row.argmax())], *map(str, row)])
    else:
        Y = saved.predict(data.X)                                 # (n, n_out)
        cols = ["prediction"] if Y.shape[1] == 1 else \
            [f"prediction_{i + 1}" for i in range(Y.shape[1])]
        w.writerow(cols)
        for row in Y:
            w.writerow(list(map(str, row)))
    text = buf.getvalue()   # str(v): the shortest text that reads back as v
    if args.output:
        atomic_write_bytes(args.output, text.encode("utf-8"))
        print(f"wrote {data.n_samples} predictions to {args.output}")
    else:
        sys.stdout.write(text)
    return 0
