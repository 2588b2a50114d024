"""Every hook call goes through pluggy's own calling: ``tryfirst``/``trylast``,
wrappers (new and old style) and ``firstresult`` mean what pluggy documents,
for answers, collected lists and events alike."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest

from core.api import MenuItem, Permission, eventspec, hookimpl, hookspec, transaction
from core.errors import PluginError
from core.events import emit
from core.registry import current_registry, sorted_items
from core.services.customers import create_customer
from core.testing import plugin_module


def menu(label: str, order: int = 100):
    return lambda user: [MenuItem(label, "/" + label, order=order)]


def test_tryfirst_and_trylast_order_the_answers_of_a_collected_hook(register_plugin, make_user):
    register_plugin(
        plugin_module("early", trellis_menu_items=hookimpl(trylast=True)(menu("early"))),
        plugin_module("late", trellis_menu_items=hookimpl(tryfirst=True)(menu("late"))),
    )
    labels = [
        item.label
        for item in current_registry().collect("trellis_menu_items", user=make_user("admin"))
    ]
    ours = [label for label in labels if label in {"early", "late"}]
    assert ours == ["late", "early"]


def test_a_new_style_wrapper_sees_and_changes_every_plugins_answer(register_plugin, make_user):
    @hookimpl(wrapper=True)
    def trellis_menu_items(user):
        answers = yield
        return [[item for items in answers for item in items if item.label != "hidden"]]

    register_plugin(
        plugin_module("shown", trellis_menu_items=menu("shown")),
        plugin_module("hidden", trellis_menu_items=menu("hidden")),
        plugin_module("filter", trellis_menu_items=trellis_menu_items),
    )
    labels = {item.label for item in sorted_items("trellis_menu_items", user=make_user("admin"))}
    assert "shown" in labels
    assert "hidden" not in labels


def test_an_old_style_hookwrapper_runs_around_the_call(register_plugin, make_user):
    seen = []

    @hookimpl(hookwrapper=True)
    def trellis_menu_items(user):
        seen.append("before")
        outcome = yield
        seen.append(len(outcome.get_result()))

    register_plugin(
        plugin_module("one", trellis_menu_items=menu("one")),
        plugin_module("watch", trellis_menu_items=trellis_menu_items),
    )
    current_registry().collect("trellis_menu_items", user=make_user("admin"))
    assert seen[0] == "before"
    assert seen[1] >= 1


def trellis_asker_price(sku):
    """The price of ``sku``; the first plugin that knows it answers."""


def trellis_asker_rang(bell):
    """A bell rang."""


#: the ``hookspecs`` of a plugin "asker": one question, one event
AskSpecs = ModuleType("asker_hookspecs")
AskSpecs.trellis_asker_price = hookspec(firstresult=True)(trellis_asker_price)
AskSpecs.trellis_asker_rang = eventspec(trellis_asker_rang)


def test_firstresult_returns_the_first_answer_and_stops(register_plugin):
    asked = []

    def unknown(sku):
        asked.append("unknown")

    def knows(sku):
        asked.append("knows")
        return 42

    asker = plugin_module("asker", trellis_asker_price=hookimpl(trylast=True)(unknown))
    asker.hookspecs = AskSpecs
    register_plugin(
        asker,
        plugin_module(
            "pricer", requires=("asker",), trellis_asker_price=hookimpl(tryfirst=True)(knows)
        ),
    )
    assert current_registry().call("trellis_asker_price", sku="A-1") == 42
    assert asked == ["knows"]  # the trylast one was never asked
    assert current_registry().answers("trellis_asker_price", sku="A-1") == [("pricer", 42)]


def test_answers_name_each_plugin_in_load_order_and_keep_its_wrappers(register_plugin):
    z, a = Permission("zeta.z", "Z"), Permission("alpha.a", "A")

    @hookimpl(wrapper=True)
    def trellis_permissions():
        mine = yield
        return [*mine, [a]]

    register_plugin(
        plugin_module("zeta", trellis_permissions=lambda: [z]),
        plugin_module("alpha", requires=("zeta",), trellis_permissions=trellis_permissions),
    )
    # a plugin's own wrapper wraps only its own answer; zeta loads first (alpha needs it)
    ours = [
        (name, items)
        for name, items in current_registry().answers("trellis_permissions")
        if name in {"alpha", "zeta"}
    ]
    assert ours == [("zeta", [z]), ("alpha", [a])]
    assert current_registry().permissions["alpha.a"] == a


def test_event_subscribers_follow_tryfirst_and_trylast(register_plugin):
    calls = []
    register_plugin(
        plugin_module(
            "second",
            trellis_customer_created=hookimpl(trylast=True)(
                lambda customer: calls.append("second")
            ),
        ),
        plugin_module(
            "first",
            trellis_customer_created=hookimpl(tryfirst=True)(
                lambda customer: calls.append("first")
            ),
        ),
    )
    create_customer({"name": "Ordered"}, None)
    assert calls == ["first", "second"]


def test_an_event_wrapper_wraps_every_subscriber_and_a_failing_one_is_isolated(
    register_plugin, caplog
):
    calls = []

    @hookimpl(wrapper=True)
    def trellis_customer_created(customer):
        calls.append("enter")
        yield
        calls.append("leave")

    def explode(customer):
        raise RuntimeError("subscriber bug")

    register_plugin(
        plugin_module("around", trellis_customer_created=trellis_customer_created),
        plugin_module("boom", trellis_customer_created=explode),
        plugin_module(
            "after",
            trellis_customer_created=hookimpl(trylast=True)(lambda customer: calls.append("after")),
        ),
    )
    create_customer({"name": "Wrapped"}, None)
    assert calls == ["enter", "after", "leave"]
    assert "plugin 'boom' failed handling event customer_created" in caplog.text


def test_a_plugin_declared_event_reaches_its_subscribers(register_plugin):
    rung = []
    asker = plugin_module("asker")
    asker.hookspecs = AskSpecs
    register_plugin(
        asker,
        plugin_module(
            "ear", requires=("asker",), trellis_asker_rang=lambda bell: rung.append(bell)
        ),
    )
    with transaction():
        emit("asker_rang", bell="front door")
    assert rung == ["front door"]


def test_emitting_an_undeclared_event_raises_in_tests_and_writes_nothing(app, db):
    from core.models import Customer

    with pytest.raises(PluginError, match="event 'customer_creatd' is not declared"):
        with transaction():
            create_customer({"name": "Typo"}, None)
            emit("customer_creatd", customer=None)
    assert db.session.query(Customer).filter_by(name="Typo").count() == 0


def test_emitting_a_hook_that_is_not_an_event_raises(app):
    with pytest.raises(PluginError, match="not declared"):
        with transaction():
            emit("menu_items", user=None)


def test_in_production_an_undeclared_event_is_logged_and_the_write_stands(make_app, db, caplog):
    from core.models import Customer

    app = make_app(TESTING=False)
    assert not app.testing and not app.debug
    with caplog.at_level(logging.ERROR), transaction():
        create_customer({"name": "Kept"}, None)
        emit("customer_creatd", customer=None)
    assert "event 'customer_creatd' is not declared" in caplog.text
    assert db.session.query(Customer).filter_by(name="Kept").count() == 1


def test_a_hook_implementation_no_spec_declares_stops_start_up(register_plugin):
    with pytest.raises(PluginError, match="plugin 'typo'.*trellis_menu_itemz"):
        register_plugin(plugin_module("typo", trellis_menu_itemz=menu("x")))
