"""Data files of :mod:`reeducate.clinic`, read through :mod:`importlib.resources`.

``exercises/*.toml`` holds the exercise library (see :mod:`reeducate.clinic.exercises`).
"""
