"""Shared test fixtures.

The reference recordings live in ``../shared/data`` beside the repository (or where
``REEDUCATE_SHARED_DATA`` points). Tests that need them are marked ``shared_data`` and skip only
when that folder is absent, as in a user's clone. In CI (``CI`` set) a missing folder is an error,
so the tier can never be skipped silently there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"


def _shared_data_dir() -> Path:
    env = os.environ.get("REEDUCATE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


SHARED_DATA = _shared_data_dir()


def _video_route_missing() -> str | None:
    """Why the video route cannot run here (extra or model bundles absent), or None."""
    import importlib.util

    for module in ("mediapipe", "cv2"):
        if importlib.util.find_spec(module) is None:
            return f"the video extra is not installed ({module} missing)"
    from reeducate.errors import ReeducateError
    from reeducate.movement.pose.models import POSE_MODELS, locate_model

    try:
        for model in POSE_MODELS:
            locate_model(model)
    except ReeducateError as exc:
        return str(exc)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The video tier (marker `video`): skips only where the video extra is absent, never in CI.
    if any(item.get_closest_marker("video") for item in items):
        why = _video_route_missing()
        if why is not None:
            if os.environ.get("CI"):
                raise pytest.UsageError(f"CI is set but {why}; the video tier must run in CI")
            skip_video = pytest.mark.skip(reason=why)
            for item in items:
                if item.get_closest_marker("video"):
                    item.add_marker(skip_video)
    if SHARED_DATA.is_dir():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI is set but the reference recordings are missing at {SHARED_DATA}; "
            "the shared_data tier must run in CI"
        )
    skip = pytest.mark.skip(reason=f"reference recordings not found at {SHARED_DATA}")
    for item in items:
        if "shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ``../shared/data`` (tests using it must carry ``@pytest.mark.shared_data``)."""
    return SHARED_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Path to ``tests/data`` (small fixtures with a PROVENANCE note)."""
    return TEST_DATA
