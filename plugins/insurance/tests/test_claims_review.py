"""The review of a claim's risk warnings (plan §3.6): the queue
(``GET /claims?to_review=true``, the claims list's filter), the review
through the API and the claim's page — a note required, only an assessor,
only a claim with warnings, once (409 the second time), audited and on the
timeline; an agent's queue holds only their own claims."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, text

from core.api import Activity, db
from plugins.insurance.models import Claim

from .claim_fixtures import book, report  # noqa: F401

API = "/api/v1/insurance/claims"


def _flagged(book):  # noqa: F811
    """A claim reported 31 days after the loss: ``late_report``."""
    return report(book, book.live, loss_date=(book.day - timedelta(31)).isoformat())


def test_the_queue_and_a_review_through_the_api(book, as_user):  # noqa: F811
    plain, flagged = report(book), _flagged(book)
    assert plain.risk_count == 0 and "late_report" in flagged.risk_flags
    assessor = as_user(book.assessor)
    queue = assessor.get(f"{API}?to_review=true&sort=reported_at")
    assert [c["id"] for c in queue.json["items"]] == [flagged.id]

    empty = assessor.post(f"{API}/{flagged.id}/review", json={"note": " ", "version": 1})
    assert empty.status_code == 422 and list(empty.json["errors"]) == ["note"]
    none_to_review = assessor.post(
        f"{API}/{plain.id}/review", json={"note": "fine", "version": plain.version}
    )
    assert none_to_review.status_code == 422 and "note" in none_to_review.json["errors"]
    refused = as_user(book.ann).post(
        f"{API}/{flagged.id}/review", json={"note": "mine", "version": flagged.version}
    )
    assert refused.status_code == 403

    done = assessor.post(
        f"{API}/{flagged.id}/review",
        json={"note": "Loss confirmed by the garage's invoice.", "version": flagged.version},
    )
    assert done.status_code == 200, done.json
    assert done.json["review_note"] == "Loss confirmed by the garage's invoice."
    assert done.json["reviewed_by_id"] == book.assessor.id and done.json["reviewed_at"]
    assert assessor.get(f"{API}?to_review=true").json["items"] == []
    again = assessor.post(
        f"{API}/{flagged.id}/review", json={"note": "again", "version": done.json["version"]}
    )
    assert again.status_code == 409

    actions = db.session.scalars(
        text("SELECT action FROM audit_entry WHERE entity = 'insurance_claim' AND entity_id = :i"),
        {"i": flagged.id},
    ).all()
    assert "review" in actions
    subjects = db.session.scalars(
        select(Activity.subject).where(Activity.link_id == flagged.id)
    ).all()
    assert any("reviewed" in s for s in subjects)


def test_a_stale_version_is_refused_and_nothing_changes(book, as_user):  # noqa: F811
    flagged = _flagged(book)
    stale = as_user(book.assessor).post(
        f"{API}/{flagged.id}/review", json={"note": "late", "version": flagged.version + 5}
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Claim, flagged.id).reviewed_at is None


def test_an_agent_s_queue_holds_only_what_they_see(book, as_user):  # noqa: F811
    flagged = _flagged(book)
    theirs = report(book, book.theirs, book.bob, loss_date=(book.day - timedelta(40)).isoformat())
    assert theirs.risk_count
    mine = as_user(book.ann).get(f"{API}?to_review=true").json["items"]
    assert [c["id"] for c in mine] == [flagged.id]


def test_the_claim_page_offers_the_review_and_records_it(book, login_as):  # noqa: F811
    flagged = _flagged(book)
    client = login_as(book.assessor)
    page = client.get(f"/insurance/claims/{flagged.id}")
    assert page.status_code == 200 and 'id="review"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    url = f"/insurance/claims/{flagged.id}/review"
    refused = client.post(url, data={"csrf_token": token, "version": flagged.version, "note": ""})
    assert refused.status_code == 422 and 'id="e-review-note"' in refused.text
    done = client.post(
        url, data={"csrf_token": token, "version": flagged.version, "note": "Checked the photos."}
    )
    assert done.status_code == 302
    shown = client.get(f"/insurance/claims/{flagged.id}")
    assert "Checked the photos." in shown.text and 'id="review"' not in shown.text
    listed = client.get("/insurance/claims?to_review=1")
    assert flagged.number not in listed.text
    agent_page = login_as(book.ann).get(f"/insurance/claims/{flagged.id}")
    assert 'id="review"' not in agent_page.text  # agents do not review
