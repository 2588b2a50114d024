"""The approval hookspecs, each exercised as a third-party plugin uses it.

``tests/test_hooks.py``'s meta-test looks for ``test_hook_<name>`` in its own
module: these three belong there (the lead moves or imports them)."""

from __future__ import annotations

import pytest
from test_approvals import RECORD, flow, owned, people, probe, step  # noqa: F401  (fixtures)

from core.api import Approvable, Customer, db, ensure_unlocked, is_locked, submit_for_approval
from core.errors import ConflictError, PluginError
from core.testing import plugin_module


def test_hook_approvables(people, owned, probe):
    """A plugin declares a record type; it is submitted, locked and told of the outcome."""
    from core.approvals import approve
    from core.registry import current_registry

    kind = current_registry().approvables[RECORD]
    assert kind.model is Customer and "grade" in kind.fields
    flow(people, step("team_manager"))
    customer = owned()
    request = submit_for_approval(RECORD, customer.id, people["rep"])
    assert is_locked(RECORD, customer.id)
    with pytest.raises(ConflictError):
        ensure_unlocked(customer)
    approve(request, people["manager"])
    assert probe.decided == [(customer.id, "approved")]
    ensure_unlocked(customer)


def test_hook_approvables_declared_twice_stop_start_up(app, register_plugin):
    def twice():
        return [
            Approvable(
                "probe.thing",
                Customer,
                "Thing",
                fields={},
                customer_id=lambda r: None,
                title=str,
                url=str,
                on_decided=lambda r, o: None,
            )
        ] * 2

    with pytest.raises(PluginError, match="probe.thing"):
        register_plugin(plugin_module("probe", trellis_approvables=twice))


def test_hook_approval_submitted(people, owned, probe):
    flow(people, step("team_manager"))
    request = submit_for_approval(RECORD, owned().id, people["rep"])
    assert probe.events == [("submitted", request.id, None)]


def test_hook_approval_decided(people, owned, probe):
    from core.approvals import reject

    flow(people, step("team_manager"))
    request = submit_for_approval(RECORD, owned().id, people["rep"])
    probe.events.clear()
    reject(request, people["manager"], "no")
    assert probe.events == [("decided", request.id, "rejected")]
    db.session.expire_all()


def test_a_merged_customer_s_approval_requests_follow_it_to_the_survivor(people, owned, probe):
    """The decisions of a request on a merged customer's record land on the
    survivor's timeline: the request's customer is repointed by the merge."""
    from core.api import get_customer
    from core.models import ApprovalRequest
    from core.services.customers import merge_customers

    flow(people, step("team_manager"))
    survivor, merged = owned(name="Acme Tea"), owned(name="Acme Tea Ltd")
    request = submit_for_approval(RECORD, merged.id, people["rep"])
    assert request.customer_id == merged.id
    merge_customers(get_customer(survivor.id), get_customer(merged.id), people["admin"])
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).customer_id == survivor.id
