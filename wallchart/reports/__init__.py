"""Figures and reports: indicators of a period year on year, the schedule report, the weekly
report, charts, spreadsheets, and what the walls show around their cards.

Only reads. May import ``core`` and ``reads``; never ``services`` or a face.
"""
