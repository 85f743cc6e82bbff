"""The errors that end a command with a clear message instead of a traceback (exit codes per DESIGN.md)."""
from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class InputError(Exception):
    """Bad input from the user (a file, an option): printed as one line, exit 2."""

    exit_code = EXIT_USAGE
