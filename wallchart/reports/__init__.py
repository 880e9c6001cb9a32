"""Figures and reports: indicators of a period year on year, the scheduling report's lists, the
weekly report, charts, spreadsheets, and what the walls show around their cards (header, ticker,
ranking, attention).

Only reads. May import ``reads`` and ``core``; never ``services``, ``identity`` or a face.
"""
