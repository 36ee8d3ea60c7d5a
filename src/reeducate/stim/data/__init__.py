"""Data files of :mod:`reeducate.stim`, read through :mod:`importlib.resources`.

``protocols.toml`` holds the NMES protocols (see :mod:`reeducate.stim.protocols`).
"""
