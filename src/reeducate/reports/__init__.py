"""Reports for therapists: figures (:mod:`reeducate.reports.figures`, matplotlib imported lazily)
and the self-contained HTML balance report (:func:`reeducate.reports.html.render_balance_report`).

This is an output layer: it may import :mod:`reeducate.balance` and :mod:`reeducate.units`, never
services or the CLI. Importing it does not import matplotlib.
"""
