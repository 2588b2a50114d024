"""``trellis_automation_actions``: a plugin's action is offered, checked
when a rule is saved (its required parameters, its own check) and run after
the change commits, in the run's transaction, logged like core's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import ActionParam, AutomationAction, db
from core.automation import all_actions, save_rule
from core.errors import ValidationError
from core.models import AutomationRun
from core.services.customers import create_customer
from core.testing import plugin_module


class Shout(AutomationAction):
    """The probe's action: appends the customer's name, loud, to ``heard``."""

    code = "probe.shout"
    label = "Shout"
    params = (ActionParam("words", "Words"),)
    heard: list[str] = []

    def check(self, params, entity, actor):
        return {} if str(params["words"]).isupper() else {"words": ["shout it"]}

    def preview(self, params, record, rule):
        return f"shout {params['words']} at {record.name}"

    def run(self, params, record, context):
        self.heard.append(f"{params['words']} {record.name}")
        return "shouted"


@pytest.fixture
def probe(make_user, register_plugin):
    Shout.heard = []
    register_plugin(plugin_module("probe", trellis_automation_actions=lambda: [Shout()]))


def test_hook_automation_actions_a_plugins_action_is_checked_and_run(probe, make_user):
    admin = make_user(role="admin")
    assert isinstance(all_actions()["probe.shout"], Shout)
    trigger = {"kind": "event", "event": "customer_created"}
    with pytest.raises(ValidationError) as refused:
        save_rule(
            {"name": "x", "trigger": trigger, "actions": [{"type": "probe.shout", "params": {}}]},
            None,
            admin,
        )
    assert list(refused.value.errors) == ["actions.0.params.words"]
    with pytest.raises(ValidationError) as quiet:
        save_rule(
            {
                "name": "x",
                "trigger": trigger,
                "actions": [{"type": "probe.shout", "params": {"words": "hi"}}],
            },
            None,
            admin,
        )
    assert quiet.value.errors == {"actions.0.params.words": ["shout it"]}
    save_rule(
        {
            "name": "Greet",
            "trigger": trigger,
            "actions": [{"type": "probe.shout", "params": {"words": "HELLO"}}],
        },
        None,
        admin,
    )
    create_customer({"name": "Acme"}, admin)
    assert Shout.heard == ["HELLO Acme"]
    [run] = db.session.scalars(select(AutomationRun)).all()
    assert run.status == "done" and run.results == [
        {"type": "probe.shout", "ok": True, "detail": "shouted"}
    ]


def test_a_core_action_code_is_not_taken_by_a_plugin(make_user, register_plugin):
    class Impostor(Shout):
        code = "create_task"

    register_plugin(
        plugin_module("probe", trellis_automation_actions=lambda: [Impostor(), Shout()])
    )
    actions = all_actions()
    assert isinstance(actions["probe.shout"], Shout)  # the plugin's hook was heard
    assert not isinstance(actions["create_task"], Shout)
