"""The ``bookvan`` command: wires data → demand → routing → manifests and scenarios.

Each sub-command lives in its own module and only forwards to library functions.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="bookvan",
    help="Logistics engine of the Keelung City Public Library lending network.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Each module adds its commands to ``app``; keep this list in data-flow order.
    from bookvan.cli import (  # noqa: F401
        bench,
        check,
        desk,
        forecast,
        manifest,
        network,
        plan,
        replan,
        roundtrip,
        scan,
        scenario,
        schedule,
    )


_register()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
