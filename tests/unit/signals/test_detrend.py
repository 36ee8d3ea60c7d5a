"""Detrending along axis 0."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import InvalidParameterError
from reeducate.signals.detrend import detrend


def test_linear_removes_a_line_and_constant_removes_the_mean() -> None:
    t = np.linspace(0, 10, 501)
    x = np.column_stack([3.0 + 0.2 * t, np.sin(t) + 5.0])
    before = x.copy()
    assert_allclose(detrend(x, method="linear")[:, 0], 0.0, atol=1e-12)
    out = detrend(x, method="constant")
    assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert_allclose(out[:, 1] - out[0, 1], x[:, 1] - x[0, 1], atol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_none_returns_an_equal_copy() -> None:
    x = np.arange(5.0)
    out = detrend(x, method="none")
    np.testing.assert_array_equal(out, x)
    assert out is not x


def test_unknown_method_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        detrend(np.arange(5.0), method="quadratic")  # type: ignore[arg-type]
