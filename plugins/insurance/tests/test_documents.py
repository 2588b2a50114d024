"""Documents (单证) on claims and policies: uploaded with a kind the record
takes (a claim its product's ``claim_documents`` and ``other``; a policy
the recorded sale, the proposal form, an identity copy, ``other``), listed
and filtered by kind, downloaded through core (audited on the record),
deleted — through the API and the pages, by who may edit the record; a
record out of scope is a 404 whatever the route. Two guards read them: a
quote of a product needing the recorded sale (双录) is not bound without
one, and a claim waiting for documents is not submitted until it holds
every kind its product asks for — both refused by field, nothing changed."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select, text
from werkzeug.datastructures import FileStorage

from core.api import Attachment, ValidationError, db
from plugins.insurance.models import Claim, InsuranceProduct, Policy
from plugins.insurance.services.claims import transition
from plugins.insurance.services.documents import add_documents, documents_of

from .claim_fixtures import book as claims  # noqa: F401  (the fixture)
from .claim_fixtures import claim_in
from .policy_fixtures import API, make_quote, move
from .policy_fixtures import book as quotes  # noqa: F401  (the fixture)
from .test_demo import demo  # noqa: F401  (the fixture)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x03" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 40


def upload(kind: str | None, *parts) -> dict:
    data: dict = {"file": [(io.BytesIO(body), name) for name, body in parts]}
    if kind is not None:
        data["kind"] = kind
    return data


def pdf(name: str = "scan.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment)) or 0


def downloads() -> list[tuple[int, int]]:
    """``(entity_id, user_id)`` of the downloads audited on claims, oldest first."""
    rows = db.session.execute(
        text(
            "SELECT entity_id, user_id FROM audit_entry WHERE entity = 'insurance_claim'"
            " AND action = 'download' ORDER BY id"
        )
    )
    return [(entity_id, user_id) for entity_id, user_id in rows]


def csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


@pytest.fixture
def waiting(claims):  # noqa: F811
    """A claim of Ann's waiting for documents; its product asks for the
    claim form and the invoices."""
    claims.live.product.claim_documents = ["claim_form", "invoice"]
    db.session.commit()
    return claim_in(claims, "documents_pending")


# -- claims: the API ----------------------------------------------------------


def test_an_agent_uploads_lists_filters_downloads_and_deletes_a_claims_documents(
    as_user,
    claims,  # noqa: F811
    waiting,
):
    api = as_user(claims.ann)
    url = f"{API}/claims/{waiting.id}/documents"
    sent = api.post(
        url,
        data=upload("invoice", ("bill", PDF), ("receipt.png", PNG)),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert [(f["filename"], f["kind"]) for f in sent.json] == [
        ("bill.pdf", "invoice"),
        ("receipt.png", "invoice"),
    ]
    [form] = api.post(
        url, data=upload("claim_form", ("form.pdf", PDF)), content_type="multipart/form-data"
    ).json
    assert [f["kind"] for f in api.get(url).json] == ["invoice", "invoice", "claim_form"]
    assert [f["id"] for f in api.get(f"{url}?kind=claim_form").json] == [form["id"]]
    assert api.get(f"{url}?kind=other").json == []

    got = api.get(form["url"])
    assert got.status_code == 200 and got.data == PDF
    assert downloads() == [(waiting.id, claims.ann.id)]

    assert api.delete(f"{url}/{form['id']}").status_code == 204
    assert api.delete(f"{url}/{form['id']}").status_code == 404
    assert [f["kind"] for f in api.get(url).json] == ["invoice", "invoice"]
    assert api.get(form["url"]).status_code == 404


@pytest.mark.parametrize(
    "kind, words",
    [("police_report", "claim_form, invoice, other"), (None, "Choose what the file is")],
)
def test_a_kind_the_claim_does_not_take_is_a_422_naming_kind(
    as_user,
    claims,  # noqa: F811
    waiting,
    kind,
    words,
):
    answer = as_user(claims.ann).post(
        f"{API}/claims/{waiting.id}/documents",
        data=upload(kind, ("report.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["kind"]
    assert words in " ".join(answer.json["errors"]["kind"])
    assert count() == 0


def test_another_agents_claim_and_its_documents_are_a_404(as_user, claims, waiting):  # noqa: F811
    [row] = add_documents(waiting, "invoice", [pdf()], claims.ann)
    bob = as_user(claims.bob)
    url = f"{API}/claims/{waiting.id}/documents"
    assert bob.get(url).status_code == 404
    sent = bob.post(url, data=upload("invoice", ("x.pdf", PDF)), content_type="multipart/form-data")
    assert sent.status_code == 404
    assert bob.delete(f"{url}/{row.id}").status_code == 404
    assert bob.get(f"/api/v1/attachments/{row.id}").status_code == 404
    assert count() == 1
    assert downloads() == []


def test_a_document_of_another_claim_cannot_be_deleted_through_this_one(
    as_user,
    claims,  # noqa: F811
    waiting,
):
    other = claim_in(claims, "reported")
    [row] = add_documents(waiting, "invoice", [pdf()], claims.ann)
    answer = as_user(claims.ann).delete(f"{API}/claims/{other.id}/documents/{row.id}")
    assert answer.status_code == 404 and count() == 1


# -- claims: the guard --------------------------------------------------------


def test_a_claim_waiting_for_documents_is_submitted_only_with_every_kind(claims, waiting):  # noqa: F811
    version = waiting.version
    with pytest.raises(ValidationError) as refused:
        transition(waiting, "submit", claims.ann, {}, version)
    assert refused.value.errors == {
        "documents": ["still missing: Claim form, Invoices and receipts"]
    }
    db.session.rollback()
    add_documents(waiting, "invoice", [pdf("bill.pdf")], claims.ann)
    add_documents(waiting, "other", [pdf("letter.pdf")], claims.ann)  # not a kind it asks for
    with pytest.raises(ValidationError) as still:
        transition(waiting, "submit", claims.ann, {}, version)
    assert still.value.errors == {"documents": ["still missing: Claim form"]}
    db.session.rollback()
    again = db.session.get(Claim, waiting.id)
    assert (again.status, again.version) == ("documents_pending", version)
    add_documents(again, "claim_form", [pdf("form.pdf")], claims.ann)
    assert transition(again, "submit", claims.ann, {}, version).status == "submitted"


def test_the_api_refuses_the_submission_naming_the_field(as_user, claims, waiting):  # noqa: F811
    api = as_user(claims.ann)
    body = {"action": "submit", "version": waiting.version}
    answer = api.post(f"{API}/claims/{waiting.id}/transitions", json=body)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["documents"]
    db.session.expire_all()
    assert db.session.get(Claim, waiting.id).status == "documents_pending"


def test_a_claim_just_reported_is_submitted_without_waiting(claims):  # noqa: F811
    claims.live.product.claim_documents = ["claim_form"]
    db.session.commit()
    claim = claim_in(claims, "submitted")  # reported → submitted: no documents asked yet
    assert claim.status == "submitted"


# -- policies: the API and the bind guard -------------------------------------


def test_a_quote_needing_the_recorded_sale_is_bound_only_with_one(as_user, quotes):  # noqa: F811
    quotes.motor.recorded_sale_required = True
    db.session.commit()
    quote = make_quote(quotes)
    api = as_user(quotes.ann)
    version = quote.version
    refused = move(api, quote, "bind")
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["documents"]
    db.session.expire_all()
    again = db.session.get(Policy, quote.id)
    assert (again.status, again.version, again.bound_at) == ("quoted", version, None)

    url = f"{API}/policies/{quote.id}/documents"
    proposal = api.post(
        url, data=upload("proposal_form", ("form.pdf", PDF)), content_type="multipart/form-data"
    )
    assert proposal.status_code == 201
    assert move(api, again, "bind").status_code == 422  # a proposal form is no recording
    sent = api.post(
        url,
        data=upload("recorded_sale", ("recording.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201 and sent.json[0]["kind"] == "recorded_sale"
    bound = move(api, again, "bind")
    assert bound.status_code == 200, bound.json
    assert bound.json["status"] == "bound"


def test_a_product_without_the_requirement_binds_as_before(as_user, quotes):  # noqa: F811
    quote = make_quote(quotes)
    assert move(as_user(quotes.ann), quote, "bind").status_code == 200


@pytest.mark.parametrize("kind", ["invoice", "passport", None])
def test_a_policy_takes_only_its_kinds(as_user, quotes, kind):  # noqa: F811
    quote = make_quote(quotes)
    answer = as_user(quotes.ann).post(
        f"{API}/policies/{quote.id}/documents",
        data=upload(kind, ("x.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["kind"]
    assert count() == 0


def test_another_agents_policy_documents_are_a_404(as_user, quotes):  # noqa: F811
    quote = make_quote(quotes)
    [row] = add_documents(quote, "id_copy", [pdf()], quotes.ann)
    bob = as_user(quotes.bob)
    url = f"{API}/policies/{quote.id}/documents"
    assert bob.get(url).status_code == 404
    assert bob.delete(f"{url}/{row.id}").status_code == 404
    assert bob.get(f"/api/v1/attachments/{row.id}").status_code == 404
    mine = as_user(quotes.ann).get(url).json
    assert [(f["id"], f["kind"]) for f in mine] == [(row.id, "id_copy")]


def test_who_may_not_edit_policies_adds_no_documents(as_user, quotes, make_user):  # noqa: F811
    quote = make_quote(quotes)
    assessor = make_user(role="claims_assessor")
    answer = as_user(assessor).post(
        f"{API}/policies/{quote.id}/documents",
        data=upload("id_copy", ("x.pdf", PDF)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 403 and count() == 0


# -- the pages ----------------------------------------------------------------


def test_the_claim_page_lists_uploads_and_deletes_documents_by_kind(
    login_as,
    claims,  # noqa: F811
    waiting,
):
    client = login_as(claims.ann)
    path = f"/insurance/claims/{waiting.id}"
    page = client.get(path).text
    assert 'id="documents"' in page and 'name="kind"' in page
    assert '<option value="claim_form">Claim form</option>' in page
    assert '<option value="police_report">' not in page  # not a kind this product asks for
    assert "Still missing: Claim form, Invoices and receipts" in page
    sent = client.post(
        f"{path}/documents",
        data={"csrf_token": csrf(client, path), **upload("invoice", ("bill.pdf", PDF))},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#documents")
    row = db.session.scalar(select(Attachment))
    assert (row.kind, row.link_type, row.link_id) == ("invoice", "insurance_claim", waiting.id)
    shown = client.get(path).text
    assert "bill.pdf" in shown and "Invoices and receipts</span>" in shown
    assert "Still missing: Claim form<" in shown
    assert f"/attachments/{row.id}" in shown and f"{path}/documents/{row.id}/delete" in shown
    bad = client.post(
        f"{path}/documents",
        data={"csrf_token": csrf(client, path), **upload("medical", ("m.pdf", PDF))},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Must be one of" in bad.text and count() == 1
    gone = client.post(f"{path}/documents/{row.id}/delete", data={"csrf_token": csrf(client, path)})
    assert gone.status_code == 302 and count() == 0


def test_the_quote_page_says_the_recording_is_missing_until_it_is_attached(
    login_as,
    quotes,  # noqa: F811
):
    quotes.motor.recorded_sale_required = True
    db.session.commit()
    quote = make_quote(quotes)
    client = login_as(quotes.ann)
    path = f"/insurance/policies/{quote.id}"
    page = client.get(path).text
    assert 'id="documents"' in page and "Still missing: Recording of the sale" in page
    assert '<option value="proposal_form">Proposal form</option>' in page
    client.post(
        f"{path}/documents",
        data={"csrf_token": csrf(client, path), **upload("recorded_sale", ("rec.pdf", PDF))},
        content_type="multipart/form-data",
    )
    shown = client.get(path).text
    assert "rec.pdf" in shown and "Still missing" not in shown


# -- the demo -----------------------------------------------------------------


def test_the_demos_life_quotes_carry_their_recording_and_its_claims_their_documents(demo):  # noqa: F811
    demo("en")
    life = db.session.scalar(select(InsuranceProduct).where(InsuranceProduct.line == "life"))
    assert life is not None and life.recorded_sale_required
    policies = db.session.scalars(select(Policy).where(Policy.product_id == life.id)).all()
    assert policies and all(p.status != "quoted" for p in policies)
    for policy in policies:
        assert [a.kind for a in documents_of(policy)] == ["recorded_sale"], policy.id
    claims = db.session.scalars(select(Claim).order_by(Claim.id)).all()
    assert sorted(c.status for c in claims) == ["assessing", "paid"]
    for claim in claims:
        asked = claim.policy.product.claim_documents
        assert asked and sorted(a.kind for a in documents_of(claim)) == sorted(asked)
        assert all(a.filename.endswith(".pdf") and a.size > 0 for a in documents_of(claim))
