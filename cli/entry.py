"""The ``bookvan`` console entry: Ctrl-C handling in place before the heavy imports.

Importing the commands takes seconds (typer, rich, pandas); Ctrl-C in that time ends the
program with one line and exit 130 instead of a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["main"]


def main() -> None:
    """Install the interrupt handler, then run the typer app."""
    from bookvan.cli.interrupts import EXIT_INTERRUPTED, install_sigint_handler, say_stopped

    install_sigint_handler()
    try:
        from bookvan.cli.main import app

        app()
    except SystemExit as e:
        if e.code == EXIT_INTERRUPTED:
            _leave_now(EXIT_INTERRUPTED)
        raise
    except KeyboardInterrupt:  # outside a command (imports, argument parsing)
        say_stopped()
        _leave_now(EXIT_INTERRUPTED)


def _leave_now(code: int) -> None:
    """Exit a stopped run without the interpreter's shutdown.

    The command has already cleaned up (its ``finally`` blocks ran, nothing was swapped in).
    A Ctrl-C that lands inside an OR-Tools callback can leave a search half-closed, and the
    solver's destructor then aborts the process at shutdown (``Check failed: 2 ==
    searches_.size()``: exit -6 instead of 130, seen once under load).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed stream: the exit code still says it
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
