"""Alembic migrations of the store (run them with :mod:`reeducate.store.migrate`)."""
