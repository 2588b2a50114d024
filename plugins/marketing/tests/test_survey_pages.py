"""The survey pages without a browser: the form saves its question rows and
refuses a wrong one naming it (nothing saved); a send shows each link once;
the public page speaks the invitation's language, takes one answer, shows a
forged link as a 404 page and a closed survey as closed; the customer's
Surveys tab; and the pages in Chinese show no English."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from core.api import db
from core.testing.pages import english_words
from plugins.marketing.models import Survey, SurveyInvitation
from plugins.marketing.services.surveys import create_survey, invite


def csrf(web, path="/marketing/surveys/new"):
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text).group(1)


def a_survey(owner, **fields):
    return create_survey({"name": "Service NPS", "kind": "nps", "channel": "link", **fields}, owner)


def a_link(survey, customer, language="en"):
    sent = invite(survey, [customer], "test", None, "link", language)
    return sent.created[0][1]


def test_the_form_saves_its_question_rows(make_user, login_as):
    web = login_as(make_user(role="manager"))
    answer = web.post(
        "/marketing/surveys",
        data={
            "csrf_token": csrf(web),
            "name": "After repair",
            "kind": "csat",
            "status": "active",
            "channel": "link",
            "q-type-0": "choice",
            "q-en-0": "Was the engineer on time?",
            "q-zh-0": "工程师准时吗？",
            "q-choices-0": "Yes | 是\nNo | 否",
            "q-required-0": "1",
            "q-type-1": "text",
            "q-en-1": "Anything else?",
            "q-zh-1": "还有其他意见吗？",
        },
    )
    assert answer.status_code == 302, answer.text
    survey = db.session.scalar(select(Survey))
    assert [q["key"] for q in survey.questions] == ["score", "q1", "q2"]
    assert survey.questions[1]["choices"] == [
        {"value": "c1", "text_en": "Yes", "text_zh_CN": "是"},
        {"value": "c2", "text_en": "No", "text_zh_CN": "否"},
    ]
    assert survey.questions[2]["required"] is False
    page = web.get(answer.headers["Location"]).text
    assert "After repair" in page and "Was the engineer on time?" in page


def test_a_wrong_row_is_shown_again_naming_it_and_nothing_is_saved(make_user, login_as):
    web = login_as(make_user(role="manager"))
    answer = web.post(
        "/marketing/surveys",
        data={
            "csrf_token": csrf(web),
            "name": "Bad",
            "kind": "custom",
            "channel": "link",
            "q-type-2": "choice",
            "q-en-2": "Pick one",
            "q-zh-2": "选一个",
            "q-choices-2": "Only | 唯一",
        },
    )
    assert answer.status_code == 422
    assert 'id="e-q-choices-2"' in answer.text
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_a_send_from_the_page_shows_each_link_once(make_user, make_customer, login_as):
    manager = make_user(role="manager")
    customer = make_customer(owner_id=manager.id, name="Acme Tea")
    survey = a_survey(manager)
    web = login_as(manager)
    path = f"/marketing/surveys/{survey.id}"
    answer = web.post(
        f"{path}/send",
        data={"csrf_token": csrf(web, path), "customer_id": str(customer.id), "channel": "link"},
    )
    assert answer.status_code == 200
    links = re.findall(r'value="(http://localhost/m/s/[^"]+)"', answer.text)
    assert len(links) == 1
    invitation = db.session.scalar(select(SurveyInvitation))
    assert links[0].rsplit("/", 1)[1] not in invitation.token_hash  # only the hash is kept
    page = web.get(path).text
    assert "Acme Tea" in page and "/m/s/" not in page


def test_the_public_page_speaks_the_invitations_language_and_takes_one_answer(
    make_user, make_customer
):
    owner = make_user(role="manager")
    survey = a_survey(owner)
    link = a_link(survey, make_customer(owner_id=owner.id), language="zh_CN")
    visitor = current_app.test_client()
    form = visitor.get(link)
    assert form.status_code == 200
    assert "您有多大可能向朋友或同事推荐我们" in form.text
    assert "How likely" not in form.text
    bad = visitor.post(link, data={"score": "12"})
    assert bad.status_code == 422 and 'id="e-score"' in bad.text
    sent = visitor.post(link, data={"score": "8"})
    assert sent.status_code == 303
    thanks = visitor.get(sent.headers["Location"]).text
    assert '<html lang="zh-CN">' in thanks and 'id="already-answered"' not in thanks
    again = visitor.post(link, data={"score": "1"})
    assert again.status_code == 409 and 'id="already-answered"' in again.text
    english = visitor.get(f"{link}?lang=en").text
    assert '<html lang="en">' in english and "Thank you" in english


def test_a_forged_link_is_a_404_page_and_a_closed_survey_says_so(make_user, make_customer):
    owner = make_user(role="manager")
    survey = a_survey(owner)
    link = a_link(survey, make_customer(owner_id=owner.id))
    visitor = current_app.test_client()
    forged = visitor.get(link[:-3] + "xyz")
    assert forged.status_code == 404 and "not valid" in forged.text
    survey.status = "closed"
    db.session.commit()
    closed = visitor.get(link)
    assert closed.status_code == 200 and "This survey is closed" in closed.text
    assert visitor.post(link, data={"score": "9"}).status_code == 409


def test_the_customer_tab_shows_the_answer_to_who_may_see_the_customer(
    make_user, make_customer, login_as
):
    owner, other = make_user(role="sales"), make_user(role="sales")
    manager = make_user(role="manager")
    customer = make_customer(owner_id=owner.id)
    link = a_link(a_survey(manager), customer)
    assert current_app.test_client().post(link, data={"score": "3"}).status_code == 303
    tab = login_as(owner).get(f"/marketing/customers/{customer.id}/surveys")
    assert tab.status_code == 200 and "Service NPS" in tab.text and "Detractor" in tab.text
    assert login_as(other).get(f"/marketing/customers/{customer.id}/surveys").status_code == 404
    detail = login_as(owner).get(f"/customers/{customer.id}").text
    assert "/tab/surveys" in detail


def own_part(html: str) -> str:
    """A page's main part (the whole of a tab, which has no menu)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    return found.group(0) if found else html


def test_the_survey_pages_in_chinese_show_no_english(make_user, make_customer, login_as):
    manager = make_user(role="manager", locale="zh_CN", name="王经理")
    customer = make_customer(owner_id=manager.id, name="茶叶公司")
    survey = a_survey(manager, name="售后满意度")
    link = a_link(survey, customer, language="zh_CN")
    current_app.test_client().post(link, data={"score": "2"})
    web = login_as(manager)
    pages = [
        "/marketing/surveys",
        "/marketing/surveys/new",
        f"/marketing/surveys/{survey.id}",
        f"/marketing/surveys/{survey.id}/edit",
        f"/marketing/customers/{customer.id}/surveys",
    ]
    for path in pages:
        page = web.get(path)
        assert page.status_code == 200, path
        # the page's own part: the menu around it is every plugin's
        assert english_words(own_part(page.text)) == set(), path
    visitor = current_app.test_client()  # a forged link's page speaks the browser's language
    chinese = {"Accept-Language": "zh-CN"}
    for path, headers in ((link, {}), (link[:-3] + "xyz", chinese)):
        page = visitor.get(path, headers=headers).text
        assert english_words(page) <= {"English"}, path  # the language switch names itself
