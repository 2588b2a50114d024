"""Sending a campaign through a real local SMTP server (aiosmtpd): who gets
it (consent, suppression, one message per address, the owner's scope), what
it says (merge fields, unsubscribe headers, tracked links), and that no
address is mailed twice when the server goes away mid-campaign, refuses
connections, or a worker dies with a message in flight."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.api import create_team, db, utcnow
from plugins.marketing.models import Campaign, Recipient, Suppression
from plugins.marketing.services.campaigns import sending

from .smtp import campaign_of, consenting, mail_app, smtp_server  # noqa: F401

API = "/api/v1/marketing"
LEADS = [{"field": "stage", "op": "is", "value": "lead"}]


def _statuses(campaign_id: int) -> dict[str, str]:
    rows = db.session.execute(
        select(Recipient.email, Recipient.status).where(Recipient.campaign_id == campaign_id)
    )
    return dict(rows.all())


def test_only_consenting_unsuppressed_members_get_it_once_each(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    make_contact,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager", name="Mona Manager")
    own = {"owner_id": manager.id, "stage": "lead"}
    consenting(make_customer(name="Ann", emails=["Ann@Example.com"], **own))
    make_customer(name="Bob", emails=["bob@example.com"], **own)  # never agreed
    withdrew = consenting(make_customer(name="Cid", emails=["cid@example.com"], **own))
    consenting(withdrew, "withdrawn")
    consenting(make_customer(name="Dee", emails=["dee@example.com"], **own))
    erin = consenting(make_customer(name="Erin Ltd", **own))
    make_contact(erin, name="Erin", emails=["erin@example.com"], is_primary=True)
    consenting(make_customer(name="Ann again", emails=["ann@example.com"], **own))
    consenting(make_customer(name="No address", **own))
    consenting(
        make_customer(
            name="Not a lead", emails=["x@example.com"], owner_id=manager.id, stage="customer"
        )
    )
    api = as_user(manager)
    suppressed = api.post(f"{API}/unsubscribe", json={"email": "DEE@example.com"})
    assert suppressed.status_code == 200, suppressed.json
    campaign = campaign_of(api, LEADS)
    started = api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert started.status_code == 200, started.json

    assert sorted(smtp_server.to()) == ["ann@example.com", "erin@example.com"]
    assert _statuses(campaign["id"]) == {"ann@example.com": "sent", "erin@example.com": "sent"}
    assert db.session.get(Campaign, campaign["id"]).status == "sent"
    erins = next(m for m in smtp_server.messages if m["To"] == "erin@example.com")
    assert erins["Subject"] == "Hello Erin Ltd"
    html = erins.get_body(("html",)).get_content()
    assert "Dear Erin," in html and "Mona Manager" in html
    assert "/m/c/" in html and "/m/o/" in html  # a tracked link and the pixel
    assert erins["List-Unsubscribe"].startswith("<http://localhost/m/u/")
    assert erins["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = erins.get_body(("plain",)).get_content()
    assert "our offer (https://shop.example.com/spring)" in text
    results = api.get(f"{API}/campaigns/{campaign['id']}/results").json
    assert results["recipients"] == 2 and results["by_status"]["sent"] == 2
    # sending again is refused: the campaign is done, nobody is mailed twice
    assert api.post(f"{API}/campaigns/{campaign['id']}/send").status_code == 409
    assert len(smtp_server.messages) == 2


def test_a_reps_campaign_reaches_only_the_reps_customers(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    team = create_team("East", None)
    rep, other = make_user(role="sales", team=team), make_user(role="sales", team=team)
    manager = make_user(role="manager", team=team)
    consenting(
        make_customer(name="Mine", emails=["mine@example.com"], owner_id=rep.id, team_id=team.id)
    )
    consenting(
        make_customer(
            name="Theirs", emails=["theirs@example.com"], owner_id=other.id, team_id=team.id
        )
    )
    campaign = campaign_of(as_user(rep), [])  # every customer the rep may see
    assert as_user(rep).post(f"{API}/campaigns/{campaign['id']}/send").status_code == 403
    assert as_user(other).get(f"{API}/campaigns/{campaign['id']}").status_code == 404
    assert as_user(manager).post(f"{API}/campaigns/{campaign['id']}/send").status_code == 200
    assert smtp_server.to() == ["mine@example.com"]


def test_a_bounce_suppresses_the_address_and_the_rest_go_on(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    for name in ("a", "b", "c"):
        consenting(make_customer(name=name, emails=[f"{name}@example.com"], owner_id=manager.id))
    smtp_server.bounce = {"b@example.com"}
    api = as_user(manager)
    campaign = campaign_of(api, [])
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    assert sorted(smtp_server.to()) == ["a@example.com", "c@example.com"]
    assert _statuses(campaign["id"])["b@example.com"] == "bounced"
    assert (
        db.session.scalar(select(Suppression.reason).where(Suppression.email == "b@example.com"))
        == "bounced"
    )
    # the next campaign leaves the bounced address out from the start
    again = campaign_of(api, [])
    api.post(f"{API}/campaigns/{again['id']}/send")
    assert "b@example.com" not in _statuses(again["id"])


def test_a_server_going_away_mid_campaign_loses_nothing_and_sends_nothing_twice(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    addresses = [f"r{n:02d}@example.com" for n in range(12)]
    for address in addresses:
        consenting(make_customer(name=address, emails=[address], owner_id=manager.id))
    api = as_user(manager)
    campaign = campaign_of(api, [])
    smtp_server.defer_after = 5  # the server answers 421 from the sixth message on
    api.post(f"{API}/campaigns/{campaign['id']}/send")
    found = db.session.get(Campaign, campaign["id"])
    assert found.status == "sending" and "421" in (found.last_error or "")
    assert len(smtp_server.messages) == 5
    assert sorted(_statuses(campaign["id"]).values()) == ["queued"] * 7 + ["sent"] * 5

    smtp_server.stop()  # down altogether: the run stops at once, nothing changes
    assert "stopped" in sending.run(campaign["id"])
    assert list(_statuses(campaign["id"]).values()).count("queued") == 7

    smtp_server.defer_after = None
    smtp_server.start()  # back: the next run resumes where the first stopped
    assert sending.run_sending().startswith("0 started")
    assert sorted(smtp_server.to()) == addresses  # each once
    db.session.expire_all()
    assert db.session.get(Campaign, campaign["id"]).status == "sent"


def test_a_message_in_flight_when_a_worker_died_is_not_sent_again(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    for name in ("a", "b"):
        consenting(make_customer(name=name, emails=[f"{name}@example.com"], owner_id=manager.id))
    api = as_user(manager)
    campaign = campaign_of(api, [])
    found = db.session.get(Campaign, campaign["id"])
    sending.start(found)  # recipients decided, no run yet
    # a worker claimed a@ and died before marking it: it may have gone out
    db.session.execute(
        Recipient.__table__.update()
        .where(Recipient.email == "a@example.com")
        .values(status="sending", claimed_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    sending.run(found.id)
    assert smtp_server.to() == ["b@example.com"]
    assert db.session.get(Campaign, found.id).status == "sending"  # a@ still in doubt
    db.session.execute(
        Recipient.__table__.update()
        .where(Recipient.email == "a@example.com")
        .values(claimed_at=utcnow() - sending.INTERRUPTED_AFTER - timedelta(minutes=1))
    )
    db.session.commit()
    sending.run(found.id)
    assert smtp_server.to() == ["b@example.com"]  # never resent
    assert _statuses(found.id)["a@example.com"] == "failed"
    db.session.expire_all()
    assert db.session.get(Campaign, found.id).status == "sent"
    count = db.session.scalar(
        select(func.count(Recipient.id)).where(Recipient.campaign_id == found.id)
    )
    assert count == 2


def test_consent_withdrawn_after_the_start_is_honoured(
    mail_app,
    smtp_server,
    make_user,
    make_customer,
    as_user,  # noqa: F811
):
    manager = make_user(role="manager")
    late = consenting(make_customer(name="late", emails=["late@example.com"], owner_id=manager.id))
    consenting(make_customer(name="keen", emails=["keen@example.com"], owner_id=manager.id))
    campaign = campaign_of(as_user(manager), [])
    found = db.session.get(Campaign, campaign["id"])
    sending.start(found)
    consenting(late, "withdrawn")  # between the start and the worker's turn
    sending.run(found.id)
    assert smtp_server.to() == ["keen@example.com"]
    assert _statuses(found.id)["late@example.com"] == "skipped"
