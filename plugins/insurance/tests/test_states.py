"""The policy's and the claim's state tables, every state × every action,
against the matrices of the design (written out here by hand, so a change
of the table is a change of this test), and their words in Chinese."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from core.api import IllegalTransition
from plugins.insurance.services.states import CLAIM, POLICY

POLICY_ACTIONS = (
    "quote revise bind issue endorse enter_grace settle lapse reinstate cancel expire renew"
)
POLICY_MATRIX = """
draft quoted - - - - - - - - cancelled - -
quoted quoted draft bound - - - - - - cancelled - -
bound - draft - in_force - - - - - cancelled - -
in_force - - - - in_force grace - - - cancelled expired renewed
grace - - - - grace - in_force lapsed - cancelled - -
lapsed - - - - - - - - in_force cancelled - -
cancelled - - - - - - - - - - - -
expired - - - - - - - - - - - renewed
renewed - - - - - - - - - - - -
"""
CLAIM_ACTIONS = (
    "request_documents submit assess approve approve_partially reject pay close appeal reopen"
    " withdraw"
)
CLAIM_MATRIX = """
reported           documents_pending submitted - - - - - - - - closed
documents_pending  - submitted - - - - - - - - closed
submitted          documents_pending - assessing - - - - - - - closed
assessing          documents_pending - - approved partially_approved rejected - - - - -
approved           - - - - - - paid - - - -
partially_approved - - - - - - paid - assessing - -
rejected           - - - - - - - closed assessing - -
paid               - - - - - - - closed - - -
closed             - - - - - - - - - assessing -
"""


def _expected(actions: str, matrix: str) -> dict[tuple[str, str], str | None]:
    names = actions.split()
    table = {}
    for line in matrix.strip().splitlines():
        state, *targets = line.split()
        assert len(targets) == len(names), state
        for action, target in zip(names, targets, strict=True):
            table[(state, action)] = None if target == "-" else target
    return table


@pytest.mark.parametrize(
    ("machine", "actions", "matrix"),
    [(POLICY, POLICY_ACTIONS, POLICY_MATRIX), (CLAIM, CLAIM_ACTIONS, CLAIM_MATRIX)],
    ids=["policy", "claim"],
)
def test_every_state_and_action_leads_where_the_design_says(app, machine, actions, matrix):
    expected = _expected(actions, matrix)
    assert {(s, a): t for s, a, t in machine.pairs()} == expected
    for (state, action), target in expected.items():
        if target is None:
            with pytest.raises(IllegalTransition) as refused:
                machine.move(state, action)
            assert refused.value.details["allowed_actions"] == machine.allowed(state)
        else:
            assert machine.move(state, action) == target


def test_a_refusal_reads_in_chinese(app):
    with force_locale("zh_CN"), pytest.raises(IllegalTransition) as refused:
        POLICY.move("lapsed", "issue")
    message = str(refused.value)
    assert "保单" in message and "复效" in message
    assert not any("a" <= c.lower() <= "z" for c in message)
