"""Settings of the web application, read from ``REEDUCATE_*`` environment variables.

==============================  ===============================================================
variable                        meaning
==============================  ===============================================================
``REEDUCATE_DATABASE_URL``      the database (:mod:`reeducate.store.settings`; default: one
                                SQLite file in the user's data directory)
``REEDUCATE_SECRET_KEY``        signs session cookies and CSRF tokens (at least 32 characters);
                                unset: a random key per process, so sessions end at a restart
``REEDUCATE_SESSION_LIFETIME_S``  how long a sign-in lasts, in seconds (default 8 hours)
``REEDUCATE_COOKIE_SECURE``     send cookies over HTTPS only (default true; browsers treat
                                ``http://localhost`` as secure)
``REEDUCATE_UPLOAD_LIMIT_BYTES``  the largest upload accepted (default 20 MiB)
``REEDUCATE_DEMO``              the server runs the demo clinic (default false)
``REEDUCATE_GC_FREEZE``         after start-up and after each warm-up of the patient lists,
                                move the objects kept for the process's life out of the
                                garbage collector's reach (``gc.freeze``): full collections
                                then scan only what requests create (default false;
                                ``reeducate serve`` turns it on)
``REEDUCATE_ASSETS_DIR``        where the npm packages of stylesheets, fonts and scripts are
                                (default: the ``node_modules`` that ``scripts/web-assets.sh``
                                fills beside ``reeducate/web/assets/package.json``)
==============================  ===============================================================

Nothing is read at import: :func:`load_settings` reads the environment when called.

Examples
--------
>>> settings = load_settings(environ={"REEDUCATE_SESSION_LIFETIME_S": "3600"})
>>> settings.session_lifetime_s, settings.cookie_secure
(3600, True)
>>> load_settings(environ={"REEDUCATE_UPLOAD_LIMIT_BYTES": "0"})
Traceback (most recent call last):
...
reeducate.errors.InvalidParameterError: REEDUCATE_UPLOAD_LIMIT_BYTES must be > 0; got '0'
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from reeducate.errors import InvalidParameterError
from reeducate.store.settings import database_url, normalize_url

__all__ = ["ENV_PREFIX", "Settings", "load_settings"]

#: Prefix of every environment variable the application reads.
ENV_PREFIX: Final = "REEDUCATE_"

#: Values never repeated in an error message (a database URL may carry a password).
_SECRET_FIELDS: Final = frozenset({"secret_key", "database_url"})
_MIN_SECRET_CHARS: Final = 32


def _random_secret() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(48))


class Settings(BaseModel):
    """What the application needs to run; every field has a ``REEDUCATE_`` variable.

    A plain pydantic model: :func:`load_settings` is the one place that reads the environment,
    so a test builds ``Settings(...)`` from exactly what it gives.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the database (None: the default SQLite file)"
    )
    secret_key: SecretStr = Field(
        default_factory=_random_secret,
        description="signs session cookies and CSRF tokens (random per process when unset)",
    )
    session_lifetime_s: int = Field(default=8 * 3600, gt=0, le=30 * 24 * 3600)
    cookie_secure: bool = True
    upload_limit_bytes: int = Field(default=20 * 1024 * 1024, gt=0, le=1024 * 1024 * 1024)
    demo: bool = False
    gc_freeze: bool = False
    assets_dir: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalize_url(value)

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < _MIN_SECRET_CHARS:
            raise ValueError(f"must be at least {_MIN_SECRET_CHARS} characters")
        return value

    def resolved_database_url(self) -> str:
        """The database URL in use: the configured one, else the default SQLite file."""
        return self.database_url if self.database_url is not None else database_url({})


def _constraint(error: Mapping[str, Any]) -> str:
    """A pydantic error in the package's words ("must be > 0") where there is a rule."""
    ctx = error.get("ctx") or {}
    kind = error.get("type")
    words = {"greater_than": "> {gt}", "less_than_equal": "<= {le}"}
    if kind in words:
        return "must be " + words[kind].format(**ctx)
    if kind == "bool_parsing":
        return "must be true or false (or 1/0, yes/no, on/off)"
    if kind == "int_parsing":
        return "must be a whole number"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return f"must be valid: {error.get('msg', 'invalid value')}"


def load_settings(*, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from ``environ`` (``os.environ`` when None), with ``overrides`` on top.

    Variables set to an empty string count as unset. Overrides set to None are ignored, so
    command-line options can be passed straight through.

    Raises
    ------
    InvalidParameterError
        A variable has a value outside its constraint (the message names the variable and,
        except for the secret key, the value received).
    """
    env = os.environ if environ is None else environ
    fields = set(Settings.model_fields)
    values: dict[str, Any] = {}
    for key, value in env.items():
        name = key.upper().removeprefix(ENV_PREFIX).lower()
        if key.upper().startswith(ENV_PREFIX) and name in fields and value.strip():
            values[name] = value.strip()
    unknown = set(overrides) - fields
    if unknown:
        raise TypeError(f"load_settings() got unknown settings: {', '.join(sorted(unknown))}")
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, InvalidParameterError):
            raise cause from None
        name = str(error["loc"][0]) if error["loc"] else "settings"
        received = "" if name in _SECRET_FIELDS else f"; got {error.get('input')!r}"
        raise InvalidParameterError(
            f"{ENV_PREFIX}{name.upper()} {_constraint(error)}{received}"
        ) from None
