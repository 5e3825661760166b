"""The playground's web server: the page, its assets and a small JSON API,
on the standard library's ``ThreadingHTTPServer``; training state streams to
the page as Server-Sent Events.

    GET  /                      the page          GET /static/NAME  its assets
    POST /api/session           a new session: {"id", "settings", "choices"}
    GET  /api/stream?id=ID      events "data" (points) and "frame" (after updates)
    GET  /api/state?id=ID       the last frame
    POST /api/action?id=ID      {"action": "play" | "pause" | "toggle" | "step" |
                                 "reset" | "regenerate"}
    POST /api/control?id=ID     {"learning_rate": 0.1, …} (settings.py)
    POST /api/explain?id=ID     {"kind": "weight", "layer", "i", "j"} or
                                {"kind": "neuron", "layer", "unit", "point"}
    POST /api/upload?id=ID      a CSV file as text/csv (data.MAX_UPLOAD_BYTES)
    POST /api/close?id=ID       the page is going away

Assets are read once, at start: on request the server reads no file. A
refused request gets a 4xx status and one line of text saying why.
"""

from __future__ import annotations

import errno
import importlib.resources
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from glassnet.errors import ConfigError, GlassnetError, expected
from glassnet.playground import data, frames, requests
from glassnet.playground.requests import HTTPError
from glassnet.playground.session import Sessions, SessionsFull
from glassnet.playground.settings import choices
from glassnet.playground.stream import stream

ASSETS = ("index.html", "style.css", "app.js", "draw.js", "network.js")
TYPES = {"html": "text/html", "css": "text/css", "js": "text/javascript"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def load_assets() -> dict[str, tuple[bytes, str]]:
    """{name: (bytes, content type)} of the page's files, shipped in the package."""
    root = importlib.resources.files("glassnet.playground").joinpath("static")
    return {name: (root.joinpath(name).read_bytes(),
                   TYPES[name.rsplit(".", 1)[1]] + "; charset=utf-8")
            for name in ASSETS}


class PlaygroundServer(ThreadingHTTPServer):
    """One server: its sessions, its assets, and whether it is stopping."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 sessions: Sessions | None = None, log=None):
        self.sessions = sessions if sessions is not None else Sessions()
        self.assets = load_assets()
        self.log = log                     # a function for request lines, or None
        self.stopping = threading.Event()
        try:
            super().__init__((host, port), Handler)
        except OSError as err:
            raise _bind_error(host, port, err) from None
        self.hosts = _allowed_hosts(host, self.server_address[1])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        """End every stream and training thread, then stop serving."""
        self.stopping.set()
        self.sessions.close_all()
        self.shutdown()


def _bind_error(host: str, port: int, err: OSError) -> ConfigError:
    if err.errno == errno.EADDRINUSE:
        return ConfigError(expected(f"a free port on {host}", f"port {port}, "
                                    "which another program is using",
                                    "Pass --port N with another number, or --port 0 "
                                    "to take any free one."))
    return ConfigError(expected("an address this machine can serve on", f"{host}:"
                                f"{port} ({err.strerror or err})",
                                "Use --host 127.0.0.1 (the default)."))


def _allowed_hosts(host: str, port: int) -> set[str] | None:
    """Host headers accepted on a loopback address (a guard against DNS
    rebinding); None (any) when serving a network on purpose."""
    if host not in LOOPBACK:
        return None
    return {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")}


class Handler(BaseHTTPRequestHandler):
    """Routes a request to one of the small functions below."""

    server: PlaygroundServer
    server_version = "glassnet-playground"
    default_request_version = "HTTP/1.0"   # even a garbled request line gets a status
    timeout = 30            # a client that sends or reads nothing for 30 s is dropped

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method: str) -> None:
        try:
            path, query = requests.split_path(self.path)
            self._check_host()
            route = _route(method, path)
            route(self, path, query)
        except HTTPError as err:
            self.reply_error(err.status, err.reason)
        except GlassnetError as err:             # ConfigError, DataError: bad input
            self.reply_error(400, str(err))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True         # the page went away
        except Exception as err:  # a bug: one line here and to the page, no traceback
            print(f"glassnet playground: internal error on {method} {self.path!r}: "
                  f"{type(err).__name__}: {err}", file=sys.stderr)
            self.reply_error(500, f"internal error: {type(err).__name__}: {err}")

    def _check_host(self) -> None:
        allowed = self.server.hosts
        if allowed is not None and self.headers.get("Host") not in allowed:
            raise HTTPError(403, expected(f"a Host header in {sorted(allowed)}",
                                          repr(self.headers.get("Host"))[:60],
                                          "Open the URL the server printed."))

    # -- replies ------------------------------------------------------------------
    def reply(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, text: str) -> None:
        self.reply(text.encode("utf-8"), "application/json")

    def reply_error(self, status: int, reason: str) -> None:
        """The status and one line of text: what was wrong and how to fix it."""
        line = " ".join(str(reason).split())[:500]
        self.close_connection = True
        try:
            self.reply((line + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                       status)
        except OSError:
            pass                                 # the client is already gone

    def send_error(self, code, message=None, explain=None):
        """http.server's own refusals (bad request line, unknown method, …),
        as one line; an unknown method is 405, not 501: the request is at fault."""
        code = 405 if code == 501 else code
        self.reply_error(code, message or self.responses.get(code, ("error",))[0])

    def log_message(self, format, *args):
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    # -- the session a request names ------------------------------------------------
    def session(self, query: dict):
        sid = query.get("id")
        if not sid:
            raise HTTPError(400, "expected ?id=SESSION in the URL, received none. "
                                 "Create a session with POST /api/session first.")
        s = self.server.sessions.get(sid)
        if s is None:
            raise HTTPError(404, expected("an open session", repr(sid)[:40],
                                          "It was closed (its page was not watched "
                                          "for a while, or the server restarted): "
                                          "reload the page."))
        return s

    def json_body(self) -> dict:
        _content_type(self.headers, "application/json")
        return requests.read_json(self.headers, self.rfile)


def _content_type(headers, wanted: str) -> None:
    got = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if got != wanted:
        raise HTTPError(415, expected(f"Content-Type {wanted}", repr(got or None),
                                      f"Send the body as {wanted}."))


# -- routes: (handler, path, query) → a reply ------------------------------------------
def _asset(h: Handler, path: str, query: dict) -> None:
    name = "index.html" if path == "/" else path[len("/static/"):]
    if name not in h.server.assets:
        raise HTTPError(404, expected(f"one of the page's files {list(ASSETS)}",
                                      repr(name)[:60], "Open the page at /."))
    body, kind = h.server.assets[name]
    h.reply(body, kind)


def _new_session(h: Handler, path: str, query: dict) -> None:
    try:
        s = h.server.sessions.create()
    except SessionsFull as err:
        raise HTTPError(429, str(err)) from None
    h.reply_json(f'{{"id": "{s.id}", "choices": {_json(choices())}}}')


def _state(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    with s.lock:
        text = s.frame_json
    h.reply_json(text)


def _action(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    h.reply_json(_json(s.act(h.json_body().get("action"))))


def _control(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    h.reply_json(_json(s.change(h.json_body())))


def _explain(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    h.reply_json(_json(s.explain(h.json_body())))


def _upload(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    _content_type(h.headers, "text/csv")
    raw = requests.read_body(h.headers, h.rfile, data.MAX_UPLOAD_BYTES)
    X, y, names = data.read_upload(raw)
    h.reply_json(_json(s.upload(X, y, names)))


def _close(h: Handler, path: str, query: dict) -> None:
    s = h.session(query)
    h.server.sessions.close(s.id)
    h.reply_json('{"closed": true}')


def _stream(h: Handler, path: str, query: dict) -> None:
    stream(h, h.session(query), h.server.stopping)


ROUTES = {
    ("GET", "/"): _asset, ("GET", "/api/stream"): _stream,
    ("GET", "/api/state"): _state, ("POST", "/api/session"): _new_session,
    ("POST", "/api/action"): _action, ("POST", "/api/control"): _control,
    ("POST", "/api/explain"): _explain, ("POST", "/api/upload"): _upload,
    ("POST", "/api/close"): _close,
}


def _route(method: str, path: str):
    if method == "GET" and path.startswith("/static/"):
        return _asset
    route = ROUTES.get((method, path))
    if route is not None:
        return route
    if any(p == path for _, p in ROUTES) or path.startswith("/static/"):
        raise HTTPError(405, f"{method} is not allowed on {path}; see the list of "
                             "routes in glassnet/playground/server.py.")
    raise HTTPError(404, expected("a path the playground serves (/, /static/…, "
                                  "/api/…)", repr(path)[:80], "Open the page at /."))


def _json(value) -> str:
    return json.dumps(frames.finite(value), allow_nan=False)
