"""One error hierarchy for the whole package.

Every error a user can cause is a :class:`ReeducateError`. Subclasses also inherit the matching
builtin, so ``except ValueError`` keeps working for callers that do not know reeducate.

Messages follow one form: name the parameter (and file, line or column where there is one), the
constraint, and what was received, e.g. ``"sampling_rate_hz must be > 0; got -100.0"``.
Messages never carry patient-identifying data.
"""

from __future__ import annotations


class ReeducateError(Exception):
    """Base class of every error reeducate raises on purpose."""


class InvalidParameterError(ReeducateError, ValueError):
    """A parameter is outside its allowed range or of the wrong kind."""


class UnitError(ReeducateError, ValueError):
    """A unit is unknown, missing, or cannot be converted."""


class FileFormatError(ReeducateError, ValueError):
    """A file cannot be read as the format it claims to be (names file, line or column)."""


class SignalQualityError(ReeducateError, ValueError):
    """A signal cannot give a trustworthy result (NaNs, gaps, stepping off, too short)."""


class DomainRuleError(ReeducateError, ValueError):
    """A clinical or domain rule is violated."""


class NotFoundError(ReeducateError, LookupError):
    """A named thing (file, preset, record) does not exist."""


class SignalQualityWarning(UserWarning):
    """A signal has a problem that was handled; the message names the time span affected."""
