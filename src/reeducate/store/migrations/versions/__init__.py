"""Migration scripts, oldest first (their names begin with the revision number)."""
