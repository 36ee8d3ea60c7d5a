"""Storage of clinical records: SQLAlchemy 2 models, repositories, engine factory, migrations.

The store saves the pure records of :mod:`reeducate.clinic.care` (patients, episodes, plans,
goals, prescriptions, sessions, balance trials) in SQLite (the default: one file in the user's
data directory) or PostgreSQL (by URL). Importing this package creates nothing: no engine, no
settings, no connection.

Modules
-------
settings
    Where the database is: ``REEDUCATE_DATABASE_URL`` or the default SQLite file.
engine
    Engine and session factory from a URL (SQLite with foreign keys ON and WAL), and
    :func:`~reeducate.store.engine.transaction`, the one place a unit of work commits.
models
    Typed declarative models with a naming convention for constraints.
repositories
    Read and write the care records; they flush but never commit, and append an audit event
    for every change.
migrate
    Alembic migrations (``reeducate/store/migrations``) run programmatically: upgrade and the
    equivalent of ``alembic check``.
"""
