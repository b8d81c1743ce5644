"""What every command shares: the error boundary (exit 2, no traceback) and the consoles."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bookvan.data.errors import InputError

__all__ = ["EXIT_BAD_INPUT", "EXIT_NO", "console", "err_console", "input_errors_exit_2"]

EXIT_NO = 1
EXIT_BAD_INPUT = 2
console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def input_errors_exit_2(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn :class:`InputError` (and unreadable files) into one message on stderr and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as e:
            where = escape(f"{e.filename}: {e.strerror}")
            err_console.print(f"[bold red]error:[/] {where}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper
