"""The benchmark screens' model of the columns (bench/screen_model.py) follows events as
static/js/live.js does: in revision order, a card out of its column and into its stage's at its
position; what it holds is compared with the database at the end of the soak."""

from bench.screen_model import ScreenBoard, board_of

START = [
    {"id": 1, "stage": "contact", "position": 0, "version": 1},
    {"id": 2, "stage": "contact", "position": 1, "version": 1},
    {"id": 3, "stage": "signed", "position": 0, "version": 4},
]


def event(revision: int, project_id: int, stage: str, position: int, version: int,
          action: str = "moved", html: str | None = "<article class=card></article>") -> dict:
    return {"id": project_id, "action": action, "stage": stage, "position": position,
            "revision": revision, "version": version, "html": html}


def test_the_start_is_the_board_in_column_order():
    shuffled = [START[2], START[1], START[0]]
    assert ScreenBoard(shuffled, 10).cards() == {
        "contact": [(1, 1), (2, 1)], "signed": [(3, 4)]}
    assert board_of(START) == ScreenBoard(START, 0).cards()


def test_a_move_takes_the_card_to_its_place_in_the_new_column():
    screen = ScreenBoard(START, 10)
    screen.handle(event(11, 2, "signed", 0, 2))
    screen.handle(event(12, 1, "signed", 1, 2))
    assert screen.cards() == {"signed": [(2, 2), (1, 2), (3, 4)]}
    assert (screen.revision, screen.applied, screen.waiting) == (12, 2, False)


def test_a_note_redraws_the_card_in_place_with_its_new_version():
    screen = ScreenBoard(START, 10)
    screen.handle(event(11, 1, "contact", 0, 2, action="noted"))
    assert screen.cards()["contact"] == [(1, 2), (2, 1)]


def test_deleted_and_withdrawn_cards_leave_the_board():
    screen = ScreenBoard(START, 10)
    screen.handle(event(11, 1, "contact", 0, 2, action="deleted"))
    screen.handle(event(12, 3, "signed", 0, 5, action="withdrawn", html=None))
    assert screen.cards() == {"contact": [(2, 1)]}


def test_events_apply_in_revision_order_and_old_ones_are_dropped():
    screen = ScreenBoard(START, 10)
    screen.handle(event(12, 1, "signed", 0, 3))   # overtook revision 11
    assert screen.waiting and screen.cards()["contact"] == [(1, 1), (2, 1)]
    screen.handle(event(11, 1, "started", 0, 2))
    screen.handle(event(9, 2, "producing", 0, 9))  # before the screen's start: shown already
    assert screen.cards() == {"contact": [(2, 1)], "signed": [(1, 3), (3, 4)]}
    assert (screen.out_of_order, screen.waiting, screen.revision) == (1, False, 12)


def test_a_revision_that_never_comes_leaves_the_screen_waiting():
    screen = ScreenBoard(START, 10)
    screen.handle(event(12, 1, "signed", 0, 3))
    assert screen.waiting and screen.revision == 10
