"""core.states: a record's life as a table — legal moves, the 409 naming
what is allowed instead, the 422 for an unknown action, every state ×
action walked; and a plugin's machine (the work order) answering through it."""

from __future__ import annotations

import pytest

from core.api import IllegalTransition, StateMachine, ValidationError

DOOR = StateMachine(
    "door",
    {
        "open": (("closed",), "open"),
        "close": (("open",), "closed"),
        "lock": (("closed",), "locked"),
        "unlock": (("locked",), "closed"),
    },
    states={"open": "Open", "closed": "Closed", "locked": "Locked"},
    actions={"open": "Open it", "close": "Close it", "lock": "Lock it", "unlock": "Unlock it"},
)


def test_a_legal_move_leads_where_the_table_says():
    assert DOOR.move("closed", "lock") == "locked"
    assert DOOR.allowed("closed") == ["open", "lock"]


def test_an_illegal_move_is_a_conflict_naming_what_is_allowed(app):
    with pytest.raises(IllegalTransition) as refused:
        DOOR.move("locked", "open")
    problem = refused.value
    assert problem.kind == "illegal-transition"
    assert problem.details["allowed_actions"] == ["unlock"]
    assert problem.details["allowed_states"] == ["closed"]
    assert problem.details["current_status"] == "locked"
    assert "Open it" in str(problem) and "Locked" in str(problem) and "Unlock it" in str(problem)


def test_an_unknown_action_is_refused_naming_the_field(app):
    with pytest.raises(ValidationError) as refused:
        DOOR.move("open", "kick")
    assert "action" in refused.value.errors


def test_pairs_walk_every_state_and_action():
    pairs = list(DOOR.pairs())
    assert len(pairs) == 3 * 4
    for state, action, target in pairs:
        if target is None:
            with pytest.raises(IllegalTransition):
                DOOR.move(state, action)
        else:
            assert DOOR.move(state, action) == target


def test_a_table_with_an_unlabelled_state_or_action_is_refused_when_built():
    with pytest.raises(ValueError, match="states without a label"):
        StateMachine("x", {"go": (("a",), "b")}, states={"a": "A"}, actions={"go": "Go"})
    with pytest.raises(ValueError, match="actions without a label"):
        StateMachine("x", {"go": (("a",), "b")}, states={"a": "A", "b": "B"}, actions={})


def test_the_work_order_machine_answers_in_chinese(app):
    from flask_babel import force_locale

    from plugins.service_dispatch.services.lifecycle import MACHINE

    with force_locale("zh_CN"), pytest.raises(IllegalTransition) as refused:
        MACHINE.move("closed", "assign")
    message = str(refused.value)
    assert "工单" in message and "重开" in message
    assert not any("a" <= c.lower() <= "z" for c in message)
