"""Tests of the command line.

A package, so that its conftest gets a module name of its own beside tests/conftest.py.
"""
