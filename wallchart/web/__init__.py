"""The pages people use: one blueprint a module (board, ledger import, projects' tracking,
funds and documents, wall, indicators, reports, account, sign-in, admin), and the page-wide
hooks (security headers, rate limits, language, templating helpers, error pages).

A face: parses, authorizes, calls a service or a read, renders. May import ``identity``,
``services``, ``reports``, ``reads`` and ``core``; never another face (``api``, ``realtime``,
``cli``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the page-wide hooks, then register every page blueprint."""
    from wallchart.web import (
        account,
        admin,
        app_shell,
        auth,
        board,
        documents,
        error_pages,
        funds,
        i18n,
        imports,
        indicators,
        meetings,
        notifications,
        reports,
        results,
        security,
        templating,
        tracking,
        wall,
    )

    auth.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    for page in (auth, board, imports, wall, tracking, funds, documents, admin, account,
                 indicators, reports, results, meetings,
                 notifications, app_shell):
        app.register_blueprint(page.bp)
    error_pages.init_app(app)
