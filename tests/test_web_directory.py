"""The administration pages for users, teams, roles, custom fields and tags:
real form posts through the same services as the API."""

import re

import pytest
from sqlalchemy import func, select

from core.models import CustomFieldDefinition, DataScope, Role, Tag, Team, User
from core.security import verify_password

#: each page and the heading it shows
PAGES = {
    "/admin/users": "Users",
    "/admin/users/new": "New user",
    "/admin/users/{user}/edit": "Edit Ada Admin",
    "/admin/teams": "Teams",
    "/admin/roles": "Roles and permissions",
    "/admin/roles/new": "New role",
    "/admin/roles/{role}/edit": "Edit sales",
    "/admin/custom-fields": "Custom fields",
    "/admin/custom-fields/new": "New field",
    "/admin/custom-fields/{field}/edit": "Edit Size",
    "/admin/tags": "Tags",
}


def csrf(client, path="/admin/"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def post(client, path, data):
    """Post a form the way a browser does, with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf(client), **data})


def role_named(db, name):
    db.session.expire_all()
    return db.session.scalar(select(Role).where(Role.name == name))


def count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(make_user, login_as):
    user = make_user(role="admin", name="Ada Admin")
    return user, login_as(user)


@pytest.fixture
def field(db):
    definition = CustomFieldDefinition(entity="customer", key="size", label="Size", type="text")
    db.session.add(definition)
    db.session.commit()
    return definition


def page_paths(user, db, field):
    ids = {"user": user.id, "role": role_named(db, "sales").id, "field": field.id}
    return {path.format(**ids): heading for path, heading in PAGES.items()}


def test_every_directory_page_opens_for_an_admin(admin, db, field):
    user, client = admin
    for path, heading in page_paths(user, db, field).items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert f"<h1>{heading}</h1>" in response.text, path


def test_a_sales_rep_may_neither_see_nor_post_the_directory_pages(make_user, login_as, db, field):
    rep = make_user(role="sales")
    client = login_as(rep)
    for path in page_paths(rep, db, field):
        assert client.get(path).status_code == 403, path
    token = csrf(client, "/")
    refused = client.post("/admin/teams", data={"csrf_token": token, "name": "Rogue"})
    assert refused.status_code == 403 and count(db, Team) == 0


def test_settings_admins_manage_fields_and_tags_but_not_users(make_user, login_as, db):
    db.session.add(Role(name="configurator", permissions=["admin.settings"]))
    db.session.commit()
    client = login_as(make_user(role="configurator"))
    assert client.get("/admin/tags").status_code == 200
    assert client.get("/admin/custom-fields").status_code == 200
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/roles").status_code == 403


def test_an_admin_creates_a_user_through_the_form(admin, db):
    _user, client = admin
    east = Team(name="East")
    db.session.add(east)
    db.session.commit()
    sales = role_named(db, "sales")
    response = post(
        client,
        "/admin/users/new",
        {
            "name": "Bo Rep",
            "email": " Bo@Example.com ",
            "password": "a long password",
            "role_id": str(sales.id),
            "team_id": str(east.id),
        },
    )
    assert response.status_code == 302 and response.location.endswith("/admin/users")
    db.session.expire_all()
    bo = db.session.scalar(select(User).where(User.email == "bo@example.com"))
    assert bo.name == "Bo Rep" and bo.role_id == sales.id and bo.team_id == east.id
    assert verify_password(bo.password_hash, "a long password")
    listing = client.get("/admin/users").text
    assert "User Bo Rep created." in listing and "bo@example.com" in listing and "East" in listing


def test_a_user_without_a_name_and_with_a_bad_email_is_refused_with_the_input_kept(admin, db):
    _user, client = admin
    before = count(db, User)
    response = post(
        client,
        "/admin/users/new",
        {"name": "", "email": "not-an-email", "password": "a secret password"},
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="e-name"' in page and 'id="e-email"' in page
    assert 'value="not-an-email"' in page and 'aria-invalid="true"' in page
    assert "a secret password" not in page  # a password is never sent back
    assert count(db, User) == before


def test_an_admin_edits_a_user_and_sets_a_new_password(admin, make_user, db):
    _user, client = admin
    rep = make_user(role="sales", name="Cy")
    manager = role_named(db, "manager")
    response = post(
        client,
        f"/admin/users/{rep.id}/edit",
        {
            "version": "1",
            "name": "Cy Manager",
            "role_id": str(manager.id),
            "team_id": "",
            "locale": "zh_CN",
            "active__present": "1",
            "active": "1",
            "password": "another long password",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    rep = db.session.get(User, rep.id)
    assert (rep.name, rep.role_id, rep.locale, rep.active) == (
        "Cy Manager",
        manager.id,
        "zh_CN",
        True,
    )
    assert verify_password(rep.password_hash, "another long password")


def test_an_unticked_active_box_deactivates_another_user(admin, make_user, db):
    _user, client = admin
    rep = make_user(role="sales", name="Di")
    response = post(client, f"/admin/users/{rep.id}/edit", {"name": "Di", "active__present": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, rep.id).active is False


def test_an_admin_cannot_deactivate_themselves(admin, db):
    user, client = admin
    response = post(
        client,
        f"/admin/users/{user.id}/edit",
        {"name": "Ada Admin", "active__present": "1", "version": str(user.version)},
    )
    assert response.status_code == 422
    assert 'id="e-active"' in response.text and "You cannot deactivate your own account." in (
        response.text
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_a_too_short_new_password_changes_nothing(admin, make_user, db):
    _user, client = admin
    rep = make_user(role="sales", name="Ed")
    response = post(client, f"/admin/users/{rep.id}/edit", {"name": "Edward", "password": "short"})
    assert response.status_code == 422 and 'id="e-password"' in response.text
    assert 'value="Edward"' in response.text
    db.session.expire_all()
    assert db.session.get(User, rep.id).name == "Ed"


def test_a_stale_user_edit_answers_409_and_keeps_the_input(admin, make_user, db):
    from core.services.directory import update_user

    _user, client = admin
    rep = make_user(role="sales", name="Flo")
    update_user(rep, {"name": "Flo (changed elsewhere)"}, None)
    response = post(client, f"/admin/users/{rep.id}/edit", {"version": "1", "name": "Flo Mine"})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.text and 'value="Flo Mine"' in (
        response.text
    )
    assert 'name="version" value="2"' in response.text
    db.session.expire_all()
    assert db.session.get(User, rep.id).name == "Flo (changed elsewhere)"


def test_an_admin_creates_a_role_with_permissions_scope_and_hidden_fields(admin, db):
    _user, client = admin
    response = client.post(
        "/admin/roles/new",
        data={
            "csrf_token": csrf(client),
            "name": "telesales",
            "scope": "team",
            "permissions": ["customer.read", "customer.export"],
            "hidden_fields": "customer.phones\ncontact.emails",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/admin/roles")
    role = role_named(db, "telesales")
    assert sorted(role.permissions) == ["customer.export", "customer.read"]
    assert role.scope == DataScope.team
    assert role.hidden_fields == ["customer.phones", "contact.emails"]
    listing = client.get("/admin/roles").text
    assert "Role telesales saved." in listing and "Export customers" in listing


def test_the_role_form_shows_each_permission_by_its_label_grouped_by_who_declares_it(admin, db):
    _user, client = admin
    page = client.get(f"/admin/roles/{role_named(db, 'admin').id}/edit").text
    assert "Manage users, teams and roles" in page and "<code>admin.users</code>" not in page
    assert re.search(r'value="admin.users"', page)
    groups = re.findall(r'<fieldset class="permission-group"><legend>([^<]+)</legend>', page)
    assert groups[0] == "Customers and administration" and "Sales" in groups
    assert re.search(r'value="customer.phones"[^>]*> Phones', page)  # hidden fields: a picker
    assert re.search(r'value="\*" checked', page)  # saving the admin role keeps "everything"


def test_an_unknown_permission_is_refused_and_nothing_is_stored(admin, db):
    _user, client = admin
    response = client.post(
        "/admin/roles/new",
        data={
            "csrf_token": csrf(client),
            "name": "dreamers",
            "scope": "own",
            "permissions": ["customer.read", "customer.fly"],
        },
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="e-permissions"' in page and "customer.fly" in page
    assert 'value="dreamers"' in page
    assert re.search(r'value="customer\.read" checked', page)
    assert role_named(db, "dreamers") is None


def test_a_role_without_a_name_is_refused(admin, db):
    _user, client = admin
    before = count(db, Role)
    response = post(client, "/admin/roles/new", {"name": "", "scope": "all"})
    assert response.status_code == 422 and 'id="e-name"' in response.text
    assert re.search(r'<option value="all" selected>', response.text)
    assert count(db, Role) == before


def test_a_stale_role_edit_answers_409(admin, db):
    from core.services.directory import save_role

    _user, client = admin
    sales = role_named(db, "sales")
    edit_path, read_version = f"/admin/roles/{sales.id}/edit", sales.version
    save_role(sales, {"name": "sales", "permissions": ["customer.read"]}, None, read_version)
    response = post(
        client,
        edit_path,
        {
            "version": str(read_version),
            "name": "sales",
            "scope": "own",
            "permissions": "pool.claim",
        },
    )
    assert response.status_code == 409
    assert role_named(db, "sales").permissions == ["customer.read"]


def test_an_admin_adds_a_team_under_a_parent(admin, db):
    _user, client = admin
    assert post(client, "/admin/teams", {"name": "East", "parent_id": ""}).status_code == 302
    east = db.session.scalar(select(Team).where(Team.name == "East"))
    response = post(client, "/admin/teams", {"name": "East North", "parent_id": str(east.id)})
    assert response.status_code == 302
    db.session.expire_all()
    north = db.session.scalar(select(Team).where(Team.name == "East North"))
    assert north.parent_id == east.id
    assert "Team East North created." in client.get("/admin/teams").text


def test_a_team_without_a_name_is_refused(admin, db):
    _user, client = admin
    response = post(client, "/admin/teams", {"name": "  ", "parent_id": ""})
    assert response.status_code == 422 and 'id="e-name"' in response.text
    assert count(db, Team) == 0


def test_an_admin_adds_a_tag_and_sees_how_many_customers_use_each(admin, make_customer, db):
    _user, client = admin
    response = post(client, "/admin/tags", {"name": "Key account", "color": "#2e7d32"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Tag).where(Tag.name == "Key account")).color == "#2e7d32"
    make_customer(tags=["VIP"])
    make_customer(tags=["VIP"])
    page = client.get("/admin/tags").text
    assert re.search(r"VIP</td>.*?2 customers", page, re.S)
    assert re.search(r"Key account</td>.*?0 customers", page, re.S)


def test_a_duplicate_tag_is_refused_with_the_input_kept(admin, make_customer, db):
    _user, client = admin
    make_customer(tags=["VIP"])
    response = post(client, "/admin/tags", {"name": "VIP", "color": "gold"})
    assert response.status_code == 422
    assert 'id="e-name"' in response.text and 'value="gold"' in response.text
    assert count(db, Tag) == 1


def test_an_admin_defines_a_custom_field(admin, db):
    _user, client = admin
    response = post(
        client,
        "/admin/custom-fields/new",
        {
            "entity": "contact",
            "key": "shirt_size",
            "label": "Shirt size",
            "type": "choice",
            "options": "S\nM\nL",
            "position": "3",
            "required__present": "1",
            "required": "1",
            "active__present": "1",
            "active": "1",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/admin/custom-fields")
    db.session.expire_all()
    field = db.session.scalar(select(CustomFieldDefinition))
    assert (field.entity, field.key, field.label, field.type) == (
        "contact",
        "shirt_size",
        "Shirt size",
        "choice",
    )
    assert field.options == ["S", "M", "L"] and field.required and field.position == 3
    assert "Shirt size" in client.get("/admin/custom-fields").text


def test_a_choice_field_without_options_is_refused(admin, db):
    _user, client = admin
    response = post(
        client,
        "/admin/custom-fields/new",
        {"entity": "customer", "key": "tier", "label": "Tier", "type": "choice", "options": ""},
    )
    assert response.status_code == 422 and 'id="e-options"' in response.text
    assert 'value="tier"' in response.text
    assert count(db, CustomFieldDefinition) == 0


def test_editing_a_custom_field_keeps_its_entity_and_key(admin, db, field):
    _user, client = admin
    page = client.get(f"/admin/custom-fields/{field.id}/edit").text
    assert re.search(r'name="key" value="size"\s+readonly', page)
    response = post(
        client,
        f"/admin/custom-fields/{field.id}/edit",
        {
            "version": str(field.version),
            "entity": "contact",
            "key": "renamed",
            "label": "Headcount",
            "type": "number",
            "active__present": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    field = db.session.get(CustomFieldDefinition, field.id)
    assert (field.entity, field.key, field.label, field.type, field.active) == (
        "customer",
        "size",
        "Headcount",
        "number",
        False,
    )


def test_a_stale_custom_field_edit_answers_409(admin, db, field):
    _user, client = admin
    read_version = field.version
    field.label = "Changed elsewhere"
    db.session.commit()
    response = post(
        client,
        f"/admin/custom-fields/{field.id}/edit",
        {"version": str(read_version), "label": "Mine", "type": "text"},
    )
    assert response.status_code == 409 and 'value="Mine"' in response.text
    db.session.expire_all()
    assert db.session.get(CustomFieldDefinition, field.id).label == "Changed elsewhere"


def test_an_admin_who_sets_their_own_password_stays_signed_in_here(admin, db):
    user, client = admin
    response = post(
        client,
        f"/admin/users/{user.id}/edit",
        {"name": "Ada Admin", "password": "my fresh long password"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, "my fresh long password")
    assert client.get("/admin/users").status_code == 200
