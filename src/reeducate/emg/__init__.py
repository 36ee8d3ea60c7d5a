"""Surface EMG: cleaning, envelopes, %MVC, onsets, co-contraction, fatigue, live envelope.

Pure layer: no database, web, CLI or plotting imports; no file access (readers live in
:mod:`reeducate.io`).
"""
