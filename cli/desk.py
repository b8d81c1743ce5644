"""``bookvan desk``: the coordinator's web desk and the drivers' run pages, on this machine."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import console, err_console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.errors import InputError

__all__ = ["desk"]

DEFAULT_DB = "sqlite:///bookvan-desk.db"
desk_app = typer.Typer(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(desk_app, name="desk")

DbOpt = Annotated[
    str,
    typer.Option("--db", help="Database URL: sqlite:///FILE (default, in the working folder) or "
                              "postgresql+psycopg://user:pass@host/db."),
]


@desk_app.callback()
@input_errors_exit_2
def desk(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 lets other machines "
                                           "reach the sign-in page and driver links (see README).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8765,
    db: DbOpt = DEFAULT_DB,
    plans: Annotated[Path, typer.Option("--plans", help="Folder for the plan folders the desk writes.")] = Path(
        "out/desk"),
    network: Annotated[
        Path | None, typer.Option(help="Network folder (nodes.csv, fleet.toml); default: bundled Keelung.")
    ] = None,
    search_steps: Annotated[int, typer.Option("--search-steps", min=1, help="As for `bookvan plan`.")] = 50,
) -> None:
    """The coordinator's desk: a local web app for the day, and a phone page per driver's run.

    Starts the desk at http://HOST:PORT; on first start, make the first coordinator in the
    browser (or with `bookvan desk user add NAME`).

    Example: bookvan desk --port 8765
    """
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from bookvan.desk.app import DeskConfig, create_app

    if network is not None:
        from bookvan.data.network import load_network

        load_network(network)  # a bad network folder: exit 2 now, not on the first click
    cfg = DeskConfig(db_url=db, plans_dir=plans, network_dir=None if network is None else str(network),
                     search_steps=search_steps)
    try:
        web = create_app(cfg)
    except Exception as e:  # a database that cannot be opened is bad input, not a crash
        if isinstance(e, InputError):
            raise
        raise InputError.single("--db", f"cannot open the database: {e.__class__.__name__}: {e}") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"[yellow]warning:[/] listening on {host}: other machines can reach the desk's "
                          "sign-in page and anyone with a driver link can record scans for that run.")
    console.print(f"bookvan desk on http://{host}:{port}/  (database {db}, plans in {plans})", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="warning")


@desk_app.command("user")
@input_errors_exit_2
def user_add(
    action: Annotated[str, typer.Argument(help="'add'.")],
    name: Annotated[str, typer.Argument(help="The coordinator's sign-in name.")],
    db: DbOpt = DEFAULT_DB,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Add a coordinator who can sign in to the desk (the password is asked for, twice).

    Example: bookvan desk user add mei
    """
    if action != "add":
        raise InputError.single("ACTION", f"'{action}' is not a user action (use: add)")
    from bookvan.desk.store import open_store

    if password_stdin:
        import sys

        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise InputError.single("password", "the two passwords differ")
    try:
        open_store(db).add_user(name, password)
    except ValueError as e:
        raise InputError.single("NAME" if "exists" in str(e) else "password", str(e)) from None
    console.print(f"coordinator '{name}' added", highlight=False)
