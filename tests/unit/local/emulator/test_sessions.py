"""The session store: idle TTL, one turn at a time per session, delete."""

from __future__ import annotations

import gc

import pytest

from campusbot.local.emulator.sessions import SessionBusy, SessionKey, SessionStore

KEY = SessionKey("CAMPUSBOT0", "TSTALIASID", "en_US", "s-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_lives_for_the_idle_ttl_after_its_last_turn() -> None:
    clock = Clock()
    store = SessionStore(ttl_seconds=600, clock=clock)
    with store.turn(KEY) as session:
        session.session_attributes["k"] = "v"
    clock.now += 599
    assert store.get(KEY) is not None
    with store.turn(KEY) as session:
        assert session.session_attributes == {"k": "v"}
    clock.now += 599
    assert store.get(KEY) is not None
    clock.now += 2
    assert store.get(KEY) is None
    assert len(store) == 0


def test_one_turn_at_a_time_per_session() -> None:
    store = SessionStore(ttl_seconds=600)
    other = KEY._replace(session_id="s-2")
    with store.turn(KEY):
        with pytest.raises(SessionBusy), store.turn(KEY):
            pass
        with store.turn(other):
            pass
    with store.turn(KEY):
        pass


def test_delete_forgets_the_session() -> None:
    store = SessionStore(ttl_seconds=600)
    with store.turn(KEY):
        pass
    assert store.delete(KEY) is not None
    assert store.get(KEY) is None
    assert store.delete(KEY) is None


def test_session_state_is_a_copy() -> None:
    store = SessionStore(ttl_seconds=600)
    with store.turn(KEY) as session:
        session.intent = {"name": "Greeting", "slots": {}, "state": "Fulfilled", "confirmationState": "None"}
    stored = store.get(KEY)
    assert stored is not None
    state = stored.session_state()
    state["intent"]["name"] = "Changed"
    assert stored.intent is not None and stored.intent["name"] == "Greeting"
    assert state["sessionAttributes"] == {}


def test_expiry_follows_the_last_turn_not_the_creation() -> None:
    """Sessions expire in the order they were last used: an old session with a recent turn outlives younger ones
    left idle, and a session in a turn is never dropped, nor does it keep the stale ones behind it alive."""
    clock = Clock()
    store = SessionStore(ttl_seconds=600, clock=clock)
    keys = [KEY._replace(session_id=f"s-{n}") for n in range(5)]
    for key in keys:
        with store.turn(key):
            pass
        clock.now += 10
    clock.now += 550  # s-0 idle 600 s, s-4 idle 560 s
    with store.turn(keys[0]):  # s-0 used again: now the youngest
        pass
    clock.now += 25  # s-1 (idle 615 s) and s-2 (605 s) are stale; s-3 (595 s) is not
    assert [store.get(key) is not None for key in keys] == [True, False, False, True, True]
    with store.turn(keys[3]):
        clock.now += 20  # s-3 idle past the TTL while in its turn; s-4 stale behind it
        assert store.get(keys[4]) is None
        assert len(store) == 2  # s-0, and s-3 held by its turn
    assert store.get(keys[3]) is not None  # the turn ended: it is fresh again
    assert len(store) == 2


def test_idle_sessions_hold_nothing_the_garbage_collector_walks() -> None:
    """Thousands of sessions stay alive within the TTL under a steady load of new visitors; an idle one is bytes, so
    a full collection of the emulator does not walk them (it paused every turn for tens of ms at a few thousand)."""
    store = SessionStore(ttl_seconds=600)
    gc.collect()
    before = len(gc.get_objects())
    for n in range(300):
        with store.turn(KEY._replace(session_id=f"s-{n}")) as session:
            session.session_attributes = {"student_id": "7", "language": "en"}
            session.intent = {"name": "Greeting", "slots": {"a": None}, "state": "Fulfilled"}
            session.messages = [{"contentType": "PlainText", "content": "Hello!"}]
    del session
    gc.collect()
    assert len(gc.get_objects()) - before < 2 * 300  # at most its key and entry per idle session (a live one: ~6+)
    with store.turn(KEY._replace(session_id="s-7")) as again:  # and each comes back whole
        assert again.session_attributes == {"student_id": "7", "language": "en"}
        assert again.messages == [{"contentType": "PlainText", "content": "Hello!"}]


def key(name: str) -> SessionKey:
    return SessionKey("CAMPUSBOT0", "TSTALIASID", "en_US", name)


def test_expiry_follows_the_last_turn_not_the_creation_order() -> None:
    clock = Clock()
    store = SessionStore(ttl_seconds=600, clock=clock)
    for name in ("a", "b", "c"):
        with store.turn(key(name)):
            pass
        clock.now += 10
    with store.turn(key("a")):  # a is now the most recently seen
        pass
    clock.now += 575  # b seen 595 s ago, c 585, a 575: all live
    assert len(store) == 3
    clock.now += 10  # b 605, c 595, a 585
    assert store.get(key("b")) is None and store.get(key("c")) is not None and store.get(key("a")) is not None
    clock.now += 20
    assert len(store) == 0


def test_a_stale_session_in_a_turn_stays_and_does_not_hold_back_the_others() -> None:
    clock = Clock()
    store = SessionStore(ttl_seconds=600, clock=clock)
    with store.turn(key("old")):
        pass
    with store.turn(key("next")):
        pass
    with store.turn(key("old")):  # busy: a turn in progress on it
        clock.now += 700
        assert store.get(key("next")) is None
        assert len(store) == 1
