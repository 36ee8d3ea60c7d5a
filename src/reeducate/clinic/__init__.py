"""The clinical core: exercises, difficulty dimensions, progression, plans of care, outcomes.

This package is pure: no database, web, CLI or plotting imports, no file access except the
package's own data files (read through :mod:`importlib.resources`) and no clock reads (dates and
``now`` are passed in). Rules clinicians must read live as data files or small declarative tables.

Modules
-------
dimensions
    The difficulty dimensions of the progression ladder, each an ordered set of levels, and the
    ladder's default order of dimensions.
exercises
    The exercise library: variants written as TOML data files, validated on load, linked by
    family so that "one step harder/easier along a dimension" is defined, and searchable.
"""
