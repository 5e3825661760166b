"""Sessions: one ``Lab`` per open page, trained by its own thread.

A session's thread repeats, while playing: take the lock, train for up to
``speed`` epochs within ``train_s`` seconds, publish a frame, let go of the
lock, wait out the rest of ``frame_s``. Requests change the lab under the
same lock, so a control applies between two updates, never during one.
Stream handlers wait on ``new_frame`` and send each published frame.

Nobody listening for ``idle_s`` seconds pauses training; for ``expire_s``
seconds closes the session (its page can no longer be open).
"""

from __future__ import annotations

import json
import secrets
import threading
import time

from glassnet.errors import ConfigError, GlassnetError, expected
from glassnet.playground import frames
from glassnet.playground.lab import Lab
from glassnet.playground.requests import receipt_question

ACTIONS = ("play", "pause", "toggle", "step", "reset", "regenerate")


class Session:
    """The lab of one page, its training thread and its published frames."""

    def __init__(self, sid: str, lab: Lab, *, frame_s: float, train_s: float,
                 idle_s: float, expire_s: float):
        self.id, self.lab = sid, lab
        self.frame_s, self.train_s = frame_s, train_s
        self.idle_s, self.expire_s = idle_s, expire_s
        self.lock = threading.Lock()
        self.new_frame = threading.Condition(self.lock)
        self._wake = threading.Event()
        self.playing = self.closed = False
        self.status = "paused"
        self.version = 0                       # frames published so far
        self.frame_json = self.data_json = ""
        self.data_version = -1
        self.listeners = 0
        self.last_listened = time.monotonic()
        with self.lock:
            self._publish()
        self.thread = threading.Thread(target=self._run, name=f"playground-{sid}",
                                       daemon=True)
        self.thread.start()

    # -- called with the lock held ------------------------------------------------
    def _publish(self) -> None:
        """Turn the lab's state into the next frame and wake the streams."""
        lab = self.lab
        if lab.diverged and self.playing:
            self.playing, self.status = False, "stopped: the loss is not finite"
        state = lab.frame()
        state.update(playing=self.playing, status=self.status,
                     version=self.version + 1)
        if self.data_version != lab.data_version:
            self.data_json = json.dumps(frames.finite(frames.data_event(lab)),
                                        allow_nan=False)
            self.data_version = lab.data_version
        self.frame_json = json.dumps(frames.finite(state), allow_nan=False)
        self.version += 1
        self.new_frame.notify_all()

    # -- the training thread ---------------------------------------------------------
    def _run(self) -> None:
        while True:
            started = time.monotonic()
            with self.lock:
                if self.closed:
                    return
                self._check_idle(started)
                if self.playing:
                    self.lab.run(self.lab.settings.speed, self.train_s)
                    self._publish()
                wait = self.frame_s - (time.monotonic() - started) \
                    if self.playing else 1.0
            self._wake.wait(max(wait, 0.001))   # others take the lock meanwhile
            self._wake.clear()

    def _check_idle(self, now: float) -> None:
        quiet = self.listeners == 0 and now - self.last_listened
        if quiet and quiet > self.expire_s:
            self.closed = True
            self.new_frame.notify_all()
        elif quiet and quiet > self.idle_s and self.playing:
            self.playing = False
            self.status = f"paused: no page has listened for {self.idle_s:g} s"
            self._publish()

    # -- what requests do ----------------------------------------------------------
    def act(self, action: str) -> dict:
        """play / pause / toggle / step (one batch) / reset / regenerate."""
        if action not in ACTIONS:
            raise ConfigError(expected(f"an action in {list(ACTIONS)}", repr(action),
                                       "Send e.g. {\"action\": \"play\"}."))
        with self.lock:
            lab = self.lab
            if action == "toggle":
                action = "pause" if self.playing else "play"
            if action == "play":
                self.playing = not lab.diverged
                self.status = "playing" if self.playing else \
                    "stopped: the loss is not finite; reset or lower the rate"
            elif action == "pause":
                self.playing, self.status = False, "paused"
            elif action == "step":
                self.playing, self.status = False, "paused (step mode)"
                lab.step()
            elif action == "reset":
                lab.reset()
            else:  # regenerate: the next data seed
                lab.change({"data_seed": lab.settings.data_seed + 1})
            self._publish()
            self._wake.set()
            return {"playing": self.playing, "epoch": lab.epoch, "step": lab.steps}

    def change(self, changes: dict) -> dict:
        with self.lock:
            self.lab.change(changes)
            self._publish()
            return self.lab.settings.to_dict()

    def upload(self, X, y, names) -> dict:
        with self.lock:
            self.playing, self.status = False, "paused"
            self.lab.use_upload(X, y, names)
            self._publish()
            return self.lab.settings.to_dict()

    def explain(self, question: dict) -> dict:
        """A receipt for the question ``requests.receipt_question`` checks
        (against the network of this moment, under the lock)."""
        with self.lock:
            request = receipt_question(question, self.lab.model)
            if request["kind"] == "weight":
                return self.lab.explain_weight(request["layer"], request["i"],
                                               request["j"], not self.playing)
            return self.lab.explain_neuron(request["layer"], request["unit"],
                                           request["point"])

    def listen(self, delta: int) -> None:
        with self.lock:
            self.listeners += delta
            self.last_listened = time.monotonic()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.new_frame.notify_all()
        self._wake.set()


class SessionsFull(GlassnetError):
    """Every session slot is taken (one per open page)."""


class Sessions:
    """The open sessions, at most ``max_sessions`` of them."""

    def __init__(self, max_sessions: int = 4, *, frame_s: float = 0.05,
                 train_s: float = 0.03, idle_s: float = 30.0,
                 expire_s: float = 300.0):
        self.max_sessions = max_sessions
        self.options = {"frame_s": frame_s, "train_s": train_s, "idle_s": idle_s,
                        "expire_s": expire_s}
        self._all: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self) -> Session:
        with self._lock:
            self._all = {k: s for k, s in self._all.items() if not s.closed}
            if len(self._all) >= self.max_sessions:
                raise SessionsFull(
                    f"{len(self._all)} playground pages are already open, the most "
                    "this server runs at once: use one of them, or close one (an "
                    f"unwatched page's session ends after "
                    f"{self.options['expire_s']:g} s)")
            sid = secrets.token_hex(8)
            self._all[sid] = Session(sid, Lab(), **self.options)
            return self._all[sid]

    def get(self, sid: str) -> Session | None:
        with self._lock:
            s = self._all.get(sid)
        return None if s is None or s.closed else s

    def close(self, sid: str) -> None:
        with self._lock:
            s = self._all.pop(sid, None)
        if s is not None:
            s.close()

    def close_all(self) -> None:
        with self._lock:
            every, self._all = list(self._all.values()), {}
        for s in every:
            s.close()
        for s in every:
            s.thread.join(timeout=2.0)

    def __len__(self) -> int:
        with self._lock:
            return sum(not s.closed for s in self._all.values())
