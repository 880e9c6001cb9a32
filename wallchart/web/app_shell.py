"""The installable app: its manifest, its service worker and the page the worker shows when
there is no connection. None of them holds data: they are the same for everyone, signed in or not.

The service worker (templates/shell/sw.js) keeps the app shell — the vendored libraries, the
styles, the scripts, the icons and the offline page — in a cache named for ``SHELL_VERSION`` and
a digest of those files, so that a release that changes any of them gets a new cache and the
old one is removed. Pages and API answers are never cached: a navigation goes to the network
first and falls back to the offline page; everything else it leaves to the browser.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for

bp = Blueprint("shell", __name__)

#: Bump on a release that changes what the worker does (a change in the cached files renames
#: the cache by itself).
SHELL_VERSION = 1
#: The app shell: what the worker stores when it installs, below the static folder.
SHELL_FOLDERS = ("vendor", "css", "js", "icons")
#: Not stored at install: sourcemaps, and the API docs' 2 MB viewer (the worker keeps it once the
#: docs page has loaded it). Not worth a phone's space for a page few open.
SKIPPED_SUFFIXES = (".map",)
SKIPPED_PREFIXES = ("vendor/swagger-ui-dist",)
#: The colour of the top bar's brand line and title (--brand in static/css/app.css).
THEME_COLOUR = "#b3261e"
BACKGROUND_COLOUR = "#eef1f5"


@cache
def _shell_files(static_folder: str) -> tuple[tuple[str, ...], str]:
    """The shell's files below ``static_folder`` and a digest of their contents."""
    root = Path(static_folder)
    digest = hashlib.sha256()
    names: list[str] = ["favicon.svg"]
    for folder in SHELL_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            name = path.relative_to(root).as_posix()
            if (path.is_file() and not name.endswith(SKIPPED_SUFFIXES)
                    and not name.startswith(SKIPPED_PREFIXES)):
                names.append(name)
    for name in names:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return tuple(names), digest.hexdigest()[:12]


def cache_name() -> str:
    """The worker's cache: renamed when the shell changes."""
    _names, digest = _shell_files(current_app.static_folder)
    return f"wallchart-shell-v{SHELL_VERSION}-{digest}"


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installed, the app opens on the board's "My projects"."""
    icons = [
        {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192",
         "type": "image/png", "purpose": "any"},
        {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "any"},
        {"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
    ]
    response = jsonify({
        "id": url_for("board.index"),
        "name": "挂图作战",
        "short_name": "挂图作战",
        "description": "招商引资项目挂图作战",
        "lang": "zh-Hans",
        "start_url": url_for("board.index", mine="1"),
        "scope": url_for("auth.home"),
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so that its scope is the whole site."""
    names, _digest = _shell_files(current_app.static_folder)
    shell = [url_for("static", filename=name) for name in names] + [url_for("shell.offline")]
    body = render_template("shell/sw.js", cache_name=cache_name(), shell=shell,
                           offline=url_for("shell.offline"),
                           static_prefix=url_for("static", filename=""))
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("auth.home")
    return response


@bp.get("/offline")
def offline():
    """What a navigation shows when there is no connection: no data, nobody's name."""
    response = Response(render_template("shell/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
