"""The smallest proof that the app and the real server run."""

import pytest
import requests


def test_board_lists_a_created_project(clients, make_project):
    make_project("智能装备制造产业园")
    page = clients["viewer"].get("/board").get_data(as_text=True)
    assert "智能装备制造产业园" in page


@pytest.mark.live
def test_live_server_starts(live_server):
    assert requests.get(live_server.url + "/login", timeout=5).status_code == 200
