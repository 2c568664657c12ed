"""Errors that name the input and the problem, so users never see a bare traceback."""

from __future__ import annotations

from pathlib import Path


class CityAnalyticsError(Exception):
    """Base class of the package's own errors."""


class InputFileError(CityAnalyticsError):
    """A file cannot be used as input; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class MetadataError(CityAnalyticsError):
    """A metadata table is malformed; the message names the file, row and column."""

    def __init__(self, path: str | Path, problem: str, row: int | None = None, column: str | None = None):
        self.path = str(path)
        self.row = row
        self.column = column
        self.problem = problem
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        location = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{self.path}{location}: {problem}")


def lone_surrogate(text: str) -> str | None:
    """Where ``text`` holds its first lone surrogate, in words, or None. A lone surrogate (half of
    a UTF-16 pair on its own, U+D800–U+DFFF) can reach a Python string through a JSON escape, a
    decoder's ``surrogateescape`` or a PDF's character map, but no UTF-8 text, and so no pandas
    string column, can hold one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"character {error.start + 1} is a lone surrogate (U+{ord(text[error.start]):04X}), "
                f"which UTF-8 text cannot hold")
    return None
