"""reeducate: neuromuscular re-education, measured.

Importing the package does nothing beyond defining names: no settings, no logging set-up,
no file or network access.
"""

__version__ = "0.1.0"
