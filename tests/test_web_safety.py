"""The web UI's defences found in review: redirects stay on the site, only
this browser's own forms are kept across a sign-in, a batch is refused as a
whole, and odd digits never crash a page."""

import re

import pytest
from cryptography.fernet import Fernet

from core.forms import form_int
from core.models import Activity, Contact, Customer, DataScope, Role, utcnow


def token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def fresh(db, model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_redirects_to_another_site(client, make_user, target):
    make_user(email="rep@example.com", password="correct horse battery")
    response = client.post(
        "/login?next=" + target,
        data={
            "csrf_token": token(client, "/login"),
            "email": "rep@example.com",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 302 and response.location == "/"


def test_sign_in_goes_back_to_the_page_asked_for(client, make_user):
    make_user(email="rep@example.com", password="correct horse battery")
    response = client.post(
        "/login?next=/customers/%3Fq%3Dtea",
        data={
            "csrf_token": token(client, "/login"),
            "email": "rep@example.com",
            "password": "correct horse battery",
        },
    )
    assert response.location == "/customers/?q=tea"


def test_a_post_forged_by_another_site_is_not_kept_for_after_sign_in(
    client, make_user, make_customer
):
    rep = make_user(email="rep@example.com", password="correct horse battery")
    customer = make_customer(name="Untouched", owner_id=rep.id)
    edit = f"/customers/{customer.id}/edit"
    client.get("/login")  # the victim's browser has a session, but no valid token is sent
    forged = client.post(edit, data={"name": "Planted by evil.example", "stage": "lead"})
    assert forged.status_code == 302 and "/login" in forged.location
    with client.session_transaction() as session:
        assert "kept_input" not in session


RIGHT = "correct horse battery"


def sign_in(client, address, password, email="rep@example.com"):
    """A sign-in from ``address`` (a fresh token each time: signing in drops it)."""
    return client.post(
        "/login",
        data={"csrf_token": token(client, "/login"), "email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    ).status_code


def test_guessing_from_one_address_does_not_lock_the_user_out_elsewhere(client, make_user):
    make_user(email="rep@example.com", password=RIGHT)
    guesses = [sign_in(client, "10.0.0.1", f"guess {i}") for i in range(12)]
    assert guesses[:10] == [401] * 10 and guesses[10:] == [429, 429]
    assert sign_in(client, "10.0.0.2", RIGHT) == 302  # the real user, from their own address


def test_the_guessing_address_stays_refused_even_with_the_right_password(client, make_user):
    make_user(email="rep@example.com", password=RIGHT)
    for i in range(10):
        sign_in(client, "10.0.0.1", f"guess {i}")
    assert sign_in(client, "10.0.0.1", RIGHT) == 429
    assert sign_in(client, "10.0.0.2", RIGHT) == 302
    assert sign_in(client, "10.0.0.1", RIGHT) == 429  # another address's success frees nobody


def test_successful_sign_ins_never_count_towards_the_limit(client, make_user):
    make_user(email="rep@example.com", password=RIGHT)
    assert [sign_in(client, "10.0.0.1", RIGHT) for _ in range(15)] == [302] * 15


def test_a_successful_sign_in_forgets_that_addresses_failures(client, make_user):
    make_user(email="rep@example.com", password=RIGHT)
    for i in range(9):
        sign_in(client, "10.0.0.1", f"typo {i}")
    assert sign_in(client, "10.0.0.1", RIGHT) == 302
    assert [sign_in(client, "10.0.0.1", f"typo {i}") for i in range(9)] == [401] * 9
    assert sign_in(client, "10.0.0.1", RIGHT) == 302


@pytest.mark.parametrize(
    "text,number",
    [
        ("42", 42),
        (" 7 ", 7),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("99999999999", None),
        ("", None),
    ],
)
def test_form_numbers_are_ascii_digits_in_range(text, number):
    assert form_int(text) == number


def test_superscript_digits_in_a_form_are_refused_not_a_crash(make_user, make_customer, login_as):
    admin = make_user(role="admin")
    customer = make_customer(owner_id=admin.id)
    client = login_as(admin)
    csrf = token(client, "/customers/")
    bulk = client.post(
        "/customers/bulk",
        data={
            "csrf_token": csrf,
            "ids": ["²", str(customer.id)],
            "action": "assign",
            "owner_id": "²",
        },
    )
    assert bulk.status_code == 302
    assert client.get("/admin/audit?entity_id=²").status_code == 200
    edit = f"/customers/{customer.id}/edit"
    saved = client.post(
        edit,
        data={
            "csrf_token": token(client, edit),
            "name": "Renamed",
            "stage": "lead",
            "kind": "company",
            "version": "²",
        },
    )
    assert saved.status_code in (302, 409, 422)


def test_a_batch_needing_a_permission_the_user_lacks_changes_nothing(
    make_user, make_customer, login_as, db
):
    db.session.add(
        Role(name="office", permissions=["customer.read", "customer.write"], scope=DataScope.all)
    )
    db.session.commit()
    clerk, rep = make_user(role="office"), make_user()
    own = make_customer(name="Own", owner_id=clerk.id)
    other = make_customer(name="Other", owner_id=rep.id)
    client = login_as(clerk)
    response = client.post(
        "/customers/bulk",
        data={
            "csrf_token": token(client, "/customers/"),
            "ids": [str(own.id), str(other.id)],
            "action": "pool",
        },
    )
    assert response.status_code == 403  # releasing another rep's customer needs transfer
    assert fresh(db, Customer, own.id).owner_id == clerk.id  # not half done
    assert fresh(db, Customer, other.id).owner_id == rep.id


def test_completing_my_task_on_a_customer_i_no_longer_see_does_not_show_its_timeline(
    make_user, make_customer, make_activity, login_as, db
):
    rep, colleague = make_user(), make_user()
    customer = make_customer(name="Moved Away Ltd", owner_id=rep.id)
    task = make_activity(
        customer,
        rep,
        kind="task",
        subject="Call back",
        owner_id=rep.id,
        due_at=utcnow().isoformat(),
    )
    customer.owner_id = colleague.id
    db.session.commit()
    client = login_as(rep)
    response = client.post(
        f"/tasks/{task.id}/complete?back=timeline",
        headers={"HX-Request": "true", "X-CSRF-Token": token(client, "/tasks/")},
    )
    assert response.status_code == 302
    assert "Moved Away Ltd" not in response.text
    assert fresh(db, Activity, task.id).done_at is not None


def test_a_field_the_role_hides_is_neither_shown_in_forms_nor_erased_by_them(
    make_user, make_customer, make_contact, login_as, db
):
    db.session.add(
        Role(
            name="temp",
            permissions=["customer.read", "customer.write", "customer.merge"],
            scope=DataScope.own,
            hidden_fields=["customer.phones", "contact.phones"],
        )
    )
    db.session.commit()
    temp = make_user(role="temp")
    customer = make_customer(name="Secret Phone Co", owner_id=temp.id, phones=["13800000001"])
    make_customer(name="Secret Phone Co", owner_id=temp.id, phones=["13800000002"])
    contact = make_contact(customer, name="Li", phones=["13900000009"])
    client = login_as(temp)
    edit = f"/customers/{customer.id}/edit"
    page = client.get(edit).text
    assert "13800000001" not in page and 'name="phones"' not in page
    saved = client.post(
        edit,
        data={
            "csrf_token": token(client, edit),
            "name": "Renamed Co",
            "stage": "lead",
            "kind": "company",
            "version": str(customer.version),
        },
    )
    assert saved.status_code == 302
    row = fresh(db, Customer, customer.id)
    assert row.name == "Renamed Co" and row.phones == ["+8613800000001"]
    contact_edit = f"/contacts/{contact.id}/edit"
    assert "13900000009" not in client.get(contact_edit).text
    client.post(
        contact_edit,
        data={
            "csrf_token": token(client, contact_edit),
            "name": "Li Lei",
            "version": str(contact.version),
        },
    )
    assert fresh(db, Contact, contact.id).phones == ["+8613900000009"]
    merge = client.get(f"/admin/merge/{customer.id}").text
    assert "13800000002" not in merge


def test_a_bogus_bearer_header_does_not_skip_the_csrf_check(db, make_user, login_as):
    from sqlalchemy import func, select

    rep = make_user(role="sales")
    client = login_as(rep)
    bogus = {"Authorization": "Bearer bogus"}
    refused = client.post("/api/v1/customers", json={"name": "Forged"}, headers=bogus)
    assert refused.status_code in (400, 403)
    refused = client.post(
        "/api/v1/customers", json={"name": "Forged"}, headers={"Authorization": "Bearer trl_x"}
    )
    assert refused.status_code in (400, 403)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_valid_bearer_token_needs_no_csrf_token(app, db, make_user):
    from core.services.tokens import create_token

    rep = make_user(role="sales")
    _token, secret = create_token(rep, "tests", None)
    response = app.test_client().post(
        "/api/v1/customers", json={"name": "Acme"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201
    db.session.expire_all()
    assert fresh(db, Customer, response.json["id"]).name == "Acme"


STRONG_KEY = "Zq3-vN8_tK1xWb7Lr5Yc9Hd2Mf6Gp4Sj0Ea"
PII_KEY = Fernet.generate_key().decode()  # production keeps national IDs encrypted
HSTS = "max-age=31536000; includeSubDomains"


def test_production_over_tls_asks_browsers_to_keep_to_https(make_app):
    production = make_app(
        TRELLIS_ENV="production", TRELLIS_SECRET_KEY=STRONG_KEY, TRELLIS_PII_KEYS=PII_KEY
    ).test_client()
    secure = production.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in production.get("/login").headers
    development = make_app().test_client().get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" not in development.headers


def test_hsts_follows_the_scheme_the_proxy_reports(make_app):
    app = make_app(
        TRELLIS_ENV="production",
        TRELLIS_SECRET_KEY=STRONG_KEY,
        TRELLIS_PII_KEYS=PII_KEY,
        TRELLIS_PROXIES=1,
    )
    behind_tls = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["Strict-Transport-Security"] == HSTS
    plain = app.test_client().get("/login", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
