"""Household pages: the list (found by name, the user's own), a household's
page — members with their relationship, the cover grid (✓ or the gap), the
gaps with a "New quote" link when the app has the quote form — the forms
to add a member (an existing person, a new one whose ID is checked) and to
remove one, the Cross-sell page, the hint on the customer's Policies tab;
in English and in Chinese (no English left on a Chinese page but the words
still waiting for the catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from core.api import db
from core.testing.pages import english_words, untranslated
from plugins.insurance.models import Person

from .test_households import family, term  # noqa: F401

PLUGIN = Path(__file__).resolve().parents[1]
#: the files whose words these pages show
OWN_FILES = (
    *PLUGIN.glob("templates/insurance/households/*.html"),
    *PLUGIN.glob("templates/insurance/persons/*.html"),
    PLUGIN / "templates/insurance/_customer_policies.html",
    PLUGIN / "views/households.py",
    PLUGIN / "views/persons.py",
    *PLUGIN.glob("services/households/*.py"),
)


def awaiting_words() -> set[str]:
    """The English words of this slice's messages the Chinese catalogue
    does not translate yet (once it does, none may show)."""
    catalogue = PLUGIN / "translations/zh_Hans_CN/LC_MESSAGES/insurance.po"
    with catalogue.open("rb") as handle:
        done = {m.id for m in read_po(handle) if m.id and m.string}
    mine: set[str] = set()
    for path in OWN_FILES:
        found = re.findall(r"""_l?\(\s*(?:"([^"]+)"|'([^']+)')""", path.read_text(encoding="utf-8"))
        mine |= {double or single for double, single in found}
    return set(re.findall(r"[A-Za-z]{2,}", " ".join(mine - done)))


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def test_the_list_shows_the_users_households_found_by_name(login_as, family):  # noqa: F811
    client = login_as(family.ann)
    page = client.get("/insurance/households")
    assert page.status_code == 200 and "王家" in page.text and "Bob's family" not in page.text
    assert f'href="/insurance/households/{family.home.id}"' in page.text
    none = client.get("/insurance/households?q=李").text
    assert "王家" not in none and "No households match." in none
    assert "王家" in client.get("/insurance/households?q=王").text


def test_the_household_page_shows_the_grid_and_the_gaps(login_as, family):  # noqa: F811
    term(family.wang, family.ann, "P-CAR", "motor")
    term(family.wang, family.ann, "P-HEALTH", "health", [(family.son, "child")])
    client = login_as(family.ann)
    page = client.get(f"/insurance/households/{family.home.id}")
    assert page.status_code == 200
    text = page.text
    assert "Head of household" in text and "Spouse" in text and "Child" in text
    son_row = re.search(r"<tr><td class=\"name\"><a[^>]*>王小明</a>.*?</tr>", text, re.S)
    assert son_row and son_row.group(0).count("✓") == 1  # health
    head_row = re.search(r"<tr><td class=\"name\"><a[^>]*>王伟</a>.*?</tr>", text, re.S)
    assert head_row and "✓" in head_row.group(0) and "Gap" in head_row.group(0)  # motor; life
    assert (
        "Motor cover but no home cover" in text and "Head of household without life cover" in text
    )
    # the quote form exists in this app: each gap links to it for the member's file
    assert f"/insurance/quotes/new?customer_id={family.wang.id}&amp;line=property" in text
    assert client.get(f"/insurance/households/{family.theirs.id}").status_code == 404


def test_adding_and_removing_members_from_the_page(login_as, family):  # noqa: F811
    client = login_as(family.ann)
    path = f"/insurance/households/{family.home.id}"
    token = _csrf(client, path)
    assert f'<option value="{family.loose.id}">王芳</option>' in client.get(path).text
    added = client.post(f"{path}/members", data={"person_id": family.loose.id, "csrf_token": token})
    assert added.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, family.loose.id).household_id == family.home.id
    bad = client.post(
        f"{path}/members",
        data={
            "name": "王小红",
            "birth_date": "2011-01-01",
            "id_type": "cn_ric",
            "national_id": "110101201003150011",  # born 2010-03-15
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and 'id="e-national_id"' in bad.text and "王小红" in bad.text
    assert db.session.scalar(select(Person).where(Person.name == "王小红")) is None
    good = client.post(
        f"{path}/members",
        data={
            "name": "王小红",
            "birth_date": "2010-03-15",
            "id_type": "cn_ric",
            "national_id": "110101201003150011",
            "csrf_token": token,
        },
    )
    assert good.status_code == 302
    made = db.session.scalar(select(Person).where(Person.name == "王小红"))
    assert made.household_id == family.home.id and made.national_id_tail == "0011"
    removed = client.post(f"{path}/members", data={"remove": family.mother.id, "csrf_token": token})
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, family.mother.id).household_id is None
    # a member of another household is refused, said on the page
    client.post(f"{path}/members", data={"remove": family.loose.id, "csrf_token": token})
    other = client.post(
        "/insurance/households/new",
        data={"name": "王芳家", "customer_id": family.wang.id, "csrf_token": token},
    )
    assert other.status_code == 302
    client.post(f"{path}/members", data={"person_id": family.loose.id, "csrf_token": token})
    refused = client.post(
        other.headers["Location"] + "/members",
        data={"person_id": family.loose.id, "csrf_token": token},
        follow_redirects=True,
    )
    assert "already belong to another household" in refused.text


def test_the_cross_sell_page_and_the_customer_hint(login_as, family):  # noqa: F811
    term(family.wang, family.ann, "P-CAR", "motor")
    client = login_as(family.ann)
    page = client.get("/insurance/cross-sell")
    assert page.status_code == 200 and "王家" in page.text and "Bob's family" not in page.text
    assert "Motor cover but no home cover (王伟)" in page.text
    panel = client.get(f"/customers/{family.wang.id}/tab/policies")
    assert panel.status_code == 200 and "Household cover gaps" in panel.text
    assert f'href="/insurance/households/{family.home.id}"' in panel.text
    term(family.wang, family.ann, "P-HOME", "property")
    term(family.wang, family.ann, "P-LIFE", "life", [(family.head, "self")])
    for member in (family.head, family.wife, family.son, family.mother):
        term(family.wang, family.ann, f"P-ACC-{member.id}", "accident", [(member, "other")])
    calm = client.get(f"/customers/{family.wang.id}/tab/policies")
    assert "Household cover gaps" not in calm.text and "P-HOME" in calm.text


def test_the_menu_lists_households_and_cross_sell(login_as, family):  # noqa: F811
    page = login_as(family.ann).get("/insurance/households").text
    assert 'href="/insurance/cross-sell"' in page and "Households" in page


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_pages_in_both_languages(make_user, login_as, family, locale):  # noqa: F811
    term(family.wang, family.ann, "P-CAR", "motor")
    reader = make_user(role="manager", team=family.ann.team, locale=locale)
    client = login_as(reader)
    allowed = awaiting_words() | {"Bob", "Zed", "CAR"}  # the data's own names
    for path in (
        "/insurance/households",
        f"/insurance/households/{family.home.id}",
        "/insurance/cross-sell",
        f"/insurance/persons/{family.head.id}",
        "/insurance/households/new",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{locale[:2]}' in page.text
        if locale == "zh_CN":  # the page's own part (the menu is every plugin's)
            main = page.text[page.text.index("<main") : page.text.index("</main>")]
            # shown in English though a catalogue has it: only this slice's waiting words
            stray = [t for t in untranslated(main, locale) if english_words(t) - allowed]
            assert stray == [], path
            assert english_words(main) <= allowed, (path, english_words(main) - allowed)
        else:
            assert "Households" in page.text or "Household" in page.text


def test_no_quote_link_while_the_app_has_no_quote_form(login_as, family, monkeypatch):  # noqa: F811
    from plugins.insurance.views import households as pages

    monkeypatch.setattr(pages, "QUOTE_ENDPOINT", "insurance.no_such_form")
    page = login_as(family.ann).get(f"/insurance/households/{family.home.id}").text
    assert "Head of household without life cover" in page and "New quote" not in page
