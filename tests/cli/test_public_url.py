"""WALLCHART_PUBLIC_URL: the address people reach the site at (nginx's, before several
processes) starts every link the console prints; a value that is not one stops the start, in
the terminal's language (Chinese unless it speaks English)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.forks import flask_command

SITE = "https://wallchart.example.gov.cn"


def _console(**settings: str) -> dict[str, str]:
    """This process's environment (the test's instance and database), in a terminal of no
    particular language, with ``settings``."""
    return {**{name: value for name, value in os.environ.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}, **settings}


def test_display_create_prints_the_link_on_the_public_site(app):
    result = flask_command(_console(WALLCHART_PUBLIC_URL=SITE + "/"), "display", "create", "大厅")
    assert result.returncode == 0, result.stderr
    link = urlsplit(result.stdout.strip().splitlines()[-1])
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{SITE}/wall"
    assert app.test_client().get(f"{link.path}?{link.query}").status_code == 200


def test_the_setup_link_is_printed_on_the_public_site(empty_app):
    result = flask_command(_console(WALLCHART_PUBLIC_URL="http://10.1.2.3:8080"), "setup-link")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://10.1.2.3:8080/setup?token=")
    assert empty_app.test_client().get(link.removeprefix("http://10.1.2.3:8080")) \
        .status_code == 200


def test_without_it_links_name_this_servers_own_address(empty_app):
    result = flask_command(_console(WALLCHART_HOST="0.0.0.0", WALLCHART_PORT="8001"),
                           "setup-link")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("http://127.0.0.1:8001/setup?token=")


@pytest.mark.parametrize("value", [
    "wallchart.example.gov.cn", "ftp://wallchart.example.gov.cn", "https://",
    "https://wallchart.example.gov.cn/board", "https://wallchart.example.gov.cn:port",
    "https://admin@wallchart.example.gov.cn", "https://wallchart.example.gov.cn/?next=1",
])
def test_a_value_that_is_not_the_sites_address_stops_the_start_in_chinese(app, value):
    refused = flask_command(_console(WALLCHART_PUBLIC_URL=value), "display", "create", "大厅")
    assert refused.returncode != 0
    assert f"WALLCHART_PUBLIC_URL={value} 不是访问本站的地址，应形如 " \
           "https://wallchart.example.gov.cn" in refused.stderr, refused.stderr
    assert "大厅" not in refused.stdout


def test_the_refusal_speaks_english_in_an_english_terminal(app):
    refused = flask_command(_console(WALLCHART_PUBLIC_URL="wallchart.example.gov.cn",
                                     LANG="en_US.UTF-8"), "setup-link")
    assert refused.returncode != 0
    assert "WALLCHART_PUBLIC_URL=wallchart.example.gov.cn is not the address people reach the " \
           "site at, such as https://wallchart.example.gov.cn" in refused.stderr, refused.stderr


def test_it_is_kept_as_scheme_and_host(monkeypatch, tmp_path):
    from wallchart.config import load_config

    monkeypatch.setenv("WALLCHART_SECRET_KEY", "test")
    monkeypatch.setenv("WALLCHART_PUBLIC_URL", " HTTPS://Wallchart.Example.gov.cn:8443/ ")
    assert load_config(tmp_path)["PUBLIC_URL"] == "https://wallchart.example.gov.cn:8443"
    monkeypatch.setenv("WALLCHART_PUBLIC_URL", "")
    assert load_config(tmp_path)["PUBLIC_URL"] is None
