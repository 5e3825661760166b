"""The playground: a local web page where a network learns in front of you,
and every number on it opens into its receipt.

    glassnet playground              # or: python -m glassnet playground

- ``settings``: the controls and their allowed values.
- ``data``: the 2-D datasets, an uploaded CSV, the input features, the grid.
- ``lab``: ``Lab``, one network learning one dataset (no threads, no HTTP).
- ``frames``: the lab's state as the page draws it.
- ``session``: ``Session`` (a lab and its training thread), ``Sessions``.
- ``requests``, ``stream``, ``server``: the HTTP side (standard library only).
- ``app``: ``serve``, which starts it.

The page itself is in ``static/``: plain HTML, CSS and JavaScript, no build step.
"""

from glassnet.playground.app import serve
from glassnet.playground.lab import Lab
from glassnet.playground.server import PlaygroundServer
from glassnet.playground.session import Session, Sessions
from glassnet.playground.settings import Settings

__all__ = ["Lab", "PlaygroundServer", "Session", "Sessions", "Settings", "serve"]
