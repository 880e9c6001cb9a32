"""The benchmark's Node.js screens (bench/node/screens.js, ``--node-clients``) against the real
server: boards and walls in both languages connect with their tokens, every one hears a move,
and each process says so once all its screens have it, on the clock the benchmark times with."""

from __future__ import annotations

import time

import pytest

from bench.benchmark import ROOMS, ClientGroup, members_for
from tests.live import Script, api_token, create, display_token, expect

pytestmark = pytest.mark.live


def test_node_screens_hear_a_move_on_the_benchmarks_clock(live_server, tmp_path):
    token = api_token(live_server, "member")
    member = Script(live_server, token)
    project = create(member, "锂电池回收利用项目")
    group = ClientGroup("node", live_server.url,
                        members_for(8, (token, display_token(live_server, "大厅"))), 2, tmp_path,
                        node=True)
    try:
        group.wait_ready(timeout=120)
        before = time.monotonic()
        moved = expect(member.api("POST", f"/projects/{project['id']}/move", json={
            "stage": "negotiating", "version": project["version"]}), 200).json()
        arrival = group.wait_for(f"{project['id']}:{moved['version']}", timeout=15)
        assert arrival is not None, "a screen did not hear the move"
        first, last = arrival
        assert before <= first <= last <= time.monotonic()
        # Each room's card came whole: the boards' and the walls', in Chinese and English.
        assert set(group.sizes) == set(ROOMS)
        assert all(size > 300 for size in group.sizes.values()), group.sizes
        assert group.disconnects == 0
    finally:
        group.close()
