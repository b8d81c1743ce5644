"""Input errors that name the file, row and field, collected and raised once.

Loaders gather every problem they find (osmnx's ``_validate`` style) and raise a single
:class:`InputError`; the CLI prints it and exits 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["InputError", "Problem", "ProblemCollector", "read_input_text"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, row, field) and what."""

    file: str
    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class InputError(ValueError):
    """Bad input: one or more :class:`Problem` s. ``str()`` lists them one per line."""

    def __init__(self, problems: list[Problem] | Problem, *, max_shown: int = 20) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        shown = [str(p) for p in self.problems[:max_shown]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problem(s)")
        super().__init__("\n".join(shown))

    @classmethod
    def single(
        cls, file: str | Path, message: str, *, row: int | None = None, field: str | None = None
    ) -> InputError:
        """One problem, for the common case."""
        return cls(Problem(str(file), message, row, field))


@dataclass
class ProblemCollector:
    """Collects problems for one file; ``raise_if_any()`` raises them together."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, row, field))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def read_input_text(path: Path, *, what: str = "file", missing: str | None = None) -> str:
    """An input file's UTF-8 text, exactly as stored (no newline translation).

    A missing file, a folder, an unreadable file or one that is not UTF-8 is an
    :class:`InputError` naming it; ``what`` names the kind of file in those messages and
    ``missing`` replaces the message for a file that does not exist.
    """
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError.single(path, missing or f"no such {what}") from None
    except IsADirectoryError:
        raise InputError.single(path, f"is a folder, not a {what}") from None
    except OSError as e:
        raise InputError.single(path, f"cannot read the file: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise InputError.single(path, f"not UTF-8 text (byte {e.start})") from None


def __getattr__(name: str) -> Any:
    """``read_toml_input`` lives in :mod:`bookvan.data.settings`, the one settings reader."""
    if name == "read_toml_input":
        from bookvan.data.settings import read_toml_input

        return read_toml_input
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
