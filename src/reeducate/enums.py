"""Text to an enumeration member: the one way every validator reads a coded field.

A value names a member when it equals the member's value exactly (no case folding, no
aliases); the validators say which values are allowed with :func:`allowed_values` when it does
not.

Examples
--------
>>> from enum import StrEnum
>>> class Side(StrEnum):
...     LEFT = "left"
...     RIGHT = "right"
>>> member_of(Side, "left") is Side.LEFT, member_of(Side, "Left"), member_of(Side, ["left"])
(True, None, None)
>>> allowed_values(Side)
'left, right'
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

__all__ = ["allowed_values", "member_of"]

_E = TypeVar("_E", bound=Enum)


def member_of(enum: type[_E], value: object, /) -> _E | None:
    """The member of ``enum`` whose value equals ``value``, else None (a lookup by value)."""
    try:
        return enum(value)
    except (ValueError, TypeError):  # no such value; an unhashable value
        return None


def allowed_values(enum: type[Enum], /) -> str:
    """The values of ``enum`` in definition order, comma-separated, for an error message."""
    return ", ".join(str(member.value) for member in enum)
