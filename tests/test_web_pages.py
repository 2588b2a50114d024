"""The web UI through the Flask test client: every core page renders, forms
validate with the API's schemas and keep the input, stale forms show what
changed, quick actions and bulk actions write through the services, and
nothing leaks across scopes."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.models import Activity, AuditEntry, Contact, Customer, User, utcnow
from core.testing.pages import shown_text


def fresh(model, record_id):
    """The row as the database has it now (the requests wrote in other sessions)."""
    from core.extensions import db

    db.session.expire_all()
    return db.session.get(model, record_id)


def token(client, path="/"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def post(client, path, data, page="/"):
    return client.post(path, data={"csrf_token": token(client, page), **data})


PAGES = [
    "/",
    "/customers/",
    "/customers/new",
    "/contacts/",
    "/tasks/",
    "/pool/",
    "/account/preferences",
    "/admin/",
    "/admin/plugins",
    "/admin/recycle-bin",
    "/admin/audit",
    "/admin/settings",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_core_page_renders_for_an_admin(make_user, login_as, path):
    client = login_as(make_user(role="admin"))
    response = client.get(path)
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text and "<main" in response.text


@pytest.mark.parametrize("path", ["/admin/", "/admin/plugins", "/admin/audit", "/admin/settings"])
def test_a_sales_rep_may_not_open_administration(make_user, login_as, path):
    client = login_as(make_user(role="sales"))
    assert client.get(path).status_code == 403
    assert "Administration" not in client.get("/").text


def test_customer_pages_of_another_rep_are_404_on_every_path(make_user, make_customer, login_as):
    owner, other = make_user(), make_user()
    customer = make_customer(name="Private Co", owner_id=owner.id)
    client = login_as(other)
    for path in (
        f"/customers/{customer.id}",
        f"/customers/{customer.id}/edit",
        f"/contacts/new?customer_id={customer.id}",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        post(
            client, f"/customers/{customer.id}/activities", {"kind": "note", "subject": "x"}
        ).status_code
        == 404
    )
    assert (
        post(client, "/customers/bulk", {"ids": str(customer.id), "action": "pool"}).status_code
        == 302
    )
    assert fresh(Customer, customer.id).owner_id == owner.id
    assert "Private Co" not in client.get("/customers/?q=Private").text


def test_creating_a_customer_with_bad_input_names_the_field_and_keeps_the_input(
    make_user, login_as, db
):
    client = login_as(make_user())
    response = post(
        client,
        "/customers/new",
        {
            "name": "  ",
            "emails": "ok@example.com\nnot-an-email",
            "city": "Hangzhou <b>",
            "stage": "lead",
        },
        "/customers/new",
    )
    assert response.status_code == 422
    assert 'id="e-name"' in response.text and 'aria-invalid="true"' in response.text
    assert "Hangzhou &lt;b&gt;" in response.text  # kept, and escaped
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_customer_created_in_the_form_is_owned_by_its_creator(make_user, login_as):
    rep = make_user()
    client = login_as(rep)
    response = post(
        client,
        "/customers/new",
        {
            "name": "Lotus Tea House",
            "phones": "138 0013 8000",
            "tags": "VIP, 华东",
            "stage": "prospect",
            "kind": "company",
        },
        "/customers/new",
    )
    assert response.status_code == 302
    customer = Customer.query.filter_by(name="Lotus Tea House").one()
    assert customer.owner_id == rep.id and customer.stage.value == "prospect"
    assert sorted(t.name for t in customer.tags) == ["VIP", "华东"]
    assert "Lotus Tea House" in client.get(response.location).text


def test_a_stale_edit_is_refused_with_what_changed_and_the_input_kept(
    make_user, make_customer, login_as
):
    from core.services.customers import update_customer

    rep = make_user()
    customer = make_customer(name="Old Name", owner_id=rep.id)
    client = login_as(rep)
    page = client.get(f"/customers/{customer.id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    update_customer(customer, {"city": "Suzhou"}, make_user(role="admin"))
    response = post(
        client,
        f"/customers/{customer.id}/edit",
        {"version": version, "name": "My New Name", "stage": "lead", "kind": "company"},
        f"/customers/{customer.id}/edit",
    )
    assert response.status_code == 409
    assert "Changed by someone else" in response.text and "Suzhou" in response.text
    assert 'value="My New Name"' in response.text
    assert fresh(Customer, customer.id).name == "Old Name"
    current = re.search(r'name="version" value="(\d+)"', response.text).group(1)
    again = post(
        client,
        f"/customers/{customer.id}/edit",
        {
            "version": current,
            "name": "My New Name",
            "stage": "lead",
            "kind": "company",
            "city": "Suzhou",
        },
        f"/customers/{customer.id}/edit",
    )
    assert again.status_code == 302 and fresh(Customer, customer.id).name == "My New Name"


def test_an_expired_session_mid_edit_keeps_the_input_through_sign_in(
    app, make_user, make_customer, login_as, db
):
    rep = make_user(email="rep@example.com", password="correct horse battery")
    customer = make_customer(name="Keep Me", owner_id=rep.id)
    client = login_as(rep)
    edit = f"/customers/{customer.id}/edit"
    csrf = token(client, edit)
    rep.session_version += 1  # signed out elsewhere
    db.session.commit()
    response = client.post(
        edit,
        data={
            "csrf_token": csrf,
            "name": "Typed Before Expiry",
            "stage": "lead",
            "kind": "company",
        },
        headers={"Referer": f"http://localhost{edit}"},
    )
    assert response.status_code == 302 and "/login" in response.location
    login = client.post(
        response.location,
        data={
            "csrf_token": token(client, "/login"),
            "email": "rep@example.com",
            "password": "correct horse battery",
        },
    )
    assert login.status_code == 302 and login.location == edit
    page = client.get(edit).text
    assert 'value="Typed Before Expiry"' in page
    assert fresh(Customer, customer.id).name == "Keep Me"


def test_quick_actions_log_a_call_add_a_note_and_plan_a_follow_up(
    make_user, make_customer, login_as
):
    rep = make_user(timezone="Asia/Shanghai")
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    page = f"/customers/{customer.id}"
    call = client.post(
        f"/customers/{customer.id}/activities",
        data={
            "csrf_token": token(client, page),
            "kind": "call",
            "subject": "Asked about prices",
            "direction": "out",
        },
        headers={"HX-Request": "true"},
    )
    assert (
        call.status_code == 200 and "Asked about prices" in call.text and "<html" not in call.text
    )
    post(
        client,
        f"/customers/{customer.id}/activities",
        {"kind": "note", "subject": "Likes green tea"},
        page,
    )
    post(
        client,
        f"/customers/{customer.id}/activities",
        {"kind": "task", "subject": "Send the catalogue", "due_at": "2030-05-01T09:30"},
        page,
    )
    kinds = {a.kind: a for a in Activity.query.filter_by(customer_id=customer.id)}
    assert set(kinds) == {"call", "note", "task"} and kinds["call"].owner_id == rep.id
    due = kinds["task"].due_at
    assert (due.year, due.month, due.day, due.hour, due.minute) == (
        2030,
        5,
        1,
        1,
        30,
    )  # 09:30 in Shanghai
    assert "Send the catalogue" in client.get(f"{page}?tab=follow-ups").text


def test_a_quick_action_without_a_subject_says_so_and_writes_nothing(
    make_user, make_customer, login_as
):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    answer = client.post(
        f"/customers/{customer.id}/activities",
        data={
            "csrf_token": token(client, f"/customers/{customer.id}"),
            "kind": "task",
            "subject": "",
            "due_at": "tomorrow",
        },
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in answer.text and "Summary" in answer.text and "Due" in answer.text
    assert Activity.query.filter_by(customer_id=customer.id).count() == 0


def test_completing_a_task_from_my_tasks(make_user, make_customer, make_activity, login_as):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    task = make_activity(
        customer,
        rep,
        kind="task",
        subject="Call back",
        due_at=(utcnow() - timedelta(days=1)).isoformat(),
        owner_id=rep.id,
    )
    client = login_as(rep)
    assert "Call back" in client.get("/").text
    assert post(client, f"/tasks/{task.id}/complete", {}, "/tasks/").status_code == 302
    assert fresh(Activity, task.id).done_at is not None
    assert "Call back" not in client.get("/tasks/").text


def test_another_users_task_cannot_be_completed(make_user, make_customer, make_activity, login_as):
    owner, other = make_user(), make_user()
    task = make_activity(
        make_customer(owner_id=owner.id),
        owner,
        kind="task",
        subject="Mine",
        due_at=utcnow().isoformat(),
        owner_id=owner.id,
    )
    assert post(login_as(other), f"/tasks/{task.id}/complete", {}).status_code == 404
    assert fresh(Activity, task.id).done_at is None


def test_contacts_are_added_edited_and_have_their_own_timeline(
    make_user, make_customer, make_activity, login_as
):
    rep = make_user()
    customer = make_customer(owner_id=rep.id)
    client = login_as(rep)
    new = f"/contacts/new?customer_id={customer.id}"
    bad = post(client, new, {"name": "", "emails": "nope"}, new)
    assert bad.status_code == 422 and 'id="e-name"' in bad.text
    assert (
        post(
            client,
            new,
            {
                "name": "王小明",
                "title": "采购经理",
                "phones": "13800138000",
                "is_primary__present": "1",
                "is_primary": "1",
            },
            new,
        ).status_code
        == 302
    )
    contact = Contact.query.filter_by(name="王小明").one()
    assert contact.is_primary and contact.phones
    make_activity(customer, rep, subject="Met at the fair", contact_id=contact.id)
    page = client.get(f"/contacts/{contact.id}").text
    assert "Met at the fair" in page and "采购经理" in page
    edit = f"/contacts/{contact.id}/edit"
    assert (
        post(
            client,
            edit,
            {"version": str(contact.version), "name": "王小明", "title": "总经理"},
            edit,
        ).status_code
        == 302
    )
    assert fresh(Contact, contact.id).title == "总经理"
    assert "王小明" in client.get("/contacts/?q=小明").text


def test_list_filters_sort_and_the_htmx_fragment(make_user, make_customer, login_as):
    rep = make_user(role="admin")
    make_customer(name="Alpha Grade A", grade="A", stage="customer", source="exhibition")
    make_customer(name="Beta Grade B", grade="B", stage="lead", tags=["wholesale"])
    client = login_as(rep)
    page = client.get("/customers/?grade=A").text
    assert "Alpha Grade A" in page and "Beta Grade B" not in page
    assert "Beta Grade B" in client.get("/customers/?tag=wholesale").text
    assert "Alpha" not in client.get("/customers/?tag=wholesale").text
    by_name = client.get("/customers/?sort=-name").text
    assert by_name.index("Beta Grade B") < by_name.index("Alpha Grade A")
    fragment = client.get(
        "/customers/?q=Alpha", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "Alpha Grade A" in fragment.text and "<html" not in fragment.text
    bad = client.get("/customers/?grade=Z")
    assert bad.status_code == 200 and 'id="e-grade"' in bad.text


def test_bulk_actions_assign_tag_and_release_to_the_pool(make_user, make_customer, login_as):
    admin, rep = make_user(role="admin"), make_user()
    one, two = (
        make_customer(name="One", owner_id=admin.id),
        make_customer(name="Two", owner_id=admin.id),
    )
    client = login_as(admin)
    ids = [str(one.id), str(two.id)]
    post(
        client,
        "/customers/bulk",
        {"ids": ids, "action": "tag", "tag": "Q4 campaign"},
        "/customers/",
    )
    assert all("Q4 campaign" in [t.name for t in fresh(Customer, c.id).tags] for c in (one, two))
    post(
        client,
        "/customers/bulk",
        {"ids": ids, "action": "assign", "owner_id": str(rep.id)},
        "/customers/",
    )
    assert {fresh(Customer, c.id).owner_id for c in (one, two)} == {rep.id}
    post(client, "/customers/bulk", {"ids": [str(one.id)], "action": "pool"}, "/customers/")
    assert fresh(Customer, one.id).owner_id is None


def test_claiming_from_the_pool(make_user, make_customer, login_as):
    rep = make_user()
    free = make_customer(name="Free Agent Ltd", owner_id=None)
    client = login_as(rep)
    assert "Free Agent Ltd" in client.get("/pool/").text
    assert post(client, f"/pool/{free.id}/claim", {}, "/pool/").status_code == 302
    assert fresh(Customer, free.id).owner_id == rep.id


def test_recycle_bin_restore_and_purge(make_user, make_customer, login_as):
    admin = make_user(role="admin")
    gone, back = make_customer(name="Gone For Good").id, make_customer(name="Coming Back").id
    client = login_as(admin)
    for c in (gone, back):
        post(client, f"/customers/{c}/delete", {}, f"/customers/{c}")
    page = client.get("/admin/recycle-bin").text
    assert "Gone For Good" in page and "Coming Back" in page
    post(client, f"/admin/recycle-bin/{back}/restore", {}, "/admin/recycle-bin")
    post(client, f"/admin/recycle-bin/{gone}/purge", {}, "/admin/recycle-bin")
    assert fresh(Customer, back).deleted_at is None and fresh(Customer, gone) is None
    assert "Purged" in client.get(f"/admin/audit?entity=customer&entity_id={gone}").text


def test_merging_a_duplicate_in_the_browser_form(make_user, make_customer, make_contact, login_as):
    admin = make_user(role="admin")
    keep = make_customer(name="Sunrise Trading", city="Ningbo")
    dupe = make_customer(name="Sunrise Trading Co", city="Shanghai", phones=["13900001111"])
    make_contact(dupe, name="Ms Li")
    client = login_as(admin)
    form = f"/admin/merge/{keep.id}?merge_id={dupe.id}"
    page = client.get(form).text
    assert "Sunrise Trading Co" in page
    # fields by their labels, the owner by name: no column names, no ids
    assert '<th scope="row">City</th>' in page and '<th scope="row">Owner</th>' in page
    assert "owner_id" not in " ".join(shown_text(page)) and "Company" in page
    response = post(
        client, f"/admin/merge/{keep.id}", {"merge_id": str(dupe.id), "choose.city": "merged"}, form
    )
    assert response.status_code == 302
    merged = fresh(Customer, keep.id)
    assert merged.city == "Shanghai" and fresh(Customer, dupe.id).deleted_at is not None
    assert [c.name for c in merged.contacts] == ["Ms Li"]


def test_preferences_set_language_time_zone_and_theme(make_user, login_as):
    user = make_user()
    client = login_as(user)
    bad = post(client, "/account/preferences", {"timezone": "Mars/Olympus"}, "/account/preferences")
    assert bad.status_code == 422 and 'id="e-timezone"' in bad.text
    post(
        client,
        "/account/preferences",
        {"locale": "zh_CN", "timezone": "Asia/Shanghai", "theme": "dark"},
        "/account/preferences",
    )
    page = client.get("/").text
    assert '<html lang="zh-CN">' in page and "/theme/dark/theme.css" in page and "客户" in page
    assert fresh(User, user.id).timezone == "Asia/Shanghai"


def test_the_browser_language_is_used_until_the_user_picks_one(client, make_user, login_as):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert '<html lang="zh-CN">' in page and "登录" in page
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en-GB"}).text


def test_the_site_theme_is_the_admins_choice_unless_a_user_picked_one(make_user, login_as, app):
    from core.services.directory import update_user

    admin, rep, styled = make_user(role="admin"), make_user(), make_user()
    update_user(styled, {"theme": "default"}, None)
    post(login_as(admin), "/admin/settings", {"theme": "dark"}, "/admin/settings")
    assert "/theme/dark/theme.css" in app.test_client().get("/login").text
    from flask.testing import FlaskClient

    assert "/theme/dark/theme.css" in login_as(rep).get("/").text
    other = FlaskClient(app, use_cookies=True)
    with other.session_transaction() as session:
        session["_user_id"] = styled.get_id()
    assert "/theme/default/theme.css" in other.get("/").text
    assert AuditEntry.query.filter_by(entity="site_setting").count() == 1


def test_money_dates_and_numbers_follow_the_locale(make_user, login_as):
    """The sample amount is in the instance's currency (USD on this English
    instance), written the way each language writes it."""
    client = login_as(make_user(locale="zh_CN"))
    page = client.get("/account/preferences").text
    assert "US$12,345.60" in page and "1,234,567.891" in page
    client = login_as(make_user(locale="en"))
    page = client.get("/account/preferences").text
    assert "$12,345.60" in page and "US$" not in page


def test_pages_send_a_content_security_policy_without_inline_script(make_user, login_as):
    response = login_as(make_user()).get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.text and " on" + "click=" not in response.text


def test_html_in_every_text_is_escaped(
    make_user, make_customer, make_contact, make_activity, login_as
):
    rep = make_user(name="<i>rep</i>")
    evil = "<script>alert(1)</script>"
    customer = make_customer(name=evil, owner_id=rep.id, notes=evil, tags=[evil])
    make_contact(customer, name=evil, title=evil)
    make_activity(customer, rep, subject=evil, body=evil)
    client = login_as(rep)
    for path in ("/", "/customers/", f"/customers/{customer.id}", "/contacts/"):
        text = client.get(path).text
        assert evil not in text and "&lt;script&gt;" in text, path


def test_every_page_names_an_icon_the_server_has(client, make_user, login_as):
    """Without one, browsers ask for /favicon.ico and log a 404 on every page."""
    for page in (client.get("/login").text, login_as(make_user()).get("/").text):
        href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
        assert client.get(href).status_code == 200
