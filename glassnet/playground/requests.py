"""What a request may carry, checked where it enters the server.

Every problem becomes an ``HTTPError`` with a 4xx status and one line that
says what was expected, what came and how to fix it; the server sends that
line as the response body and carries on.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, urlsplit

from glassnet.errors import expected

MAX_JSON_BYTES = 16 * 1024   # controls, actions and receipt questions are small
MAX_COORD = 1e6              # a chosen point's |x₁|, |x₂|


class HTTPError(Exception):
    """A request the server refuses: ``status`` and a one-line ``reason``."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = " ".join(str(reason).split())


def split_path(raw: str) -> tuple[str, dict[str, str]]:
    """'/api/x?id=1' → ('/api/x', {'id': '1'}); a key given twice is refused."""
    parts = urlsplit(raw)
    try:
        query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=8)
    except ValueError:
        raise HTTPError(400, expected("at most 8 query parameters", parts.query[:60],
                                      "Send e.g. ?id=SESSION.")) from None
    if any(len(v) > 1 for v in query.values()):
        raise HTTPError(400, expected("each query parameter once", parts.query,
                                      "Send e.g. ?id=SESSION."))
    return parts.path, {k: v[0] for k, v in query.items()}


def read_body(headers, rfile, limit: int) -> bytes:
    """The request body, refused before reading when longer than ``limit``."""
    length = headers.get("Content-Length")
    if length is None:
        raise HTTPError(411, "expected a Content-Length header, received none. "
                             "Send the body with its length.")
    try:
        n = int(length)
    except ValueError:
        raise HTTPError(400, expected("a whole number as Content-Length",
                                      repr(length), "Send the body's size in "
                                      "bytes.")) from None
    if n < 0:
        raise HTTPError(400, expected("Content-Length ≥ 0", n, "Send the body's "
                                      "size in bytes."))
    if n > limit:
        raise HTTPError(413, expected(f"a body of at most {limit:,} bytes",
                                      f"{n:,} bytes", "Send less."))
    body = rfile.read(n)
    if len(body) != n:
        raise HTTPError(400, expected(f"{n} bytes of body", f"{len(body)} before "
                                      "the connection closed", "Send the whole body."))
    return body


def read_json(headers, rfile) -> dict:
    """A JSON object body of at most MAX_JSON_BYTES."""
    body = read_body(headers, rfile, MAX_JSON_BYTES)
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as err:
        raise HTTPError(400, expected("a JSON object", f"text that is not JSON "
                                      f"({_first_line(err)})", "Send e.g. "
                                      '{"action": "play"}.')) from None
    if not isinstance(value, dict):
        raise HTTPError(400, expected("a JSON object", type(value).__name__,
                                      'Send e.g. {"action": "play"}.'))
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


# -- the fields of a receipt question -----------------------------------------------
def integer(obj: dict, key: str, low: int, high: int) -> int:
    v = obj.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise HTTPError(400, expected(f"{key} as an integer in [{low}, {high}]",
                                      repr(v), f"Send e.g. \"{key}\": {low}."))
    return v


def point(obj: dict) -> list[float]:
    v = obj.get("point")
    ok = isinstance(v, list) and len(v) == 2 and all(
        isinstance(c, int | float) and not isinstance(c, bool)
        and math.isfinite(c) and abs(c) <= MAX_COORD for c in v)
    if not ok:
        raise HTTPError(400, expected("point as [x1, x2], two finite numbers",
                                      repr(v)[:80], "Click a point on the map."))
    return [float(c) for c in v]


def receipt_question(obj: dict, model) -> dict:
    """{"kind": "weight", "layer", "i", "j"} or {"kind": "neuron", "layer",
    "unit", "point"}, with indices inside ``model``."""
    kind = obj.get("kind")
    n = len(model.layers)
    if kind == "weight":
        layer = integer(obj, "layer", 0, n - 1)
        n_in, n_out = model.layers[layer].W.shape
        return {"kind": kind, "layer": layer, "i": integer(obj, "i", 0, n_in - 1),
                "j": integer(obj, "j", 0, n_out - 1)}
    if kind == "neuron":
        layer = integer(obj, "layer", 0, n - 1)
        return {"kind": kind, "layer": layer,
                "unit": integer(obj, "unit", 0, model.layers[layer].units - 1),
                "point": point(obj)}
    raise HTTPError(400, expected('kind "weight" or "neuron"', repr(kind)[:40],
                                  'Send e.g. {"kind": "weight", "layer": 0, "i": 0, '
                                  '"j": 0}.'))
