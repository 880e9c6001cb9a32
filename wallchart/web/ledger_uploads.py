"""Ledgers uploaded to the import page, kept on disk between its steps (mapping, preview,
confirmation), with the progress of the step that runs.

Each upload is a folder under the instance folder's ``imports/``, named by a random token:
the file, who uploaded it, and a small progress file that the running step rewrites and the
page polls. On disk rather than in memory, so that any of the server's processes on the host
serves any step; tied to its uploader (anyone else is told it does not exist); removed after
it is imported, and an hour after it was uploaded.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from wallchart.core.errors import NotFound

#: How long an upload is kept, in seconds.
UPLOAD_LIFETIME = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_LEDGER, _OWNER, _PROGRESS = "ledger", "owner.json", "progress.json"


def _root() -> Path:
    return Path(current_app.instance_path) / "imports"


@dataclass
class Upload:
    """One uploaded ledger: its token, its folder, its file's name as uploaded."""

    token: str
    folder: Path
    filename: str

    def data(self) -> bytes:
        return (self.folder / _LEDGER).read_bytes()

    def report(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Say how far the running step is (written whole, then renamed: a reader never sees
        half a file); the import lets the page's polls in between (``services.imports``)."""
        temporary = self.folder / f"{_PROGRESS}.{os.getpid()}"
        temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
        os.replace(temporary, self.folder / _PROGRESS)

    def progress(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / _PROGRESS).read_text())
        except (OSError, ValueError):
            return {"phase": "waiting", "done": 0, "total": 0}

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def store(user_id: int, filename: str, data: bytes) -> Upload:
    """Keep an uploaded ledger for its uploader; forget those past their hour."""
    _sweep()
    token = secrets.token_urlsafe(16)
    folder = _root() / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / _LEDGER).write_bytes(data)
    (folder / _OWNER).write_text(json.dumps(
        {"user": user_id, "filename": filename, "at": time.time()}))
    return Upload(token, folder, filename)


def find(user_id: int, token: str) -> Upload:
    """The user's upload of this token; ``NotFound`` for a token that is malformed, expired,
    removed, or another user's (which is not told apart from one that never was)."""
    folder = _root() / token
    owner = None
    if _TOKEN.fullmatch(token):
        try:
            owner = json.loads((folder / _OWNER).read_text())
        except (OSError, ValueError):
            owner = None
    if owner is None or owner.get("user") != user_id or _expired(owner):
        raise NotFound(_("This upload is no longer here (an upload is kept for an hour, until "
                         "it is imported): upload the ledger again."))
    return Upload(token, folder, owner.get("filename", ""))


def _expired(owner: dict[str, Any]) -> bool:
    return time.time() - owner.get("at", 0) > UPLOAD_LIFETIME


def _sweep() -> None:
    root = _root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        try:
            owner = json.loads((folder / _OWNER).read_text())
        except (OSError, ValueError):
            owner = {"at": folder.stat().st_mtime}
        if _expired(owner):
            shutil.rmtree(folder, ignore_errors=True)
