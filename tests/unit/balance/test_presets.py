"""Named presets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.preprocess import Preprocessing
from reeducate.balance.presets import DEFAULT_PRESET, PRESETS, get_preset
from reeducate.errors import NotFoundError


def test_the_three_presets_and_the_default() -> None:
    assert list(PRESETS) == ["santos-duarte-2016", "quijoux-2021", "quijoux-2021-raw"]
    assert DEFAULT_PRESET == "santos-duarte-2016"
    default = get_preset(DEFAULT_PRESET)
    assert default.preprocessing == Preprocessing()
    assert default.conventions == SwayConventions.santos_duarte_2016()
    paper = get_preset("quijoux-2021")
    assert paper.preprocessing == Preprocessing.quijoux_2021()
    assert paper.preprocessing.resample_hz == 25.0 and paper.preprocessing.lowpass_hz == 10.0
    # Like that code: centre once on the raw mean, then never re-centre the processed signal.
    assert paper.preprocessing.centre == "raw_mean"
    assert paper.conventions == replace(SwayConventions.quijoux_2021(), centring="as_given")
    raw = get_preset("quijoux-2021-raw")
    # Without preprocessing the raw mean is the signal's mean: the default centring suffices.
    assert raw.preprocessing.is_identity and raw.conventions == SwayConventions.quijoux_2021()
    assert raw.conventions.centring == "signal_mean"
    assert default.conventions.centring == "signal_mean" and default.preprocessing.centre == "none"
    assert all(name == preset.name for name, preset in PRESETS.items())


def test_unknown_preset_lists_the_valid_names() -> None:
    with pytest.raises(
        NotFoundError, match="santos-duarte-2016, quijoux-2021, quijoux-2021-raw; got 'x'"
    ):
        get_preset("x")


def test_light_preset_names_match_the_presets() -> None:
    from reeducate.balance.preset_names import DEFAULT_PRESET as LIGHT_DEFAULT
    from reeducate.balance.preset_names import PRESET_NAMES
    from reeducate.balance.presets import DEFAULT_PRESET as HEAVY_DEFAULT
    from reeducate.balance.presets import PRESETS

    assert tuple(PRESETS) == PRESET_NAMES
    assert LIGHT_DEFAULT == HEAVY_DEFAULT == PRESET_NAMES[0]
