"""``glassnet playground``: serve the playground page until Ctrl-C."""

from __future__ import annotations

from glassnet.cli._parser import UsageError
from glassnet.playground import serve


def run(args) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError("glassnet playground", f"expected --port in 0..65535, "
                         f"received {args.port}")
    return serve(args.host, args.port, open_browser=not args.no_open,
                 print_fn=lambda line: print(line, flush=True))
