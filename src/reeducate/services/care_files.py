"""Session files: a whole treatment session (several exercises, minutes per code, balance
recordings) written as TOML, read into a :class:`~reeducate.services.care.SessionLog`.

The format (every key but ``date`` and at least one ``[[exercise]]`` is optional)::

    date = 2025-03-05               # the session's date (a TOML date or "YYYY-MM-DD")
    setting = "clinic"              # clinic | home
    sequence = 1                    # session of the day (2 for a second home session)
    note = "Steady today; progress next visit"
    minutes = { "97112" = 25 }      # treatment minutes per CPT/HCPCS code (clinic only)

    [[exercise]]
    variant = "bal-sls-firm-eo"     # an exercise id of the library
    hold_done_s = [30, 30, 30]      # one value per set done; or reps_done = [10, 10, 9]
    # targets default to the prescription in force: sets_prescribed, hold_target_s,
    # reps_target (and reps_target_min for a range such as 8-12)
    load_kg = 2.0
    losses_of_balance = [0, 0, 0]   # per set
    difficulty = 2                  # on difficulty_scale: balance_1_5 (default) or rpe_0_10
    quality = 3                     # therapist rating out of quality_scale_max (e.g. 4),
    quality_scale_max = 4           #   or quality_source = "measurement" with a 0-1 score
    pain_before_nprs = 1            # 0-10, also pain_during_nprs and pain_after_nprs
    symptoms_during = ["dizziness"] # also symptoms_before, symptoms_after
    balance_event = "none"          # none | near_fall | fall
    assistance = "independent"      # independent | supervision | contact_guard | minimal | ...
    duration_min = 10               # minutes on this exercise (for the weekly dose)
    cues = ["Soft knee", "Eyes on the target"]

    [[trial]]                       # a balance recording, analysed and attached
    file = "trial-eo-firm.csv"      # relative to the session file
    condition = "eo-firm"
    preset = "santos-duarte-2016"

Errors name the file and the key: ``session.toml, exercise[1]: unknown key 'pain'; expected
one of ...``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from reeducate.errors import FileFormatError, NotFoundError
from reeducate.services.care import ExerciseLog, SessionLog, TrialLog

__all__ = ["read_session_file"]

_SESSION_KEYS: Final = frozenset(
    {"date", "setting", "sequence", "note", "minutes", "started_at", "exercise", "trial"}
)
_TRIAL_KEYS: Final = frozenset({"file", "condition", "preset"})
_INT_LISTS: Final = ("reps_done", "losses_of_balance")
_FLOAT_LISTS: Final = ("hold_done_s",)
_TEXT_LISTS: Final = ("symptoms_before", "symptoms_during", "symptoms_after", "cues")
_INTS: Final = (
    "sets_prescribed",
    "reps_target",
    "reps_target_min",
    "pain_before_nprs",
    "pain_during_nprs",
    "pain_after_nprs",
)
_FLOATS: Final = (
    "hold_target_s",
    "load_kg",
    "difficulty",
    "quality",
    "quality_scale_max",
    "duration_min",
)
_TEXTS: Final = (
    "difficulty_scale",
    "difficulty_rater",
    "quality_source",
    "quality_method",
    "balance_event",
    "assistance",
)
_EXERCISE_KEYS: Final = frozenset(
    {"variant", *_INT_LISTS, *_FLOAT_LISTS, *_TEXT_LISTS, *_INTS, *_FLOATS, *_TEXTS}
)


class _Where:
    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, where: str, detail: str) -> FileFormatError:
        return FileFormatError(f"{self.name}, {where}: {detail}")


def _keys(at: _Where, where: str, table: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in table:
        if key not in allowed:
            raise at.error(
                where, f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}"
            )


def _int(at: _Where, where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.error(where, f"must be an integer; got {value!r}")
    return value


def _float(at: _Where, where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise at.error(where, f"must be a number; got {value!r}")
    return float(value)


def _text(at: _Where, where: str, value: object) -> str:
    if not isinstance(value, str):
        raise at.error(where, f"must be text; got {value!r}")
    return value


def _list(at: _Where, where: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise at.error(where, f"must be a list, e.g. [30, 30, 30]; got {value!r}")
    return value


def _date(at: _Where, where: str, value: object) -> date:
    if isinstance(value, datetime):
        raise at.error(where, f"must be a date without a time; got {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise at.error(where, f"must be a date YYYY-MM-DD; got {value!r}")


def _exercise(at: _Where, index: int, table: object) -> ExerciseLog:
    where = f"exercise[{index}]"
    if not isinstance(table, dict):
        raise at.error(where, "must be a table ([[exercise]])")
    _keys(at, where, table, _EXERCISE_KEYS)
    if "variant" not in table:
        raise at.error(where, "variant is required (an exercise id); got none")
    values: dict[str, Any] = {"variant_id": _text(at, f"{where}.variant", table["variant"])}
    for key, value in table.items():
        field = f"{where}.{key}"
        if key in _INT_LISTS:
            values[key] = tuple(_int(at, field, v) for v in _list(at, field, value))
        elif key in _FLOAT_LISTS:
            values[key] = tuple(_float(at, field, v) for v in _list(at, field, value))
        elif key in _TEXT_LISTS:
            values[key] = tuple(_text(at, field, v) for v in _list(at, field, value))
        elif key in _INTS:
            values[key] = _int(at, field, value)
        elif key == "quality":
            values["quality_score"] = _float(at, field, value)
        elif key in _FLOATS:
            values[key] = _float(at, field, value)
        elif key in _TEXTS:
            values[key] = _text(at, field, value)
    return ExerciseLog(**values)


def read_session_file(path: Path, /, *, patient_code: str) -> SessionLog:
    """Read a session file (format above) for ``patient_code``.

    Raises
    ------
    NotFoundError
        The file (or a recording it names) does not exist.
    FileFormatError
        Not TOML, an unknown key, or a value of the wrong type; names the file and key.
    """
    at = _Where(path.name)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"--file must be an existing session file; got {str(path)!r}") from None
    except UnicodeDecodeError as error:
        raise at.error("line 1", f"must be UTF-8 text ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise FileFormatError(f"{path.name}: not valid TOML: {error}") from None
    _keys(at, "top level", document, _SESSION_KEYS)
    if "date" not in document:
        raise at.error("date", "is required (the session's date, YYYY-MM-DD); got none")
    exercises = document.get("exercise")
    if not isinstance(exercises, list) or not exercises:
        raise at.error("exercise", "at least one [[exercise]] table is required; got none")
    minutes = document.get("minutes", {})
    if not isinstance(minutes, dict):
        raise at.error("minutes", f"must be a table of code = minutes; got {minutes!r}")
    trials: list[TrialLog] = []
    for i, table in enumerate(_list(at, "trial", document.get("trial", []))):
        where = f"trial[{i}]"
        if not isinstance(table, dict) or "file" not in table:
            raise at.error(where, "must be a table with file = 'recording'")
        _keys(at, where, table, _TRIAL_KEYS)
        file = path.parent / _text(at, f"{where}.file", table["file"])
        if not file.is_file():
            raise NotFoundError(
                f"{path.name}, {where}.file must be an existing recording; got {table['file']!r}"
            )
        trials.append(
            TrialLog(
                path=file,
                condition=None
                if "condition" not in table
                else _text(at, f"{where}.condition", table["condition"]),
                preset=None
                if "preset" not in table
                else _text(at, f"{where}.preset", table["preset"]),
            )
        )
    started_at = document.get("started_at")
    if started_at is not None and not isinstance(started_at, datetime):
        raise at.error("started_at", f"must be a date-time with its offset; got {started_at!r}")
    return SessionLog(
        patient_code=patient_code,
        session_date=_date(at, "date", document["date"]),
        setting=_text(at, "setting", document.get("setting", "clinic")),
        sequence=_int(at, "sequence", document.get("sequence", 1)),
        exercises=tuple(_exercise(at, i, table) for i, table in enumerate(exercises)),
        minutes_by_code={
            _text(at, "minutes", code): _int(at, f"minutes.{code}", value)
            for code, value in minutes.items()
        },
        trials=tuple(trials),
        note=None if "note" not in document else _text(at, "note", document["note"]),
        started_at=started_at,
    )
