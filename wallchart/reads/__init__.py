"""Read-side queries for pages, the API and the walls: the board's cards and columns in a constant
number of statements (``queries``), the board filter, rendered cards kept, likely duplicates.

Only reads. May import ``core``; never ``reports``, ``services``, ``identity`` or a face.
"""
