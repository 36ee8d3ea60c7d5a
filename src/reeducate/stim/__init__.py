"""Neuromuscular electrical stimulation: protocols as data, parameter safety, contraindication
screening and the EMG-triggered stimulation controller.

Pure layer: no database, web, CLI or plotting imports.
"""
