"""Phone numbers read, checked and shown by libphonenumber: stored in E.164,
shown in the national format of the instance's country and international
otherwise, with the kind of number known."""

import re

import pytest
from flask import render_template_string

from core.api import Contact, db, format_phone, normalize_phone, phone_type_label
from core.normalize import normalize_email


@pytest.fixture
def china(app):
    """An instance in China: this suite's apps are (``trellis_settings``,
    conftest.py), so it is the test's own app — a kept one, not built anew."""
    assert app.config["TRELLIS_REGION"] == "CN"
    return app


@pytest.fixture
def usa(app, make_app):
    return make_app(TRELLIS_REGION="US")


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("13800138000", "+8613800138000"),  # a mobile, as people in China type it
        ("010-12345678", "+861012345678"),  # a Beijing landline with its area code
        ("+1 (415) 555-2671", "+14155552671"),  # a foreign number with its country code
    ],
)
def test_numbers_are_read_as_the_instance_countrys(china, typed, stored):
    assert normalize_phone(typed) == stored


def test_a_us_instance_reads_numbers_without_a_code_as_american(usa):
    assert normalize_phone("(415) 555-0100") == "+14155550100"
    with pytest.raises(ValueError):
        normalize_phone("13800138000")  # an American number cannot start so
    assert normalize_phone("13800138000", region="CN") == "+8613800138000"


def test_a_number_libphonenumber_does_not_know_is_refused():
    with pytest.raises(ValueError, match="“12345” is not a valid phone number"):
        normalize_phone("12345")
    with pytest.raises(ValueError, match="extension"):
        normalize_phone("138 0013 8000 ext. 12")  # E.164 has no room for it


def test_the_api_names_the_field_of_a_bad_phone_or_e_mail(china, make_user, as_user, db):
    api = as_user(make_user(role="sales"))
    response = api.post(
        "/api/v1/customers", json={"name": "Acme", "phones": ["13800138000", "12345"]}
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"phones": ["“12345” is not a valid phone number."]}
    response = api.post("/api/v1/customers", json={"name": "Acme", "emails": ["a@b"]})
    assert response.status_code == 422
    assert response.json["errors"] == {"emails": ["“a@b” is not a valid e-mail address."]}


def test_an_e_mail_with_an_international_domain_is_kept_in_unicode():
    assert normalize_email(" Li@Bücher.Example ") == "li@bücher.example"
    assert normalize_email("li@xn--bcher-kva.example") == "li@bücher.example"  # one spelling


def test_a_number_at_home_is_shown_in_national_format_one_abroad_internationally(china):
    assert format_phone("+8613800138000") == "138 0013 8000"
    assert format_phone("+861012345678") == "010 1234 5678"
    assert format_phone("+14155552671") == "+1 415-555-2671"


def test_the_same_numbers_on_a_us_instance(usa):
    assert format_phone("+14155552671") == "(415) 555-2671"
    assert format_phone("+8613800138000") == "+86 138 0013 8000"


def test_text_that_is_not_a_number_is_shown_as_it_is(china):
    assert render_template_string("{{ 'call Mr Li'|phone }}|{{ none|phone }}") == "call Mr Li|"


@pytest.mark.parametrize(
    "number, label",
    [
        ("+8613800138000", "Mobile"),
        ("+861012345678", "Fixed line"),
        ("+14155552671", "Fixed line or mobile"),  # the US numbering plan does not tell
        ("+18002255288", "Toll free"),
        ("+864008108888", ""),  # shared cost: too rare for a word
        ("call Mr Li", ""),
    ],
)
def test_the_kind_of_number_is_known(china, number, label):
    assert phone_type_label(number) == label


def test_a_chinese_page_shows_a_contacts_phone_as_people_in_china_write_it(
    make_app, make_user, make_contact, login_as
):
    make_app(TRELLIS_LOCALE="zh_CN")  # an instance in China, by its locale
    user = make_user(role="admin", locale="zh_CN")
    contact = make_contact(phones=["+8613800138000", "+14155552671"])
    client = login_as(user)
    page = client.get(f"/contacts/{contact.id}").text
    assert re.search(r'href="tel:\+8613800138000">138 0013 8000</a> <small class="muted">', page)
    assert 'href="tel:+14155552671">+1 415-555-2671</a>' in page


def test_the_edit_form_shows_numbers_as_written_and_saves_them_unchanged(
    china, make_user, make_contact, login_as
):
    contact = make_contact(phones=["+8613800138000", "+14155552671"])
    client = login_as(make_user(role="admin"))
    edit = client.get(f"/contacts/{contact.id}/edit").text
    shown = re.search(r'name="phones"[^>]*>([^<]*)</textarea>', edit).group(1)
    assert shown == "138 0013 8000\n+1 415-555-2671"
    form = {
        key: re.search(rf'name="{key}"[^>]*value="([^"]*)"', edit).group(1)
        for key in ("csrf_token", "version", "name")
    }
    saved = client.post(f"/contacts/{contact.id}/edit", data={**form, "phones": shown})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).phones == ["+8613800138000", "+14155552671"]
