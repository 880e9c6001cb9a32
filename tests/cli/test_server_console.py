"""``python wsgi.py`` speaks the terminal's language on its console (Chinese unless the terminal
speaks English): the first-start link, where it listens, and a setting that stops it, said as
a sentence rather than a traceback; ``flask --app wsgi`` stops the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]


def _console(tmp_path: Path, **settings: str) -> dict[str, str]:
    """This process's environment in a terminal of no particular language, with an instance
    of its own and ``settings``."""
    kept = {name: value for name, value in os.environ.items()
            if name not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
            and not name.startswith("WALLCHART_")}
    return {**kept, "WALLCHART_INSTANCE_PATH": str(tmp_path), **settings}


@pytest.mark.parametrize("command", [[sys.executable, "wsgi.py"],
                                     [sys.executable, "-m", "flask", "--app", "wsgi", "user",
                                      "list"]])
def test_a_bad_setting_stops_the_start_with_a_sentence_in_chinese(tmp_path, command):
    stopped = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env=_console(tmp_path, WALLCHART_CAPITAL_INCREASE="all"))
    assert stopped.returncode == 1
    assert stopped.stderr.strip() == \
        "挂图作战无法启动：WALLCHART_CAPITAL_INCREASE=all 无效：只能是 increment 或 project。"
    assert not list(tmp_path.glob("*.sqlite")), "nothing is set up"


def test_an_english_terminal_is_told_in_english(tmp_path):
    stopped = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60,
                             env=_console(tmp_path, LANG="en_US.UTF-8",
                                          WALLCHART_PASSWORD_SCRYPT_COST="1000"))
    assert stopped.returncode == 1
    assert stopped.stderr.strip() == "Wallchart cannot start: " \
        "WALLCHART_PASSWORD_SCRYPT_COST=1000 is not a whole number of at least 1024."


@pytest.mark.live
def test_the_first_start_says_the_setup_link_and_the_address_in_chinese(tmp_path):
    port = free_port()
    log = tmp_path / "console.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT,
                                  env=_console(tmp_path, WALLCHART_PORT=str(port)))
    try:
        deadline = time.monotonic() + 60
        while "挂图作战已启动" not in log.read_text() and server.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        said = log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "还没有管理员。请打开这个一次性链接创建管理员：\n" \
           f"    http://127.0.0.1:{port}/setup?token=" in said, said
    assert f"挂图作战已启动：http://127.0.0.1:{port}/board (gevent；按 Ctrl+C 停止)" in said
