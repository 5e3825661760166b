"""The ``glassnet`` command.

    glassnet train DATA [options]      train; save model, history, plots, report
    glassnet evaluate MODEL DATA       loss, metrics, confusion matrix
    glassnet predict MODEL DATA        predictions and class probabilities (CSV)
    glassnet summary MODEL             layers, parameters, preprocessing
    glassnet explain MODEL [DATA]      receipts of one prediction
    glassnet export MODEL OUT.onnx     the model as an ONNX graph
    glassnet demo NAME                 a guided demo
    glassnet plot RUN                  draw a run's plots again
    glassnet playground                a web page where a network learns
    glassnet search DATA --grid GRID   cross-validate every configuration of a grid

Exit status: 0 success, 2 bad input (one line on stderr saying what is wrong
and how to fix it; --debug adds the traceback), 1 an unexpected error,
130 interrupted.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback

from glassnet.cli import (
    demo,
    evaluate,
    explain,
    export,
    playground,
    plot,
    predict,
    search,
    summary,
    train,
)
from glassnet.cli._parser import DEMO_NAMES, UsageError, build_parser
from glassnet.errors import GlassnetError

__all__ = ["main"]

#: Errors that mean "the input is wrong": exit status 2 with one line.
BAD_INPUT = (GlassnetError, OSError, UnicodeError)

#: Each command's ``run(args) -> exit status``, one module per command.
COMMANDS = {"train": train.run, "evaluate": evaluate.run, "predict": predict.run,
            "summary": summary.run, "explain": explain.run, "demo": demo.run,
            "plot": plot.run, "export": export.run,
            "playground": playground.run, "search": search.run}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default sys.argv[1:]); return the status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    prog = "glassnet"
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("glassnet", "choose a command: train, evaluate, "
                             "predict, summary, explain, export, demo, plot, "
                             "playground or search")
        prog = f"glassnet {args.command}"
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. `glassnet predict … | head`: stop quietly
        _silence_stdout()
        return 141
    except UsageError as exc:
        if debug:
            traceback.print_exc()
        hint = f"see '{exc.prog} --help'"
        if exc.prog == "glassnet demo" and "NAME" in str(exc):
            hint = f"one of: {', '.join(DEMO_NAMES)}"
        print(f"{exc.prog}: error: {_one_line(exc)} ({hint})", file=sys.stderr)
        return 2
    except BAD_INPUT as exc:
        if debug:
            traceback.print_exc()
        print(f"{prog}: error: {_describe(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so, briefly
        if debug:
            traceback.print_exc()
        print(f"{prog}: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(run again with --debug for the traceback, and please report it)",
              file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, GlassnetError):
        where = f" {exc.filename}" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return _one_line(f"cannot write{where}: the disk is full ({exc.strerror})"
                             ". Free some space, or pass --output on another disk.")
        return _one_line(f"cannot access{where}: {exc.strerror or exc}. Check the "
                         "path and its permissions.")
    return _one_line(exc)
