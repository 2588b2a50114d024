"""A record's life as a table (状态机): each action, the states it may start
from and the state it leads to — a work order, a policy, a claim, an
admission. The table is the one place that says which move is legal; the
plugin's service does the move (its input, stamps, history and events).

An illegal move is the same answer in every plugin: a 409 problem of kind
``illegal-transition`` naming the action, the record's state and what it
allows instead (``allowed_actions``, ``allowed_states``), in words the user
reads. :meth:`StateMachine.pairs` gives every state × action with its outcome,
so a test walks the whole table.

Example::

    POLICY = StateMachine(
        _l("policy"),
        {
            "bind": (("quoted",), "bound"),
            "issue": (("bound",), "in_force"),
            "lapse": (("grace",), "lapsed"),
        },
        states={"quoted": _l("Quoted"), "bound": _l("Bound"), ...},
        actions={"bind": _l("Bind"), "issue": _l("Issue"), "lapse": _l("Lapse")},
    )
    target = POLICY.move(policy.status, "issue")  # IllegalTransition if not
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.errors import ConflictError, ValidationError
from core.i18n import _


class IllegalTransition(ConflictError):
    """``action`` cannot start from ``state`` (HTTP 409): the problem names
    the actions the record allows and the states they lead to."""

    def __init__(self, machine: StateMachine, state: str, action: str):
        self.action, self.state = action, state
        self.allowed_actions = machine.allowed(state)
        self.allowed_states = sorted(
            {machine.transitions[a][1] or state for a in self.allowed_actions}
        )
        super().__init__(
            _(
                "%(action)s is not possible on a %(record)s that is %(state)s; possible: "
                "%(allowed)s",
                action=machine.action_label(action),
                record=machine.record,
                state=machine.state_label(state),
                allowed=", ".join(machine.action_label(a) for a in self.allowed_actions) or "—",
            ),
            kind="illegal-transition",
            title=_("Not possible in this state"),
            action=action,
            current_status=state,
            allowed_actions=self.allowed_actions,
            allowed_states=self.allowed_states,
        )


class StateMachine:
    """The moves of one record type: ``transitions`` maps each action to
    (the states it may start from, the state it leads to — ``None`` when it
    leaves the record in the state it started from), in the order the page
    offers them; ``states`` and ``actions`` are their labels (lazy
    strings); ``record`` names the record in messages ("work order")."""

    def __init__(
        self,
        record: Any,
        transitions: Mapping[str, tuple[tuple[str, ...], str | None]],
        *,
        states: Mapping[str, Any],
        actions: Mapping[str, Any],
    ):
        self.record = record
        self.transitions = dict(transitions)
        self.states = dict(states)
        self.actions = dict(actions)
        unknown = {
            s for sources, target in self.transitions.values() for s in (*sources, target) if s
        } - set(self.states)
        if unknown:
            raise ValueError(f"states without a label: {sorted(unknown)}")
        unlabelled = set(self.transitions) - set(self.actions)
        if unlabelled:
            raise ValueError(f"actions without a label: {sorted(unlabelled)}")

    def allowed(self, state: str) -> list[str]:
        """The actions that may start from ``state``, in the table's order."""
        return [a for a, (sources, _target) in self.transitions.items() if state in sources]

    def check_action(self, action: str) -> None:
        """Refuse an action the table does not know (422 naming ``action``)."""
        if action not in self.transitions:
            raise ValidationError(
                {
                    "action": [
                        _(
                            "unknown action; use one of: %(actions)s",
                            actions=", ".join(self.transitions),
                        )
                    ]
                }
            )

    def move(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``; raises
        :class:`IllegalTransition` (409) when it cannot start there and
        ``ValidationError`` (422) for an unknown action."""
        self.check_action(action)
        sources, target = self.transitions[action]
        if state not in sources:
            raise IllegalTransition(self, state, action)
        return state if target is None else target

    def pairs(self) -> Iterator[tuple[str, str, str | None]]:
        """Every (state, action, the state it leads to or None when
        refused): the whole table, for a test that tries each."""
        for state in self.states:
            for action, (sources, target) in self.transitions.items():
                yield state, action, (target or state) if state in sources else None

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def action_label(self, action: str) -> str:
        return str(self.actions.get(action, action))
