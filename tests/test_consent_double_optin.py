"""Double opt-in: a grant of marketing by e-mail is ``pending`` — not a yes,
for any sender — until the customer clicks the button of the page the
confirmation e-mail links to. The link works once, while it has not expired
and the grant is still the latest decision; a GET changes nothing (mail
scanners follow links). Without an address the grant is refused naming
``channel``; an import of an already-confirmed list holds at once; with
``TRELLIS_DOUBLE_OPT_IN`` off a grant holds as before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.api import AuditEntry, Message, db, may_contact, record_consent, utcnow
from core.errors import ConfigError, ValidationError
from core.models import ConsentConfirmation, CustomerConsent
from core.testing.pages import untranslated

GRANT = {"channel": "email", "purpose": "marketing", "status": "granted", "source": "form"}
LINK = re.compile(r"(?:https?://[^/\s]+)?(/consent/confirm/[A-Za-z0-9_-]+)\?lang=(\w+)")


def grant_through_the_api(as_user, rep, customer):
    answer = as_user(rep).post(f"/api/v1/customers/{customer.id}/consents", json=GRANT)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def confirmation_mail(customer) -> Message:
    return db.session.scalars(
        select(Message)
        .where(Message.customer_id == customer.id, Message.purpose == "consent")
        .order_by(Message.id.desc())
    ).first()


def link_of(message: Message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def statuses(customer) -> list[str]:
    return list(
        db.session.scalars(
            select(CustomerConsent.status)
            .where(CustomerConsent.customer_id == customer.id)
            .order_by(CustomerConsent.id)
        )
    )


@pytest.fixture
def rep(make_user):
    return make_user(role="sales")


@pytest.fixture
def pending(as_user, rep, make_customer):
    """A customer whose marketing e-mail grant awaits confirmation, and its link."""
    customer = make_customer(owner_id=rep.id, emails=["Ann@Example.com"])
    grant_through_the_api(as_user, rep, customer)
    return customer, link_of(confirmation_mail(customer))


def test_a_grant_is_pending_and_mails_a_link_and_no_sender_may_use_it(as_user, rep, make_customer):
    customer = make_customer(owner_id=rep.id, emails=["Ann@Example.com"])
    answer = grant_through_the_api(as_user, rep, customer)
    assert answer["status"] == "pending"
    assert may_contact([customer.id], "email", "marketing") == set()
    mail = confirmation_mail(customer)
    assert mail.channel == "email" and mail.to == "ann@example.com"
    assert link_of(mail).startswith("/consent/confirm/")
    assert LINK.search(mail.body).group(2) == "en"  # the site's language: no customer language
    kept = db.session.scalar(select(ConsentConfirmation))
    token = link_of(mail).rsplit("/", 1)[1]
    assert kept.email == "ann@example.com" and token not in kept.token_hash
    listed = as_user(rep).get(f"/api/v1/customers/{customer.id}/consents").get_json()
    assert [row["status"] for row in listed] == ["pending"]


def test_the_primary_contacts_address_is_used_when_the_customer_has_none(
    rep, make_customer, make_contact
):
    customer = make_customer(owner_id=rep.id)
    make_contact(customer, name="Other", emails=["other@example.com"])
    make_contact(customer, name="Main", emails=["main@example.com"], is_primary=True)
    record_consent(customer, GRANT, rep)
    assert confirmation_mail(customer).to == "main@example.com"


def test_opening_the_link_shows_the_button_and_changes_nothing(client, pending):
    customer, link = pending
    page = client.get(link)
    assert page.status_code == 200
    assert re.search(r'<form method="post"[^>]*>\s*<div class="buttons"><button', page.text)
    assert "ann@example.com" in page.text
    assert statuses(customer) == ["pending"]
    assert db.session.scalar(select(ConsentConfirmation.used_at)) is None


def test_the_click_confirms_with_the_address_and_ip_as_proof(client, pending):
    customer, link = pending
    page = client.post(link)
    assert page.status_code == 200 and "ann@example.com is confirmed" in page.text
    db.session.expire_all()
    latest = db.session.scalars(select(CustomerConsent).order_by(CustomerConsent.id.desc())).first()
    assert (latest.status, latest.source) == ("granted", "email_link")
    assert "ann@example.com" in latest.note and "127.0.0.1" in latest.note
    assert latest.recorded_by_id is None
    assert may_contact([customer.id], "email", "marketing") == {customer.id}
    assert db.session.scalar(select(ConsentConfirmation.used_at)) is not None


def test_a_second_click_finds_the_link_used_and_changes_nothing(client, pending):
    customer, link = pending
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 410 and "already used" in again.text
    assert client.get(link).status_code == 410
    assert statuses(customer) == ["pending", "granted"]


def test_a_forged_token_is_a_404_and_an_expired_one_a_410(client, pending):
    customer, link = pending
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    assert client.post("/consent/confirm/" + "x" * 200).status_code == 404
    db.session.execute(
        update(ConsentConfirmation).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    expired = client.post(link)
    assert expired.status_code == 410 and "expired" in expired.text
    assert statuses(customer) == ["pending"]
    assert may_contact([customer.id], "email", "marketing") == set()


def test_a_withdrawal_while_pending_holds_and_voids_the_link(client, rep, pending):
    customer, link = pending
    record_consent(customer, {**GRANT, "status": "withdrawn"}, rep)
    assert may_contact([customer.id], "email", "marketing") == set()
    assert client.get(link).status_code == 410
    assert client.post(link).status_code == 410
    assert statuses(customer) == ["pending", "withdrawn"]
    assert may_contact([customer.id], "email", "marketing") == set()


def test_without_an_address_the_grant_is_refused_naming_the_field(as_user, rep, make_customer):
    customer = make_customer(owner_id=rep.id, phones=["+8613800138000"])
    answer = as_user(rep).post(f"/api/v1/customers/{customer.id}/consents", json=GRANT)
    assert answer.status_code == 422
    assert "channel" in answer.get_json()["errors"]
    assert db.session.scalar(select(func.count(CustomerConsent.id))) == 0
    assert db.session.scalar(select(func.count(Message.id))) == 0
    with pytest.raises(ValidationError) as caught:
        record_consent(customer, GRANT, rep)
    assert list(caught.value.errors) == ["channel"]


def test_other_grants_and_withdrawals_hold_at_once(rep, make_customer):
    customer = make_customer(owner_id=rep.id, emails=["ann@example.com"])
    record_consent(customer, {**GRANT, "channel": "sms"}, rep)
    record_consent(customer, {**GRANT, "purpose": "service", "status": "withdrawn"}, rep)
    record_consent(customer, {**GRANT, "purpose": "research"}, rep)
    assert may_contact([customer.id], "sms", "marketing") == {customer.id}
    assert may_contact([customer.id], "email", "research") == {customer.id}
    assert may_contact([customer.id], "email", "service") == set()
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_an_already_confirmed_import_holds_at_once_and_sends_nothing(rep, make_customer):
    customer = make_customer(owner_id=rep.id)  # no address needed: confirmed elsewhere
    row = record_consent(customer, GRANT, rep, already_confirmed=True)
    assert (row.status, row.source) == ("granted", "import")
    assert may_contact([customer.id], "email", "marketing") == {customer.id}
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_the_api_and_the_form_cannot_claim_a_confirmation(as_user, rep, make_customer):
    customer = make_customer(owner_id=rep.id, emails=["ann@example.com"])
    api = as_user(rep)
    for change in ({"status": "pending"}, {"source": "email_link"}):
        answer = api.post(f"/api/v1/customers/{customer.id}/consents", json={**GRANT, **change})
        assert answer.status_code == 422 and list(change) == list(answer.get_json()["errors"])
    imported = api.post(
        f"/api/v1/customers/{customer.id}/consents", json={**GRANT, "source": "import"}
    )
    assert imported.get_json()["status"] == "pending"


def test_repeating_a_confirmed_grant_needs_no_new_confirmation(client, rep, pending):
    customer, link = pending
    client.post(link)
    row = record_consent(customer, GRANT, rep)
    assert row.status == "granted"
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_with_the_setting_off_a_grant_holds_as_before(make_app, make_customer, rep):
    make_app(TRELLIS_DOUBLE_OPT_IN="false")
    customer = make_customer(owner_id=rep.id)
    assert record_consent(customer, GRANT, rep).status == "granted"
    assert may_contact([customer.id], "email", "marketing") == {customer.id}
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_a_wrong_setting_is_named():
    from core.config import load_settings

    with pytest.raises(ConfigError, match="TRELLIS_DOUBLE_OPT_IN"):
        load_settings({"TRELLIS_DOUBLE_OPT_IN": "perhaps"})
    assert load_settings({"TRELLIS_DOUBLE_OPT_IN": "off"})["TRELLIS_DOUBLE_OPT_IN"] is False
    assert load_settings({})["TRELLIS_DOUBLE_OPT_IN"] is True


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_tab_shows_the_request_and_sends_it_again_not_too_often(login_as, rep, pending):
    customer, _link = pending
    client = login_as(rep)
    tab = client.get(f"/customers/{customer.id}/tab/consent").text
    assert "Awaiting confirmation" in tab and "request sent to ann@example.com" in tab
    assert "Send the confirmation again" in tab
    form = {
        "csrf_token": csrf(client, f"/customers/{customer.id}?tab=consent"),
        "channel": "email",
        "purpose": "marketing",
    }
    path = f"/customers/{customer.id}/consents/confirmation"
    refused = client.post(path, data=form, follow_redirects=True)
    assert 'class="flash error"' in refused.text
    assert db.session.scalar(select(func.count(Message.id))) == 1
    db.session.execute(update(ConsentConfirmation).values(sent_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    sent = client.post(path, data=form, follow_redirects=True)
    assert "The confirmation was sent again to ann@example.com." in sent.text
    assert db.session.scalar(select(func.count(Message.id))) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consent_confirmation"))
    assert entry is not None and entry.entity_id == customer.id and entry.user_id == rep.id


def test_both_links_work_until_one_confirms(client, as_user, rep, pending):
    customer, first = pending
    db.session.execute(update(ConsentConfirmation).values(sent_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    api = as_user(rep)
    answer = api.post(f"/api/v1/customers/{customer.id}/consents/confirmation", json={})
    assert answer.status_code == 201 and answer.get_json()["email"] == "ann@example.com"
    second = link_of(confirmation_mail(customer))
    assert second != first
    again = api.post(f"/api/v1/customers/{customer.id}/consents/confirmation", json={})
    assert again.status_code == 409
    assert client.post(first).status_code == 200
    assert client.get(second).status_code == 410
    nothing = api.post(f"/api/v1/customers/{customer.id}/consents/confirmation", json={})
    assert nothing.status_code == 409  # nothing awaits confirmation any more


def test_the_chinese_page_is_all_chinese(client, pending):
    _customer, link = pending
    page = client.get(f"{link}?lang=zh_CN")
    assert page.status_code == 200 and 'lang="zh' in page.text
    assert untranslated(page.text, "zh_CN") == []
    gone = client.get(f"{link[:-4]}zzzz?lang=zh_CN")
    assert gone.status_code == 404 and untranslated(gone.text, "zh_CN") == []


def test_purge_takes_the_confirmations_with_the_customer(pending):
    from core.services.customers import delete_customer, purge_customer

    customer, _link = pending
    delete_customer(customer, None)
    purge_customer(customer, None)
    assert db.session.scalar(select(func.count(ConsentConfirmation.id))) == 0


def test_the_mail_speaks_the_customers_language(rep, make_customer):
    from core.models import CustomFieldDefinition

    language = CustomFieldDefinition(
        entity="customer", key="language", label="Language", type="choice", options=["en", "zh_CN"]
    )
    db.session.add(language)
    db.session.commit()
    customer = make_customer(
        owner_id=rep.id, emails=["li@example.com"], custom_fields={"language": "zh_CN"}
    )
    record_consent(customer, GRANT, rep)
    assert LINK.search(confirmation_mail(customer).body).group(2) == "zh_CN"


def test_the_demo_leaves_customers_who_may_get_marketing_email(load_demo_as_admin):
    from core.models import Customer

    load_demo_as_admin("en")
    ids = list(db.session.scalars(select(Customer.id).where(Customer.deleted_at.is_(None))))
    reachable = may_contact(ids, "email", "marketing")
    assert reachable and len(reachable) < len(ids)
    sources = set(
        db.session.scalars(
            select(CustomerConsent.source).where(CustomerConsent.purpose == "marketing")
        )
    )
    assert "import" in sources  # recorded as already confirmed: nothing to confirm
    assert db.session.scalar(select(func.count(ConsentConfirmation.id))) == 0
