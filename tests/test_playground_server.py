"""The playground's HTTP API: a real server on an ephemeral port in a thread,
driven with http.client — sessions, controls, the event stream, receipts,
uploads, and every kind of bad request."""

import builtins
import http.client
import json
import pathlib
import socket
import threading
import time

import pytest

from glassnet.playground.server import PlaygroundServer
from glassnet.playground.session import Sessions


class Client:
    def __init__(self, server):
        self.host, self.port = server.server_address[:2]

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, data

    def post(self, path, obj, sid=None):
        q = f"{path}?id={sid}" if sid else path
        status, data = self.request("POST", q, json.dumps(obj).encode(),
                                    {"Content-Type": "application/json"})
        assert status == 200, data
        return json.loads(data)

    def session(self):
        status, data = self.request("POST", "/api/session")
        assert status == 200, data
        return json.loads(data)["id"]

    def state(self, sid):
        status, data = self.request("GET", f"/api/state?id={sid}")
        assert status == 200, data
        return json.loads(data)

    def events(self, sid, count, names=("frame",)):
        """The first ``count`` events named in ``names`` from the stream."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        conn.request("GET", f"/api/stream?id={sid}")
        res = conn.getresponse()
        assert res.status == 200
        assert res.getheader("Content-Type").startswith("text/event-stream")
        out, name = [], None
        while len(out) < count:
            line = res.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name in names:
                out.append((name, json.loads(line[6:])))
        conn.close()
        return out


@pytest.fixture
def served():
    made = []

    def start(**options):
        server = PlaygroundServer("127.0.0.1", 0, Sessions(**options))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        made.append(server)
        return server, Client(server)

    yield start
    for server in made:
        server.stop()
        server.server_close()


def wait_for(predicate, seconds=20.0):
    """Poll until predicate() is true (a deadline for slow machines, not a timing
    assertion)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_page_and_its_assets_are_served(served):
    server, c = served()
    status, page = c.request("GET", "/")
    assert status == 200 and b'data-testid="boundary"' in page
    for name in ("app.js", "draw.js", "network.js", "style.css"):
        assert c.request("GET", f"/static/{name}")[0] == 200
    assert server.server_address[0] == "127.0.0.1"


def test_a_session_streams_its_points_then_frames_as_it_plays(served):
    _, c = served()
    sid = c.session()
    (kind, d), (_, first) = c.events(sid, 2, names=("data", "frame"))
    assert kind == "data" and len(d["points"]["train"]) == 200
    assert first["epoch"] == 0 and not first["playing"]
    assert c.post("/api/action", {"action": "play"}, sid)["playing"]
    frames = [f for _, f in c.events(sid, 8)]
    epochs = [f["epoch"] for f in frames]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    assert all(f["playing"] for f in frames[1:])
    c.post("/api/action", {"action": "pause"}, sid)
    assert not c.state(sid)["playing"]


def test_controls_apply_cleanly_while_it_trains(served):
    _, c = served()
    sid = c.session()
    c.post("/api/action", {"action": "play"}, sid)
    settings = c.post("/api/control", {"learning_rate": 0.3, "optimizer": "adam"}, sid)
    assert settings["learning_rate"] == 0.3 and settings["optimizer"] == "adam"
    c.post("/api/control", {"layers": [3, 3, 2], "activation": "relu"}, sid)
    frame = c.events(sid, 2)[-1][1]
    assert frame["layers"] == [3, 3, 2] and frame["playing"]
    assert [len(w) for w in frame["weights"]] == [2, 3, 3, 2]
    assert frame["settings"]["optimizer"] == "adam"
    assert wait_for(lambda: c.state(sid)["epoch"] >= 1)


def test_step_receipt_and_neuron_receipt_carry_the_numbers(served):
    _, c = served()
    sid = c.session()
    r = c.post("/api/explain", {"kind": "weight", "layer": 1, "i": 0, "j": 1}, sid)
    assert r["step_mode"] and r["update"] is not None and "∂E/∂" in r["text"]
    before = c.state(sid)["step"]
    assert c.post("/api/action", {"action": "step"}, sid)["step"] == before + 1
    after = c.state(sid)["weights"][1][0][1]
    assert after == pytest.approx(r["update"]["actual"], abs=1e-5)
    n = c.post("/api/explain", {"kind": "neuron", "layer": 0, "unit": 2,
                                "point": [1.0, -1.0]}, sid)
    assert n["kind"] == "neuron" and "tanh(" in n["text"]


def test_an_uploaded_csv_becomes_the_data(served):
    _, c = served()
    sid = c.session()
    rows = "\n".join(f"{i % 7},{i % 5},{'yes' if i % 2 else 'no'}" for i in range(40))
    status, data = c.request("POST", f"/api/upload?id={sid}",
                             ("u,v,answer\n" + rows).encode(),
                             {"Content-Type": "text/csv"})
    assert status == 200, data
    assert json.loads(data)["dataset"] == "csv"
    (_, d), = c.events(sid, 1, names=("data",))
    assert d["points"]["class_names"] == ["no", "yes"]
    assert len(d["points"]["train"]) + len(d["points"]["test"]) == 40


def bad_requests(sid):
    j = {"Content-Type": "application/json"}
    big = b"{" + b" " * 20000 + b"}"
    return [
        ("POST", f"/api/control?id={sid}", b"{not json", j, 400, "JSON"),
        ("POST", f"/api/control?id={sid}", b"[1, 2]", j, 400, "JSON object"),
        ("POST", f"/api/control?id={sid}", b'{"noise": NaN}', j, 400, "JSON"),
        ("POST", f"/api/control?id={sid}", b'{"noise": 7}', j, 400, "noise"),
        ("POST", f"/api/control?id={sid}", b'{"noise": 0.1}', {}, 415, "Content-Type"),
        ("POST", f"/api/control?id={sid}", big, j, 413, "at most"),
        ("POST", f"/api/action?id={sid}", b'{"action": "fly"}', j, 400, "action"),
        ("POST", f"/api/explain?id={sid}", b'{"kind": "weight", "layer": 0, '
         b'"i": 5, "j": 0}', j, 400, "i as an integer"),
        ("POST", f"/api/explain?id={sid}", b'{"kind": "neuron", "layer": 0, '
         b'"unit": 0, "point": [1]}', j, 400, "point"),
        ("POST", f"/api/explain?id={sid}", b'{"kind": "bias"}', j, 400, "kind"),
        ("POST", f"/api/upload?id={sid}", b"a,b\n1,2\n", {"Content-Type": "text/csv"},
         400, "2 classes"),
        ("POST", f"/api/upload?id={sid}", b"x" * 300_000, {"Content-Type": "text/csv"},
         413, "at most"),
        ("POST", "/api/control?id=nope", b"{}", j, 404, "reload the page"),
        ("POST", "/api/control", b"{}", j, 400, "?id="),
        ("GET", f"/api/state?id={sid}&id=2", None, {}, 400, "once"),
        ("GET", "/api/state?" + "&".join(f"k{i}=1" for i in range(20)), None, {},
         400, "at most 8"),
        ("GET", "/static/../server.py", None, {}, 404, "page's files"),
        ("GET", "/etc/passwd", None, {}, 404, "a path"),
        ("DELETE", "/", None, {}, 405, ""),
        ("GET", "/api/action", None, {}, 405, "not allowed"),
        ("GET", "/", None, {"Host": "evil.example:80"}, 403, "Host"),
    ]


def test_bad_requests_get_a_4xx_and_one_line_and_the_server_lives_on(served):
    _, c = served()
    sid = c.session()
    for method, path, body, headers, status, word in bad_requests(sid):
        got, data = c.request(method, path, body, headers)
        text = data.decode()
        assert got == status, (path, body, text)
        assert word in text and text.count("\n") <= 1, text
        assert "Traceback" not in text
    assert c.state(sid)["epoch"] == 0                 # still serving


def test_garbage_on_the_socket_gets_a_4xx_line(served):
    server, c = served()
    for raw in (b"NONSENSE\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
                b"POST /api/session HTTP/1.1\r\nContent-Length: x\r\n\r\n"):
        with socket.create_connection(server.server_address[:2], timeout=10) as s:
            s.sendall(raw)
            reply = s.recv(4096).decode(errors="replace")
        assert reply.split()[1].startswith("4"), reply
        assert "Traceback" not in reply
    assert c.request("GET", "/")[0] == 200


def test_each_tab_gets_a_session_until_the_server_says_plainly_it_is_full(served):
    _, c = served(max_sessions=2)
    a, b = c.session(), c.session()
    assert a != b
    status, text = c.request("POST", "/api/session")
    assert status == 429 and b"already open" in text
    c.post("/api/action", {"action": "play"}, a)
    assert not c.state(b)["playing"]                 # sessions are apart
    c.request("POST", f"/api/close?id={a}", b"", {"Content-Type": "text/plain"})
    assert c.session()


def test_training_stops_when_nobody_listens_and_the_session_expires(served):
    _, c = served(idle_s=0.3, expire_s=2.0)
    sid = c.session()
    c.post("/api/action", {"action": "play"}, sid)
    assert wait_for(lambda: not c.state(sid)["playing"])
    assert "no page has listened" in c.state(sid)["status"]
    assert wait_for(lambda: c.request("GET", f"/api/state?id={sid}")[0] == 404)


def test_no_file_is_read_on_request(served, monkeypatch):
    _, c = served()
    opened = []
    real_open = builtins.open

    def watch(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watch)
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda p: opened.append(str(p)))
    sid = c.session()
    c.request("GET", "/")
    c.request("GET", "/static/app.js")
    c.post("/api/action", {"action": "step"}, sid)
    c.post("/api/explain", {"kind": "weight", "layer": 0, "i": 0, "j": 0}, sid)
    c.request("POST", f"/api/upload?id={sid}", b"a,b,c\n1,2,0\n2,1,1\n3,3,0\n0,0,1\n",
              {"Content-Type": "text/csv"})
    c.events(sid, 1)
    assert opened == []
