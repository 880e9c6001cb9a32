"""The tables and the rules every layer shares: models, vocabulary, stage-date and early-warning
rules, money and date formats, errors, transactions, time, input limits.

Imports nothing of wallchart's other packages (only ``wallchart.extensions``).
"""
