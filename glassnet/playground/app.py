"""Start the playground: serve until Ctrl-C, then close everything cleanly."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable

from glassnet.playground.server import LOOPBACK, PlaygroundServer
from glassnet.playground.session import Sessions


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True,
          print_fn: Callable[[str], None] = print,
          sessions: Sessions | None = None) -> int:
    """Serve the playground at http://host:port/ until Ctrl-C; returns 0.

    Binds 127.0.0.1 unless told otherwise; port 0 takes any free port.
    """
    server = PlaygroundServer(host, port, sessions)
    print_fn(f"glassnet playground: {server.url}  (Ctrl-C to stop)")
    if host not in LOOPBACK:
        print_fn(f"warning: serving on {host}: anyone who can reach this machine "
                 "can use the page")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,),
                         daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print_fn("glassnet playground: stopping")
    finally:
        server.stopping.set()
        server.sessions.close_all()
        server.server_close()
    print_fn("glassnet playground: stopped")
    return 0
