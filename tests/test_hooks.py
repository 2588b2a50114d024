"""One test per hookspec, named ``test_hook_<name>`` — a meta-test below
fails when a hookspec has none (the convention datasette uses)."""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timedelta
from pathlib import Path

import click
import pytest
from flask import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core import hookspecs
from core.api import (
    MENU_REPORTS,
    ActivityKind,
    CustomerAction,
    CustomerColumn,
    CustomerTab,
    DashboardWidget,
    DueTask,
    FieldType,
    FollowUpRule,
    MenuGroup,
    MenuItem,
    Permission,
    RoleTemplate,
    SearchHit,
    SearchSection,
    TimestampMixin,
    db,
    plugin_settings,
    utcnow,
)
from core.errors import PluginError, ValidationError
from core.testing import plugin_module


def test_every_hookspec_has_a_test():
    names = {
        n for n, _ in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("trellis_")
    }
    # the tests may live in any test module of core's (e.g. test_approvals_hooks.py)
    sources = (p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    tests = [n for text in sources for n in re.findall(r"^def (test_hook_\w+)\(", text, re.M)]
    missing = sorted(
        n
        for n in names
        if not any(t == f"test_hook_{n[8:]}" or t.startswith(f"test_hook_{n[8:]}_") for t in tests)
    )
    assert not missing, f"hookspecs without a test_hook_<name> test: {missing}"


class ProbeThing(TimestampMixin, db.Model):
    __tablename__ = "probe_thing"
    label: Mapped[str] = mapped_column(String(20))


def test_hook_models(register_plugin):
    app = register_plugin(plugin_module("probe", trellis_models=lambda: [ProbeThing]))
    assert app.extensions["trellis"].table_owners["probe_thing"] == "probe"
    assert app.extensions["trellis"].table_owners["customer"] == "core"


def test_hook_models_refuses_a_table_without_the_plugin_prefix(register_plugin):
    with pytest.raises(PluginError, match="'other'.*other_<something>"):
        register_plugin(plugin_module("other", trellis_models=lambda: [ProbeThing]))


def test_hook_migrations_dir(register_plugin, tmp_path):
    from core.migrate import branch_dirs

    register_plugin(plugin_module("probe", trellis_migrations_dir=lambda: tmp_path))
    assert branch_dirs()["probe"] == tmp_path


def test_conventional_folders_need_no_hooks(app):
    """Built-in plugins keep migrations/versions, templates and translations
    next to their __init__.py and implement none of the three folder hooks."""
    from core.migrate import branch_dirs

    sales = Path(__file__).parents[1] / "plugins" / "sales"
    reg = app.extensions["trellis"]
    assert branch_dirs()["sales"] == sales / "migrations" / "versions"
    assert reg.folders("trellis_templates_dir")["sales"] == sales / "templates"
    assert app.extensions["trellis_translation_dirs"]["sales"] == sales / "translations"
    assert not reg.pm.hook.trellis_migrations_dir.get_hookimpls()


def test_hook_blueprints(register_plugin):
    bp = Blueprint("probe", __name__, url_prefix="/probe")
    bp.add_url_rule("/ping", "ping", lambda: "pong")
    app = register_plugin(plugin_module("probe", trellis_blueprints=lambda: [bp]))
    assert app.test_client().get("/probe/ping").text == "pong"


def test_hook_api_blueprints_are_mounted_under_the_plugin_name(register_plugin, make_user):
    from core.api import ApiBlueprint

    bp = ApiBlueprint("probe_api", __name__, url_prefix="/ignored")
    bp.add_url_rule("/things", "things", lambda: {"items": []})
    app = register_plugin(plugin_module("probe", trellis_api_blueprints=lambda: [bp]))
    client = app.test_client()
    assert client.get("/api/v1/probe/things").status_code == 401  # the API's auth applies
    client = _logged_in(app, make_user())
    assert client.get("/api/v1/probe/things").json == {"items": []}
    assert client.get("/ignored/things").status_code == 404
    assert "/api/v1/probe/things" in client.get("/api/v1/openapi.json").json["paths"]


def test_hook_cli_commands(register_plugin):
    from click.testing import CliRunner

    from core.cli import main

    @click.command("probe-hello")
    def probe_hello():
        click.echo(f"hello from {db.engine.dialect.name}")

    app = register_plugin(plugin_module("probe", trellis_cli_commands=lambda: [probe_hello]))
    result = CliRunner().invoke(main, ["probe-hello"], obj=app, catch_exceptions=False)
    assert result.output.startswith("hello from ")
    assert "probe-hello" in CliRunner().invoke(main, ["--help"], obj=app).output


def test_hook_templates_dir_theme_then_plugin_then_core(register_plugin, tmp_path):
    folder = tmp_path / "templates" / "probe"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("plugin page")
    (tmp_path / "templates" / "core").mkdir()
    (tmp_path / "templates" / "core" / "login.html").write_text("plugin overrides core")
    app = register_plugin(
        plugin_module("probe", trellis_templates_dir=lambda: tmp_path / "templates")
    )
    assert app.jinja_env.get_template("probe/page.html").render() == "plugin page"
    assert app.jinja_env.get_template("core/login.html").render() == "plugin overrides core"


def test_hook_translations_dir(register_plugin, tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    folder = tmp_path / "zh_Hans_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="zh_Hans_CN", domain="probe")
    catalog.add("Probe", "探针")
    with open(folder / "probe.mo", "wb") as mo:
        write_mo(mo, catalog)
    app = register_plugin(plugin_module("probe", trellis_translations_dir=lambda: tmp_path))
    assert app.extensions["trellis_translation_dirs"]["probe"] == tmp_path
    from core.api import translator

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert translator("probe")[0]("Probe") == "探针"


def test_hook_translations_dir_warns_of_a_folder_no_locale_reads(register_plugin, tmp_path, caplog):
    (tmp_path / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh_Hans_CN" / "LC_MESSAGES").mkdir(parents=True)
    register_plugin(plugin_module("probe", trellis_translations_dir=lambda: tmp_path))
    warnings = [r.getMessage() for r in caplog.records if "ships a catalogue" in r.getMessage()]
    assert warnings == [
        "plugin 'probe' ships a catalogue in zh_CN/, which no supported locale "
        "reads (use one of: en, zh_Hans_CN, zh)"
    ]


def test_hook_settings_schema_loads_and_checks_plugin_settings(register_plugin, tmp_path):
    class ProbeSettings(Schema):
        greeting = fields.String(load_default="hi")
        limit = fields.Integer(load_default=5)

    (tmp_path / "trellis.toml").write_text("[plugins_settings.probe]\nlimit = 9\n")
    register_plugin(plugin_module("probe", trellis_settings_schema=lambda: ProbeSettings))
    assert plugin_settings("probe") == {"greeting": "hi", "limit": 9}

    (tmp_path / "trellis.toml").write_text('[plugins_settings.probe]\nlimit = "many"\n')
    with pytest.raises(PluginError, match=r"plugins_settings.probe\] limit"):
        register_plugin(plugin_module("probe", trellis_settings_schema=lambda: ProbeSettings))


def test_hook_app_created(register_plugin):
    seen = []
    app = register_plugin(plugin_module("probe", trellis_app_created=lambda app: seen.append(app)))
    assert seen == [app]


def test_hook_permissions(register_plugin):
    app = register_plugin(
        plugin_module(
            "probe", trellis_permissions=lambda: [Permission("probe.read", "Read probes")]
        )
    )
    perms = app.extensions["trellis"].permissions
    assert "probe.read" in perms and "customer.read" in perms and "sales.deal.read" in perms


def test_hook_permissions_declared_twice_stop_start_up(register_plugin):
    with pytest.raises(PluginError, match="'probe'.*'customer.read'"):
        register_plugin(
            plugin_module(
                "probe", trellis_permissions=lambda: [Permission("customer.read", "again")]
            )
        )


def test_hook_activity_kinds(register_plugin, make_customer):
    from core.services.activities import log_activity

    register_plugin(
        plugin_module("probe", trellis_activity_kinds=lambda: [ActivityKind("probe_ping", "Ping")])
    )
    customer = make_customer()
    assert (
        log_activity({"kind": "probe_ping", "subject": "x", "customer_id": customer.id}, None).kind
        == "probe_ping"
    )
    with pytest.raises(ValidationError) as err:
        log_activity({"kind": "nope", "subject": "x", "customer_id": customer.id}, None)
    assert "kind" in err.value.errors


def test_hook_custom_field_types(register_plugin, make_customer):
    from core.models import CustomFieldDefinition

    def even(value, definition):
        if not isinstance(value, int) or value % 2:
            raise ValueError("expected an even number")
        return value

    register_plugin(
        plugin_module("probe", trellis_custom_field_types=lambda: [FieldType("even", "Even", even)])
    )
    db.session.add(
        CustomFieldDefinition(entity="customer", key="pairs", label="Pairs", type="even")
    )
    db.session.commit()
    assert make_customer(custom_fields={"pairs": 4}).custom_fields == {"pairs": 4}
    with pytest.raises(ValidationError) as err:
        make_customer(custom_fields={"pairs": 3})
    assert err.value.errors == {"custom_fields.pairs": ["expected an even number"]}


def test_hook_followup_rules(register_plugin, make_customer, make_user):
    from core.followups import create_plan, run_due
    from core.models import Activity

    def due(plan, now):
        for customer_id in plan.params["ids"]:
            yield DueTask(
                key=f"c{customer_id}",
                customer_id=customer_id,
                owner_id=None,
                due_at=now + timedelta(days=1),
                subject="Probe follow-up",
            )

    register_plugin(
        plugin_module(
            "probe", trellis_followup_rules=lambda: [FollowUpRule("probe_rule", "Probe", due)]
        )
    )
    customer = make_customer()
    create_plan({"name": "p", "rule": "probe_rule", "params": {"ids": [customer.id]}}, None)
    assert run_due().created == 1
    assert run_due().created == 0
    task = db.session.scalar(select(Activity).where(Activity.subject == "Probe follow-up"))
    assert task.customer_id == customer.id and task.is_open
    assert customer.next_follow_up_at == task.due_at


def _ui_plugin(**hooks):
    bp = Blueprint("probe", __name__, url_prefix="/probe")
    bp.add_url_rule("/page", "page", lambda: "probe page")
    bp.add_url_rule("/widget", "widget", lambda: "<b>probe widget</b>")
    bp.add_url_rule("/tab/<int:customer_id>", "tab", lambda customer_id: f"tab of {customer_id}")
    return plugin_module("probe", trellis_blueprints=lambda: [bp], **hooks)


def test_hook_menu_items(register_plugin, make_user):
    """Entries stand at the top without a group, join a group core or another
    plugin declared by its name, or bring a group of their own; groups are
    sorted by their order, entries by theirs within a group."""
    probes = MenuGroup("probes", "Probe work", order=85, icon="puzzle")
    plugin = _ui_plugin(
        trellis_menu_items=lambda user: [
            MenuItem("Probe first", "probe.page", order=1),
            MenuItem(f"Only for {user.name}", "probe.page", order=200, group=probes),
            MenuItem("Probe report", "probe.page", order=99, icon="gauge", group=MENU_REPORTS),
        ]
    )
    app = register_plugin(plugin)
    user = make_user(role="admin", name="Rita")  # admin sees the sales items too
    page = _logged_in(app, user).get("/").text
    group = re.compile(r'<details class="menu-group" data-menu-group="([a-z_]+)"')
    assert [m.group(1) for m in group.finditer(page)] == [
        "customers",
        "sales",
        "marketing",
        "service",
        "insurance",
        "hospital",
        "reports",
        "probes",
        "admin",
    ]
    assert page.index("Probe first") < page.index('data-menu-group="customers"')
    reports = page[page.index('data-menu-group="reports"') : page.index('data-menu-group="probes"')]
    assert reports.index("Sales reports") < reports.index("Probe report")
    assert "vendor/icons.svg#gauge" in reports
    probe_group = page[
        page.index('data-menu-group="probes"') : page.index('data-menu-group="admin"')
    ]
    assert "Probe work" in probe_group and "Only for Rita" in probe_group


def test_hook_search(register_plugin, make_user):
    """A plugin's section joins the search box's answer, after core's, with
    the words as typed (spaces collapsed); a plugin answering None adds none."""
    seen = []

    def search(query, user, limit):
        seen.append((query, user.name, limit))
        hits = (SearchHit("Probe 42", "/probe/page", "a probe"),)
        return SearchSection("Probes", hits, order=5) if "probe" in query else None

    app = register_plugin(_ui_plugin(trellis_search=search))
    client = _logged_in(app, make_user(role="admin", name="Rita"))
    page = client.get("/search?q=probe%20%20one").text
    assert seen[-1] == ("probe one", "Rita", 8)
    assert "Probes" in page and 'href="/probe/page"' in page and "a probe" in page
    assert "Probes" not in client.get("/search?q=other").text
    client.get("/search?q=p")  # one letter: nobody is asked
    assert seen[-1][0] == "other"


def test_hook_customer_tabs(register_plugin, make_user, make_customer):
    plugin = _ui_plugin(
        trellis_customer_tabs=lambda customer, user: [
            CustomerTab("probe", f"Probe tab {customer.name}", "probe.tab")
        ]
    )
    app = register_plugin(plugin)
    user = make_user(role="sales")
    customer = make_customer(name="Tabbed", owner_id=user.id)
    page = _logged_in(app, user).get(f"/customers/{customer.id}?tab=probe").text
    assert "Probe tab Tabbed" in page and f"tab of {customer.id}" in page


def test_hook_customer_tabs_with_records_are_listed_when_they_find_one(
    register_plugin, make_user, make_customer
):
    """A tab's ``records`` select decides whether it is listed; every tab's
    is asked in one statement however many plugins give one."""
    from sqlalchemy import event

    from core.models import Activity

    def tabs(customer, user):
        mine = select(Activity.id).where(Activity.customer_id == customer.id)
        none = select(Activity.id).where(Activity.id < 0)
        return [
            CustomerTab("found", "Found tab", "probe.tab", records=mine),
            CustomerTab("empty", "Empty tab", "probe.tab", records=none),
            CustomerTab("always", "Always tab", "probe.tab"),
        ]

    app = register_plugin(_ui_plugin(trellis_customer_tabs=tabs))
    user = make_user(role="sales")
    customer = make_customer(name="Tabbed", owner_id=user.id)
    db.session.add(
        Activity(customer_id=customer.id, kind="note", subject="x", occurred_at=utcnow())
    )
    db.session.commit()
    sent: list[str] = []

    def record(conn, cursor, statement, *rest):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = _logged_in(app, user).get(f"/customers/{customer.id}").text
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "Found tab" in page and "Always tab" in page and "Empty tab" not in page
    assert sum("EXISTS" in s.upper() and "activity" in s for s in sent) == 1, sent


def test_hook_dashboard_widgets(register_plugin, make_user):
    plugin = _ui_plugin(
        trellis_dashboard_widgets=lambda user: [
            DashboardWidget("probe", "Probe widget", "probe.widget")
        ]
    )
    app = register_plugin(plugin)
    page = _logged_in(app, make_user(role="sales")).get("/").text
    assert "Probe widget" in page and "<b>probe widget</b>" in page


def test_hook_customer_actions(register_plugin, make_user, make_customer):
    plugin = _ui_plugin(
        trellis_customer_actions=lambda customer, user: [
            CustomerAction("Probe later", f"/probe/page?customer={customer.id}", order=300),
            CustomerAction("Probe first", "/probe/act", order=1, method="post", confirm="Really?"),
        ]
    )
    app = register_plugin(plugin)
    user = make_user(role="sales")
    customer = make_customer(owner_id=user.id)
    page = _logged_in(app, user).get(f"/customers/{customer.id}").text
    head = page[page.index('class="page-head"') : page.index('class="tabs"')]
    assert (
        f'<a class="button secondary" href="/probe/page?customer={customer.id}">Probe later' in head
    )
    assert re.search(
        r'<form method="post" action="/probe/act"><input type="hidden" '
        r'name="csrf_token" value="[^"]+">\s*<button type="submit" '
        r'class="secondary" data-confirm="Really\?">Probe first</button>',
        head,
    )
    assert head.index("Probe first") < head.index("Probe later")
    with pytest.raises(ValueError, match="'get' or 'post'"):
        CustomerAction("Delete", "/probe/act", method="delete")


def test_hook_customer_columns(register_plugin, make_user, make_customer):
    asked = []

    def scores(ids):
        asked.append(sorted(ids))
        return {alpha.id: "A+"}  # beta left out: shown as "—"

    plugin = _ui_plugin(
        trellis_customer_columns=lambda user: [
            CustomerColumn("probe_late", "Probe late", lambda ids: {}, order=300),
            CustomerColumn("probe_score", f"Score for {user.name}", scores, order=1),
        ]
    )
    app = register_plugin(plugin)
    rep = make_user(name="Rita")
    alpha, beta = (make_customer(name=n, owner_id=rep.id) for n in ("Alpha", "Beta"))
    make_customer(name="Someone else's")
    client = _logged_in(app, rep)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "results"}):  # page, then fragment
        asked.clear()
        page = client.get("/customers/", headers=headers).text
        assert asked == [sorted([alpha.id, beta.id])]  # once for the page, only what rep sees
        assert page.index("Score for Rita") < page.index("Probe late")
        row = page[page.index(">Alpha</a>") :]
        assert row.index('<td class="col-probe_score">A+</td>') < row.index("</tr>")
        assert page.count('<td class="col-probe_score">—</td>') == 1
    asked.clear()
    assert "No customers found." in client.get("/customers/?q=nobody").text
    assert asked == []  # an empty page asks nothing


def test_hook_timeline_links(register_plugin, make_user, make_customer, make_contact, as_user):
    """A url links the entry, None or no answer hides it, on every timeline:
    the customer's page, the htmx fragment, the contact's page, the API."""
    from core.services.activities import log_activity

    asked = []

    def links(link_type, ids, user):
        asked.append((link_type, sorted(ids), user.id))
        return {1: "/x/1", 2: None}  # 3: left out

    app = register_plugin(
        plugin_module("probe", trellis_models=lambda: [ProbeThing], trellis_timeline_links=links)
    )
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    contact = make_contact(customer=customer)
    for subject, link in (
        ("Probe one", 1),
        ("Probe two", 2),
        ("Probe three", 3),
        ("Unowned link", None),
        ("Plain note", None),
    ):
        log_activity(
            {
                "kind": "note",
                "subject": subject,
                "customer_id": customer.id,
                "contact_id": contact.id,
                **(
                    {"link_type": "probe_thing", "link_id": link}
                    if link
                    else {"link_type": "nobody_thing", "link_id": 9}
                    if "link" in subject
                    else {}
                ),
            },
            None,
        )
    web = _logged_in(app, rep)
    page = web.get(f"/customers/{customer.id}?tab=timeline").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fragment = web.post(
        f"/customers/{customer.id}/activities",
        headers={"HX-Request": "true"},
        data={"csrf_token": token, "kind": "note", "subject": "Fresh"},
    ).text
    for shown in (page, fragment, web.get(f"/contacts/{contact.id}").text):
        assert '<a href="/x/1">Probe one</a>' in shown
        assert "Probe two" not in shown and "Probe three" not in shown
        assert "Unowned link" in shown and "Plain note" in shown
    answer = as_user(rep).get(f"/api/v1/customers/{customer.id}/activities").json
    items = {item["subject"]: item["link_url"] for item in answer["items"]}
    assert items == {"Probe one": "/x/1", "Unowned link": None, "Plain note": None, "Fresh": None}
    assert answer["total"] == 4
    assert asked == [("probe_thing", [1, 2, 3], rep.id)] * 4  # once per timeline shown


def test_hook_timeline_links_keeps_a_hidden_records_task_for_the_user_who_must_do_it(
    register_plugin, make_user, make_customer, as_user
):
    from datetime import timedelta

    from core.api import utcnow
    from core.services.activities import log_activity

    register_plugin(
        plugin_module(
            "probe",
            trellis_models=lambda: [ProbeThing],
            trellis_timeline_links=lambda link_type, ids, user: {},
        )
    )
    rep, other = make_user(), make_user()
    customer = make_customer(owner_id=rep.id)
    for subject, owner in (("Call about it", rep), ("Someone else's task", other)):
        log_activity(
            {
                "kind": "call",
                "subject": subject,
                "customer_id": customer.id,
                "owner_id": owner.id,
                "due_at": (utcnow() + timedelta(days=1)).isoformat(),
                "link_type": "probe_thing",
                "link_id": 5,
            },
            None,
        )
    log_activity(
        {
            "kind": "note",
            "subject": "A note about it",
            "customer_id": customer.id,
            "link_type": "probe_thing",
            "link_id": 5,
        },
        None,
    )
    items = as_user(rep).get(f"/api/v1/customers/{customer.id}/activities").json["items"]
    assert [item["subject"] for item in items] == ["Call about it"]


def test_hook_timeline_links_answering_none_leaves_the_entries_as_they_are(
    register_plugin, make_user, make_activity
):
    app = register_plugin(
        plugin_module(
            "probe",
            trellis_models=lambda: [ProbeThing],
            trellis_timeline_links=lambda link_type, ids, user: None,
        )
    )
    rep = make_user()
    activity = make_activity(subject="Probe kept", link_type="probe_thing", link_id=1)
    activity.customer.owner_id = rep.id
    db.session.commit()
    page = _logged_in(app, rep).get(f"/customers/{activity.customer_id}?tab=timeline").text
    assert "Probe kept" in page and '">Probe kept</a>' not in page


def _logged_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    return client


def test_hook_demo_data(register_plugin, make_user):
    from core.demo import load_demo
    from core.models import Customer

    calls = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_demo_data=lambda locale, customers, users: calls.append(
                (locale, len(customers), len(users))
            ),
        )
    )
    admin = make_user(role="admin")
    load_demo("zh_CN", admin)
    assert calls == [("zh_CN", 12, 4)]
    names = db.session.scalars(select(Customer.name)).all()
    assert "上海恒通贸易有限公司" in names


# ---------------------------------------------------------------- domain events


def test_hook_customer_created(make_customer, events):
    customer = make_customer(name="Fresh")
    assert events.of("customer_created") == [{"customer": customer}]


def test_hook_customer_updated(make_customer, events):
    from core.services.customers import update_customer

    customer = make_customer(name="Old")
    events.clear()
    update_customer(customer, {"name": "New"}, None)
    assert events.of("customer_updated") == [
        {"customer": customer, "changes": {"name": ("Old", "New")}}
    ]


def test_hook_customer_deleted(make_customer, events):
    from core.services.customers import delete_customer

    customer = make_customer()
    delete_customer(customer, None)
    assert events.of("customer_deleted") == [{"customer": customer}]


def test_hook_customer_restored(make_customer, events):
    from core.services.customers import delete_customer, restore_customer

    customer = make_customer()
    delete_customer(customer, None)
    restore_customer(customer, None)
    assert events.of("customer_restored") == [{"customer": customer}]


def test_hook_customer_merged(make_customer, events):
    from core.services.customers import merge_customers

    a, b = make_customer(name="A"), make_customer(name="B")
    merge_customers(a, b, None)
    assert events.of("customer_merged") == [{"survivor": a, "merged_id": b.id}]


def test_hook_customer_owner_changed(make_customer, make_user, events):
    from core.services.customers import change_owner

    rep = make_user()
    customer = make_customer()
    change_owner(customer, rep.id, None)
    assert events.of("customer_owner_changed") == [
        {"customer": customer, "previous_owner_id": None, "new_owner_id": rep.id}
    ]


def test_hook_contact_created(make_contact, events):
    contact = make_contact(name="Li Lei")
    assert events.of("contact_created") == [{"contact": contact}]


def test_hook_activity_logged(make_activity, events):
    activity = make_activity(subject="Called")
    assert events.of("activity_logged") == [{"activity": activity}]
    assert db.session.scalar(select(func.count()).select_from(type(activity))) == 1


def test_hook_permissions_can_be_granted_to_the_default_roles(register_plugin):
    from core.services.users import ensure_default_roles

    register_plugin(
        plugin_module(
            "probe",
            trellis_permissions=lambda: [
                Permission("probe.read", "Read", default_roles=("sales",)),
                Permission("probe.admin", "Admin"),
            ],
        )
    )
    roles = ensure_default_roles()
    assert "probe.read" in roles["sales"].permissions
    assert "probe.read" not in roles["manager"].permissions
    assert "probe.admin" not in roles["sales"].permissions and roles["admin"].grants("probe.admin")


def test_hook_roles(register_plugin, make_user, login_as):
    """A plugin's starting role is created once, with its permissions and
    those declared for it; pages show its title; an admin's change stays."""
    from core.instance import sync_plugins
    from core.models import Role

    register_plugin(
        plugin_module(
            "probe",
            trellis_roles=lambda: [RoleTemplate("nurse", "Ward nurse", "team", ("customer.read",))],
            trellis_permissions=lambda: [
                Permission("probe.chart", "Read charts", default_roles=("nurse",))
            ],
        )
    )
    sync_plugins()
    nurse = db.session.scalar(select(Role).where(Role.name == "nurse"))
    assert nurse.scope.value == "team"
    assert nurse.permissions == ["customer.read", "probe.chart"]
    nurse.permissions = ["customer.read"]  # an admin takes one away
    db.session.commit()
    sync_plugins()
    assert db.session.scalar(select(Role).where(Role.name == "nurse")).permissions == [
        "customer.read"
    ]
    page = login_as(make_user(role="admin")).get("/admin/roles").text
    assert ">Ward nurse</a>" in page


def test_hook_roles_declared_twice_stop_start_up(register_plugin):
    with pytest.raises(PluginError, match="'probe'.*'sales'"):
        register_plugin(plugin_module("probe", trellis_roles=lambda: [RoleTemplate("sales", "x")]))


def test_hook_recycle_conditions(register_plugin, make_user, make_customer):
    from core.api import RecycleCondition
    from core.models import Customer, PoolRule
    from core.services.pool import recycle_due

    def vip_only(params, now):
        return select(Customer.id).where(Customer.name.like(params["prefix"] + "%"))

    register_plugin(
        plugin_module(
            "probe",
            trellis_recycle_conditions=lambda: [
                RecycleCondition("probe_prefix", "By prefix", vip_only)
            ],
        )
    )
    rep = make_user()
    gone = make_customer(name="Drop me", owner_id=rep.id)
    kept = make_customer(name="Keep me", owner_id=rep.id)
    db.session.add(
        PoolRule(
            team_id=None, conditions={"probe_prefix": {"prefix": "Drop"}}, remind_days_before=0
        )
    )
    db.session.commit()
    assert recycle_due().recycled == 1
    assert (gone.owner_id, kept.owner_id) == (None, rep.id)


def test_hook_jobs(register_plugin, make_customer):
    from core.api import Job, enqueue
    from core.models import Customer

    def rename(customer_id, name):
        db.session.get(Customer, customer_id).name = name
        db.session.commit()

    app = register_plugin(
        plugin_module(
            "probe",
            trellis_jobs=lambda: [
                Job("probe.rename", "Rename", rename),
                Job("probe.tick", "Tick", lambda: None, 30),
            ],
        )
    )
    customer = make_customer(name="Old")
    enqueue("probe.rename", customer_id=customer.id, name="New")
    db.session.expire_all()
    assert customer.name == "New"

    def due(minute):
        huey = app.extensions["trellis_jobs"].huey
        return {task.name for task in huey.read_periodic(datetime(2026, 1, 1, 9, minute))}

    periodic = {f"trellis.every.{code}" for code, job in app.extensions["trellis"].jobs.items()}
    assert {"trellis.every.probe.tick", "trellis.every.core.follow_ups"} <= due(30) <= periodic
    assert "trellis.every.probe.tick" not in due(31)  # every 30 minutes: not at 9:31


def test_hook_jobs_refuses_a_bad_schedule(register_plugin):
    from core.api import Job

    with pytest.raises(PluginError, match="every_minutes"):
        register_plugin(
            plugin_module("probe", trellis_jobs=lambda: [Job("probe.bad", "Bad", lambda: None, 0)])
        )


def test_hook_searchables(register_plugin):
    """A plugin's record type joins the index: written through the ORM, it
    is found by a prefix or a Chinese fragment through search_match."""
    from core.api import Searchable, search_match
    from core.models import Tag

    register_plugin(
        plugin_module(
            "probe", trellis_searchables=lambda: [Searchable("probe.tag", Tag, ("name",))]
        )
    )
    db.session.add_all([Tag(name="客户关怀 VIP"), Tag(name="Wholesale")])
    db.session.commit()

    def names(query):
        return set(db.session.scalars(select(Tag.name).where(search_match(Tag, query))))

    assert names("关怀") == {"客户关怀 VIP"}
    assert names("whole") == {"Wholesale"}
    assert names("retail") == set()


@pytest.mark.parametrize(
    ("fields", "message"),
    [((), "1 to 4 fields"), (("name",) * 5, "1 to 4 fields"), (("nope",), "has no 'nope'")],
)
def test_hook_searchables_refuses_a_bad_declaration(register_plugin, fields, message):
    from core.api import Searchable
    from core.models import Tag

    with pytest.raises(PluginError, match=message):
        register_plugin(
            plugin_module("probe", trellis_searchables=lambda: [Searchable("probe.t", Tag, fields)])
        )


def test_hook_searchables_refuses_a_kind_declared_twice(register_plugin):
    from core.api import Searchable
    from core.models import Tag

    with pytest.raises(PluginError, match="already declared"):
        register_plugin(
            plugin_module(
                "probe", trellis_searchables=lambda: [Searchable("customer", Tag, ("name",))]
            )
        )


def test_hook_transfer_records(register_plugin, make_user):
    from core.services.pool import transfer_all

    calls = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_transfer_records=lambda from_user_id, to_user_id: (
                calls.append((from_user_id, to_user_id)) or 5
            ),
        )
    )
    leaver, heir = make_user(), make_user()
    assert transfer_all(leaver, heir, None)["plugin_records"] == 5
    assert calls == [(leaver.id, heir.id)]


def test_hook_transfer_records_failing_undoes_the_whole_transfer(
    register_plugin, make_user, make_customer
):
    from core.services.pool import transfer_all

    def broken(from_user_id, to_user_id):
        raise RuntimeError("plugin cannot move its rows")

    register_plugin(plugin_module("probe", trellis_transfer_records=broken))
    leaver, heir = make_user(), make_user()
    customer = make_customer(owner_id=leaver.id)
    with pytest.raises(RuntimeError):
        transfer_all(leaver, heir, None)
    db.session.expire_all()
    assert customer.owner_id == leaver.id


def test_hook_merge_records(register_plugin, make_customer):
    from core.services.customers import merge_customers

    calls = []
    register_plugin(
        plugin_module(
            "probe",
            trellis_merge_records=lambda survivor_id, merged_id: calls.append(
                (survivor_id, merged_id)
            ),
        )
    )
    a, b = make_customer(), make_customer()
    merge_customers(a, b, None)
    assert calls == [(a.id, b.id)]


def test_hook_purge_records(register_plugin, make_customer):
    from core.models import Customer
    from core.services.customers import delete_customer, purge_customer

    calls = []
    register_plugin(
        plugin_module("probe", trellis_purge_records=lambda customer_id: calls.append(customer_id))
    )
    customer = make_customer()
    delete_customer(customer, None)
    purge_customer(customer, None)
    assert calls == [customer.id] and db.session.get(Customer, customer.id) is None


def test_hook_customer_veto(register_plugin, make_customer, make_user, as_user):
    from core.models import Customer
    from core.services.customers import delete_customer, merge_customers, purge_customer

    asked = []

    def veto(customer, action, survivor):
        asked.append((action, survivor.name if survivor else None))
        return "has policies in force" if customer.name == "Insured" else None

    register_plugin(plugin_module("probe", trellis_customer_veto=veto))
    insured, other = make_customer(name="Insured"), make_customer(name="Other")
    answer = as_user(make_user("admin")).delete(f"/api/v1/customers/{insured.id}")
    assert answer.status_code == 409
    assert answer.json["type"].endswith("customer-vetoed")
    assert answer.json["reasons"] == ["has policies in force"]
    assert "Insured" in answer.json["detail"]
    db.session.expire_all()
    assert db.session.get(Customer, insured.id).deleted_at is None
    with pytest.raises(Exception, match="cannot be merged: has policies in force"):
        merge_customers(other, insured, None)
    assert db.session.get(Customer, insured.id).deleted_at is None
    delete_customer(other, None)
    purge_customer(other, None)  # no reason given: allowed
    assert ("merge", "Other") in asked and ("purge", None) in asked


def test_hook_plugin_synced(register_plugin):
    from core.instance import sync_plugins

    told = []
    register_plugin(
        plugin_module(
            "probe", trellis_plugin_synced=lambda previous_version: told.append(previous_version)
        )
    )
    sync_plugins()
    sync_plugins()
    assert told == [None]  # once: enabled; the second sync had nothing to do
