"""``KEY=VALUE`` options (``--level surface=foam``, ``--item 3=4``), parsed the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from reeducate.errors import InvalidParameterError


def parse_key_values(texts: Sequence[str], /, *, option: str, example: str) -> dict[str, str]:
    """Parse repeated ``KEY=VALUE`` options; one option may also hold several, comma-separated.

    Raises
    ------
    InvalidParameterError
        A part without ``=``, with an empty key or value, or a key given twice; the message
        names the option and shows an example.

    Examples
    --------
    >>> parse_key_values(["1=4,2=3", "3 = 2"], option="--item", example="1=4")
    {'1': '4', '2': '3', '3': '2'}
    >>> try:
    ...     parse_key_values(["surface"], option="--level", example="surface=foam")
    ... except ValueError as error:
    ...     print(error)
    --level must be KEY=VALUE, e.g. surface=foam; got 'surface'
    """
    out: dict[str, str] = {}
    for text in texts:
        for part in text.split(","):
            key, sep, value = (s.strip() for s in part.partition("="))
            if not sep or not key or not value:
                raise InvalidParameterError(
                    f"{option} must be KEY=VALUE, e.g. {example}; got {part.strip()!r}"
                )
            if key in out:
                raise InvalidParameterError(
                    f"{option} {key} must be given once; got {out[key]!r} and {value!r}"
                )
            out[key] = value
    return out


def parse_number(text: str, /, *, field_name: str) -> float:
    """A number typed on the command line (``4``, ``12.5``); integers stay exact.

    Examples
    --------
    >>> parse_number("4", field_name="--item 1"), parse_number("12.5", field_name="--item 1")
    (4, 12.5)
    """
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise InvalidParameterError(f"{field_name} must be a number; got {text!r}") from None
