"""Which build of the app a process serves: a wall display reloads itself when it changes.

A screen stays open for weeks; after an upgrade its old page would keep running old scripts
against a new server. The socket's ``hello`` names the build, and the wall reloads when it
differs from the one its page came with.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What pages and their scripts are made of: a change to any file in these is a new build.
SOURCES = ("static", "templates", "wallchart", "migrations")


def build_id() -> str:
    """``WALLCHART_BUILD_ID`` when set (say, a release name), else a digest of the code, the
    templates, the static files and the migrations. By content, not by file times, so that
    every process and host of one release names the same build."""
    return os.environ.get("WALLCHART_BUILD_ID") or _digest()


@cache
def _digest() -> str:
    """Computed once per process (about 2 MB to read)."""
    digest = hashlib.sha256()
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
