"""The figure cache renders a figure once, however many requests miss it at the same time."""

from __future__ import annotations

import threading
import time
from typing import Any

from reeducate.web.charts import SvgCache


def test_concurrent_misses_of_one_figure_render_it_once() -> None:
    from matplotlib.figure import Figure

    cache = SvgCache(max_entries=4)
    renders: list[int] = []
    start = threading.Barrier(8)
    got: list[bytes] = []

    def render() -> Any:
        renders.append(1)
        time.sleep(0.2)  # a slow figure: every thread misses while it renders
        return Figure(figsize=(1, 1))

    def view() -> None:
        start.wait(timeout=10)
        got.append(cache.get_or_render(("trend", 1), render))

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(renders) == 1
    assert len(got) == 8 and len(set(got)) == 1


def test_a_failed_render_is_tried_again() -> None:
    from matplotlib.figure import Figure

    cache = SvgCache(max_entries=4)
    calls: list[int] = []

    def flaky() -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first render fails")
        return Figure(figsize=(1, 1))

    try:
        cache.get_or_render(("k",), flaky)
    except RuntimeError:
        pass
    assert cache.get_or_render(("k",), flaky).startswith(b"<?xml")
    assert len(calls) == 2 and len(cache) == 1
