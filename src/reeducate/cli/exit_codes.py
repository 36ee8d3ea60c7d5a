"""Exit codes of the ``reeducate`` command, the same for every sub-command."""

from __future__ import annotations

from enum import IntEnum

from reeducate.errors import (
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    ReeducateError,
    SignalQualityError,
    UnitError,
)


class ExitCode(IntEnum):
    """Process exit status."""

    OK = 0
    INTERNAL_ERROR = 1  #: a bug: please report it
    USAGE = 2  #: bad command line (unknown option, missing argument, bad parameter)
    INPUT_ERROR = 3  #: a file cannot be read as claimed (format, columns, units)
    SIGNAL_QUALITY = 4  #: the recording cannot give trustworthy numbers (NaNs, gaps, step-off)
    NOT_FOUND = 5  #: a named file, preset or record does not exist
    PARTIAL_FAILURE = 6  #: a batch finished, but some files failed (listed on stderr)
    INTERRUPTED = 130  #: stopped with Ctrl-C


def exit_code_for(error: ReeducateError) -> ExitCode:
    """Map an error to its exit code."""
    if isinstance(error, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(error, SignalQualityError):
        return ExitCode.SIGNAL_QUALITY
    if isinstance(error, (FileFormatError, UnitError)):
        return ExitCode.INPUT_ERROR
    if isinstance(error, InvalidParameterError):
        return ExitCode.USAGE
    return ExitCode.INPUT_ERROR


_KIND_CODES = {
    "NotFoundError": ExitCode.NOT_FOUND,
    "SignalQualityError": ExitCode.SIGNAL_QUALITY,
    "FileFormatError": ExitCode.INPUT_ERROR,
    "UnitError": ExitCode.INPUT_ERROR,
    "InvalidParameterError": ExitCode.USAGE,
    "InternalError": ExitCode.INTERNAL_ERROR,
}


def exit_code_for_kind(kind: str | None) -> ExitCode:
    """Exit code for an error class name reported by a worker process."""
    return _KIND_CODES.get(kind or "", ExitCode.INPUT_ERROR)
