"""A policy term's moves, through one door: :func:`transition` — what
``POST /policies/{id}/transitions`` and the policy page call.

Each move starts from the states the table allows (``services/states.POLICY``;
another state is core's 409 naming what is allowed), on the ``version`` the
caller read (stale: 409, nothing written), and is audited and written to
the customer's timeline in one transaction by the module that owns it:

- quote, revise: :mod:`.quoting`; bind, issue: :mod:`.issuing`; endorse:
  :mod:`.endorsements`;
- cancel: the cancellation module (``cancellation.cancel``); reinstate: the
  premiums' (``premiums.reinstatement.reinstate``);
- the jobs' and the payment service's moves (``SYSTEM_POLICY_ACTIONS``:
  enter_grace, settle, lapse, expire, renew) are refused here (422
  ``action``).

Permissions: ``insurance.policy.write`` for quote, revise, bind, endorse and
cancel; ``insurance.policy.issue`` for issue and reinstate (403)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import Amount, ForbiddenError, User, check_version, load, refuse, translator

from ...models import Policy
from ..states import POLICY, SYSTEM_POLICY_ACTIONS
from . import endorsements, issuing, quoting

_, _l = translator("insurance")

#: the moves that need insurance.policy.issue; the others need insurance.policy.write
ISSUE_ACTIONS = frozenset({"issue", "reinstate"})


class CancelInput(Schema):
    effective_on = fields.Date(allow_none=True)
    refund = Amount(allow_none=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=200))


class ReinstateInput(Schema):
    amount = Amount(required=True)
    health_declaration = fields.Boolean(load_default=False)


def permission_for(action: str) -> str:
    return "insurance.policy.issue" if action in ISSUE_ACTIONS else "insurance.policy.write"


def actions_for(policy: Policy, user: User | None) -> list[str]:
    """The moves ``policy``'s state allows that ``user`` may make through
    the API or the page (not the jobs'), in the table's order."""
    return [
        a
        for a in POLICY.allowed(policy.status)
        if a not in SYSTEM_POLICY_ACTIONS and user is not None and user.can(permission_for(a))
    ]


def transition(
    policy: Policy,
    action: str,
    actor: User | None,
    payload: dict | None = None,
    expected_version: int | None = None,
):
    """Make ``action`` on ``policy`` with its input ``payload`` (endorse:
    :class:`~.endorsements.EndorseInput`; cancel: effective_on, refund,
    reason; reinstate: amount, health_declaration). Returns the policy."""
    POLICY.check_action(action)
    if action in SYSTEM_POLICY_ACTIONS:
        refuse({"action": [_("this move is made by the system, not by hand")]})
    if actor is not None and not actor.can(permission_for(action)):
        raise ForbiddenError(_("You may not do this to a policy."))
    payload = dict(payload or {})
    if action == "quote":
        return quoting.quote(policy, actor, expected_version)
    if action == "revise":
        return quoting.revise(policy, actor, expected_version)
    if action == "bind":
        return issuing.bind(policy, actor, expected_version)
    if action == "issue":
        return issuing.issue(policy, actor, expected_version)
    if action == "endorse":
        endorsements.endorse(policy, actor, payload, expected_version)
        return policy
    check_version(policy, expected_version)
    POLICY.move(policy.status, action)  # 409 before the other slices' checks
    if action == "cancel":
        from .cancellation import cancel  # the cancellation slice's module

        values = load(CancelInput(), _only(payload, CancelInput))
        return cancel(
            policy,
            actor,
            effective_on=values.get("effective_on"),
            refund=values.get("refund"),
            reason=values.get("reason"),
            expected_version=expected_version,
        )
    from ..premiums.reinstatement import reinstate  # the premiums slice's module

    values = load(ReinstateInput(), _only(payload, ReinstateInput))
    return reinstate(
        policy, actor, values["amount"], values["health_declaration"], expected_version
    )


def _only(payload: dict, schema: type[Schema]) -> dict:
    names = set(schema().fields)
    return {k: v for k, v in payload.items() if k in names}
