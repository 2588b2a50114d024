"""Documents a claimant sends from the claim's tracking page (no account):
proven by the link's token (else a 404), one of the kinds the claim takes
(else a 422 naming ``kind``), only while the claim waits for documents
(else a 409 shown on the page); stored with no uploader, noted on the
timeline for the agent, and confirmed by kind — never by file name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from core.api import Attachment, db
from plugins.insurance.services.claims import transition

from .claim_fixtures import book as claims  # noqa: F401  (the fixture)
from .test_documents import PDF, count, upload


@pytest.fixture
def tracked(claims):  # noqa: F811
    """A claim reported on the public form: its number, token and claim."""
    from plugins.insurance.services.claims.public import report_public_claim

    claims.harbour.phones = ["+8613912345678"]
    claims.live.product.claim_documents = ["claim_form", "invoice"]
    db.session.commit()
    reported = report_public_claim(
        {
            "policy_number": "P-CL-LIVE",
            "phone": "139 1234 5678",
            "loss_date": (claims.day - timedelta(3)).isoformat(),
            "claimed_amount": "800.00",
            "description": "Hail",
        }
    )
    return reported.claim, f"/insurance/track/{reported.claim.number}", reported.token


def test_the_claimant_sends_documents_from_the_tracking_page(client, claims, tracked):  # noqa: F811
    claim, path, token = tracked
    page = client.get(f"{path}?t={token}").text
    assert '<option value="invoice">Invoices and receipts</option>' in page
    assert f'action="{path}/documents?t={token}"' in page
    sent = client.post(
        f"{path}/documents?t={token}",
        data=upload("invoice", ("bill.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#documents")
    row = db.session.scalar(select(Attachment))
    assert (row.kind, row.link_id, row.uploaded_by_id) == ("invoice", claim.id, None)
    noted = db.session.execute(
        text("SELECT owner_id, subject FROM activity WHERE link_type = 'insurance_claim'")
    ).all()
    assert (claims.ann.id, f"Claim {claim.number}: the claimant sent Invoices and receipts") in [
        tuple(r) for r in noted
    ]
    after = client.get(f"{path}?t={token}").text
    assert "Received: Invoices and receipts" in after and "bill.pdf" not in after
    needed = re.search(r'<ul class="documents-needed">(.*?)</ul>', after, re.S).group(1)
    assert "Claim form" in needed and "Invoices" not in needed


def test_the_tracking_upload_needs_the_token_a_kind_and_a_waiting_claim(
    client,
    claims,  # noqa: F811
    tracked,
):
    claim, path, token = tracked
    forged = client.post(
        f"{path}/documents?t={token[:-1]}x",
        data=upload("invoice", ("a.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert forged.status_code == 404
    wrong = client.post(
        f"{path}/documents?t={token}",
        data=upload("medical", ("a.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and 'id="e-kind"' in wrong.text
    transition(claim, "submit", claims.manager, {}, claim.version)
    late = client.post(
        f"{path}/documents?t={token}",
        data=upload("invoice", ("a.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert late.status_code == 409 and "give them to your agent" in late.text
    assert count() == 0
