"""Every change: validate, write, record the history, commit, announce.

May import ``core`` and ``reads``; never ``reports``, a face, or a template.
"""
