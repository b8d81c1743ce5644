"""What Ctrl-C means on the command line: stop soon, write nothing, one line, exit 130.

The first Ctrl-C sets :mod:`bookvan.data.interrupt`'s stop flag (the searches poll it and end
within a fraction of a second) and raises ``KeyboardInterrupt`` in the code that runs now
(inside an OR-Tools callback that exception is dropped by OR-Tools, and the flag ends the
search instead). Output folders are swapped in only when no stop was requested, so the
earlier output stays as it was. A second Ctrl-C exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from bookvan.data.interrupt import request_stop, stop_requested

__all__ = ["EXIT_INTERRUPTED", "install_sigint_handler", "say_stopped"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C
_LINE = "stopped (Ctrl-C): nothing was written, earlier output is unchanged"


def say_stopped() -> None:
    """The one line a stopped command prints on stderr."""
    try:
        sys.stderr.write(f"\n{_LINE}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the exit code still says it
        pass


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    if stop_requested():  # the second Ctrl-C: leave now (leftovers are cleaned by the next run)
        os.write(2, b"\nstopped at once (second Ctrl-C)\n")
        os._exit(EXIT_INTERRUPTED)
    request_stop()
    raise KeyboardInterrupt


def install_sigint_handler() -> object:
    """Make Ctrl-C set the stop flag (and raise); return the previous handler.

    Does nothing off the main thread (signal handlers can only be set there).
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, _on_sigint)
