"""What every command shares: the error boundary (exit 2, no traceback) and the consoles."""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bookvan.cli.interrupts import EXIT_INTERRUPTED, install_sigint_handler, say_stopped
from bookvan.data import interrupt
from bookvan.data.errors import InputError
from bookvan.data.outdir import OutTarget, check_out, latest_aside

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_NO",
    "Force",
    "check_out_early",
    "console",
    "err_console",
    "input_errors_exit_2",
    "report_aside",
]

EXIT_NO = 1
EXIT_BAD_INPUT = 2
console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def input_errors_exit_2(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn :class:`InputError` (and unreadable files) into one message on stderr and exit 2.

    Also the Ctrl-C boundary: while the command runs, Ctrl-C sets the stop flag that the
    searches poll; the command then ends with one line on stderr and exit 130, and output
    folders keep their earlier contents.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        interrupt.clear()
        previous = install_sigint_handler()
        try:
            return fn(*args, **kwargs)
        except (interrupt.Interrupted, KeyboardInterrupt):
            say_stopped()
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except InputError as e:
            err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as e:
            where = escape(f"{e.filename}: {e.strerror}")
            err_console.print(f"[bold red]error:[/] {where}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)  # type: ignore[arg-type]
            interrupt.clear()

    return wrapper


Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write --out even when it holds something bookvan did not write for this command; "
        "the earlier contents are moved aside to OUT.replaced-N, never deleted.",
    ),
]


def check_out_early(out: Path, kind: str, force: bool) -> OutTarget:
    """Check ``--out`` before any work (fail fast); say what ``--force`` will move aside."""
    target = check_out(out, kind, force=force)
    if target.moves_aside:
        err_console.print(
            f"[bold yellow]--force:[/] {escape(str(target.path))} is not a bookvan {kind} folder; "
            "its contents are moved aside (not deleted) once the new one is complete",
            highlight=False,
            soft_wrap=True,
        )
    return target


def report_aside(target: OutTarget) -> None:
    """After a forced write: where the earlier contents went."""
    if target.moves_aside:
        err_console.print(
            f"[bold yellow]--force:[/] the earlier {escape(str(target.path))} is now "
            f"{escape(str(latest_aside(target.path)))}",
            highlight=False,
            soft_wrap=True,
        )
