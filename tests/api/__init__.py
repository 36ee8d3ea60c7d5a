"""Tests of reeducate.api.

A package, so that its conftest gets a module name of its own (``--doctest-modules`` imports
every conftest, and two plain ``conftest`` modules collide).
"""
