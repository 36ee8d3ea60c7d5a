"""Path shape and DTW against closed forms and a plain reference implementation."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.movement.path import fit_circle, follows_pattern, path_shape
from reeducate.movement.similarity import compare_to_demonstration, dtw


def test_circle_closed_forms() -> None:
    a = np.linspace(0, 4 * np.pi, 4001)  # two turns of radius 0.3
    pts = np.c_[1 + 0.3 * np.cos(a), 2 + 0.3 * np.sin(a)]
    s = path_shape(pts, vertical=(0, 1))
    assert s.shape == "circular"
    # chords of 2*pi/2000 rad: length = 2 * 2000 * 2 r sin(pi/2000) (exact for the polygon)
    assert s.length == pytest.approx(4000 * 2 * 0.3 * np.sin(np.pi / 2000), rel=1e-12)
    assert s.turning_deg == pytest.approx(720.0, abs=0.2)
    assert s.circle.radius == pytest.approx(0.3, rel=1e-12)
    assert s.circle_residual_ratio < 1e-10


def test_line_classes_and_direction() -> None:
    t = np.linspace(0, 1, 50)
    assert path_shape(np.c_[0 * t, t], vertical=(0, 1)).shape == "linear_vertical"
    assert path_shape(np.c_[t, 0 * t], vertical=(0, 1)).shape == "linear_horizontal"
    d = path_shape(np.c_[t, -t], vertical=(0, -1))  # image coordinates, y down
    assert d.shape == "diagonal" and d.axis_from_vertical_deg == pytest.approx(45.0)
    arc = np.linspace(0, np.pi / 2, 50)
    assert path_shape(np.c_[np.cos(arc), np.sin(arc)], vertical=(0, 1)).shape == "curved"
    f = follows_pattern(np.c_[t, t], prescribed="straight", vertical=(0, 1), direction=(0, 1))
    assert f.direction_error_deg == pytest.approx(45.0) and f.score == 0.0


def test_circle_fit_of_noisy_arc() -> None:
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 2 * np.pi, 500)
    c = fit_circle(np.c_[np.cos(a), np.sin(a)] * 5 + rng.normal(0, 0.01, (500, 2)))
    assert c.radius == pytest.approx(5.0, abs=0.01)


def test_path_refusals() -> None:
    with pytest.raises(SignalQualityError):
        path_shape(np.ones((10, 2)), vertical=(0, 1))
    with pytest.raises(InvalidParameterError):
        path_shape(np.ones((10, 4)), vertical=(0, 1))


def _dtw_loop(x: np.ndarray, y: np.ndarray) -> float:
    n, m = len(x), len(y)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            acc[i, j] = abs(x[i - 1] - y[j - 1]) + min(
                acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
            )
    return float(acc[n, m])


def test_dtw_matches_plain_loop() -> None:
    rng = np.random.default_rng(5)
    for n, m in ((7, 7), (13, 9), (5, 21)):
        x, y = rng.normal(size=n), rng.normal(size=m)
        r = dtw(x, y)
        assert r.distance == pytest.approx(_dtw_loop(x, y), rel=1e-12)
        # the path is monotone, continuous, and its cost is the distance
        steps = np.diff(r.path, axis=0)
        assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()
        assert np.abs(x[r.path[:, 0]] - y[r.path[:, 1]]).sum() == pytest.approx(r.distance)


def test_demonstration_finds_the_moment_that_differs() -> None:
    fs = 50.0
    t = np.linspace(0, 1, 101)
    demo = 90 * np.sin(np.pi * t) ** 2
    patient = 90 * np.sin(np.pi * np.linspace(0, 1, 151)) ** 2
    patient[60:90] -= 30 * np.hanning(30)  # falls short around 1.5 s
    c = compare_to_demonstration(patient, demo, patient_rate_hz=fs, demonstration_rate_hz=fs)
    assert c.tempo_ratio == pytest.approx(1.5)
    assert 60 / fs <= c.worst_moments[0].time_s <= 90 / fs
    assert 0 < c.score < 1
    same = compare_to_demonstration(demo, demo, patient_rate_hz=fs, demonstration_rate_hz=fs)
    assert same.mean_difference_deg == 0.0 and same.score == 1.0
