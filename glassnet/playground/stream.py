"""Server-Sent Events: a session's frames, pushed to one page as they come.

    event: data     the points and feature maps (when they change)
    event: frame    the state after the latest updates
    event: closed   the session ended; the page should say so
    : keep-alive    a comment every HEARTBEAT_S seconds while nothing changes,
                    so a page that went away is noticed (the write fails)
"""

from __future__ import annotations

import threading

HEARTBEAT_S = 2.0


def stream(handler, session, stopping: threading.Event) -> None:
    """Send ``session``'s frames to ``handler``'s client until one side stops."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("X-Accel-Buffering", "no")
    handler.end_headers()
    handler.close_connection = True
    out = handler.wfile
    sent = data_sent = -1
    session.listen(+1)
    try:
        while not stopping.is_set():
            with session.lock:
                session.new_frame.wait_for(
                    lambda v=sent: session.version != v or session.closed, HEARTBEAT_S)
                if session.closed:
                    break
                version, frame = session.version, session.frame_json
                data_version, data = session.data_version, session.data_json
            if version == sent:
                out.write(b": keep-alive\n\n")
                continue
            if data_version != data_sent:
                out.write(_event("data", data))
                data_sent = data_version
            out.write(_event("frame", frame))
            sent = version
        out.write(_event("closed", '"the session ended: reload the page for a '
                                   'new one"'))
    finally:
        session.listen(-1)


def _event(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()
