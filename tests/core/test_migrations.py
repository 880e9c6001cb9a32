"""The schema comes from the migrations alone, and they match the models."""

from __future__ import annotations

import os
import subprocess

from tests.forks import flask_command


def test_the_models_match_the_migrations(databases, tmp_path):
    env = {**os.environ, "WALLCHART_INSTANCE_PATH": str(tmp_path),
           "WALLCHART_DATABASE_URL": databases.new(tmp_path, "check"),
           "WALLCHART_SECRET_KEY": "t"}

    def flask(*args) -> subprocess.CompletedProcess:
        return flask_command(env, "db", *args)

    assert flask("upgrade").returncode == 0
    check = flask("check")
    assert check.returncode == 0, check.stdout + check.stderr
    # And every step back down works too, so that an upgrade can be undone.
    assert flask("downgrade", "base").returncode == 0
    assert flask("upgrade").returncode == 0
