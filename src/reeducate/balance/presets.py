"""Named analysis presets: preprocessing plus metric conventions, chosen by one name.

* ``"santos-duarte-2016"`` (default): no preprocessing, the conventions that reproduce the
  published metrics of the public balance data set (Santos & Duarte 2016, PeerJ 4:e2648,
  doi:10.7717/peerj.2648), so that a clinic's numbers compare with its norms.
* ``"quijoux-2021"``: the pipeline of Quijoux et al. (2021, Physiol Rep 9:e15067,
  doi:10.14814/phy2.15067) -- centring on the raw 100 Hz mean, artefact purge and SWARII
  resampling to 25 Hz, 4th-order zero-phase Butterworth low-pass at 10 Hz -- with that code's
  metric conventions; like that code, the metrics measure positions from the raw mean
  (``centring="as_given"``) and do not re-centre the processed signal.
* ``"quijoux-2021-raw"``: that code's conventions on the unprocessed signal (centred on its
  own mean, which without preprocessing is the raw mean).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.preprocess import Preprocessing
from reeducate.balance.preset_names import DEFAULT_PRESET, PRESET_NAMES
from reeducate.errors import InvalidParameterError, NotFoundError

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Preset:
    """A named pair of preprocessing and metric conventions.

    Examples
    --------
    >>> get_preset("quijoux-2021").preprocessing.resample_hz
    25.0
    """

    name: str
    description: str
    preprocessing: Preprocessing
    conventions: SwayConventions

    def __post_init__(self) -> None:
        if not self.name or self.name.strip() != self.name:
            raise InvalidParameterError(
                f"name must be a non-empty string without surrounding spaces; got {self.name!r}"
            )


PRESETS: Final[Mapping[str, Preset]] = MappingProxyType(
    {
        preset.name: preset
        for preset in (
            Preset(
                name="santos-duarte-2016",
                description=(
                    "No preprocessing; conventions of the public balance data set's published "
                    "metrics (Santos & Duarte 2016, doi:10.7717/peerj.2648)."
                ),
                preprocessing=Preprocessing(),
                conventions=SwayConventions.santos_duarte_2016(),
            ),
            Preset(
                name="quijoux-2021",
                description=(
                    "Quijoux et al. 2021 pipeline (doi:10.14814/phy2.15067): centring on the raw "
                    "mean, SWARII to 25 Hz, 4th-order zero-phase Butterworth low-pass at 10 Hz, "
                    "that code's conventions (positions measured from the raw mean)."
                ),
                preprocessing=Preprocessing.quijoux_2021(),
                conventions=replace(SwayConventions.quijoux_2021(), centring="as_given"),
            ),
            Preset(
                name="quijoux-2021-raw",
                description=(
                    "Quijoux et al. 2021 conventions (doi:10.14814/phy2.15067) on the raw "
                    "signal: no resampling, no filter."
                ),
                preprocessing=Preprocessing(),
                conventions=SwayConventions.quijoux_2021(),
            ),
        )
    }
)

#: Name of the preset used when none is given.
if tuple(PRESETS) != PRESET_NAMES:  # pragma: no cover - a programming error caught on import
    raise RuntimeError(f"preset_names.PRESET_NAMES {PRESET_NAMES} != presets {tuple(PRESETS)}")


def get_preset(name: str, /) -> Preset:
    """The preset called ``name``.

    Raises
    ------
    NotFoundError
        When no preset has that name (the message lists the valid names).

    Examples
    --------
    >>> get_preset("santos-duarte-2016").preprocessing.is_identity
    True
    >>> try:
    ...     get_preset("nope")
    ... except NotFoundError as error:
    ...     print(error)
    preset must be one of santos-duarte-2016, quijoux-2021, quijoux-2021-raw; got 'nope'
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise NotFoundError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}") from None
