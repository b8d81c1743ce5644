"""The ``bookvan`` console entry: Ctrl-C handling in place before the heavy imports.

Importing the commands takes seconds (typer, rich, pandas); Ctrl-C in that time ends the
program with one line and exit 130 instead of a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Install the interrupt handler, then run the typer app."""
    from bookvan.cli.interrupts import EXIT_INTERRUPTED, install_sigint_handler, say_stopped

    install_sigint_handler()
    try:
        from bookvan.cli.main import app

        app()
    except KeyboardInterrupt:  # outside a command (imports, argument parsing)
        say_stopped()
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
