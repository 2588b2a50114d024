"""Reports → Survey results: every survey's invitations, answers, answer
rate and NPS/CSAT over a period, and NPS per account manager, against
figures worked out by hand, through each user's scope; both locales."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.api import db, utcnow
from plugins.marketing.models import SurveyInvitation, SurveyResponse

from .test_survey_api import links_for, new_survey, public_answer, team_of_two


@pytest.fixture
def answered(make_user, make_customer, as_user):
    """An NPS survey: the rep's customers answer 10, 9 and 3, the manager's
    10 and 2, and one of the rep's was invited 400 days ago and answered
    then (2: outside a year's period). A CSAT survey: the manager's customer
    answers 4, another never answers.

    By hand, over the last year — NPS: 5 invitations in the period (the
    old one is not), 5 answers, rate 1.0; promoters 3 (10, 9, 10),
    detractors 2 (3, 2): NPS (3 − 2) / 5 = 20.0.
    CSAT: 2 invitations, 1 answer, rate 0.5, CSAT 4.0. Per account manager
    (NPS only): the rep 3 answers, 2 promoters, 1 detractor → 33.3; the
    manager 2 answers, 1 and 1 → 0.0. The rep alone sees only the rep's:
    NPS 3 invitations, 3 answers, 33.3.
    """
    manager, rep = team_of_two(make_user)
    api = as_user(manager)
    nps = new_survey(api, name="After sales")
    csat = new_survey(api, name="Delivery", kind="csat")
    scores = [(rep, 10), (rep, 9), (rep, 3), (manager, 10), (manager, 2), (rep, 2)]
    customers = [make_customer(owner_id=owner.id) for owner, _ in scores]
    links = links_for(api, nps["id"], customers)
    for customer, (_owner, score) in zip(customers, scores, strict=True):
        assert public_answer(links[customer.id], {"score": score}).status_code == 201
    old = customers[-1].id
    long_ago = utcnow() - timedelta(days=400)
    db.session.execute(
        update(SurveyInvitation).where(SurveyInvitation.customer_id == old).values(sent_at=long_ago)
    )
    db.session.execute(
        update(SurveyResponse).where(SurveyResponse.customer_id == old).values(answered_at=long_ago)
    )
    db.session.commit()
    pair = [make_customer(owner_id=manager.id), make_customer(owner_id=manager.id)]
    csat_links = links_for(api, csat["id"], pair)
    assert public_answer(csat_links[pair[0].id], {"score": 4}).status_code == 201
    return {"manager": manager, "rep": rep, "nps": nps, "csat": csat}


def _cells(html: str, marker: str) -> list[str]:
    row = html.split(marker, 1)[1].split("</tr>", 1)[0]
    return [cell.strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


def _owner_rows(html: str) -> dict[str, list[str]]:
    body = html.split('id="survey-owners"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = {}
    for row in body.split("</tr>")[:-1]:
        name = re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1).strip()
        rows[name] = [c.strip() for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]
    return rows


def test_the_figures_of_each_survey_and_account_manager(answered, login_as):
    page = login_as(answered["manager"]).get("/marketing/reports/surveys")
    assert page.status_code == 200
    html = page.text
    nps = _cells(html, f'data-survey="{answered["nps"]["id"]}"')
    assert nps == ["5", "5", "100.0%", "20", "2"]
    csat = _cells(html, f'data-survey="{answered["csat"]["id"]}"')
    assert csat == ["2", "1", "50.0%", "4", "—"]
    rows = _owner_rows(html)
    assert rows[answered["rep"].name][:2] == ["3", "33.3"]
    assert rows[answered["manager"].name][:2] == ["2", "0"]


def test_a_rep_sees_only_their_customers_answers(answered, login_as):
    html = login_as(answered["rep"]).get("/marketing/reports/surveys").text
    nps = _cells(html, f'data-survey="{answered["nps"]["id"]}"')
    assert nps == ["3", "3", "100.0%", "33.3", "1"]
    assert list(_owner_rows(html)) == [answered["rep"].name]


def test_a_wrong_date_is_named_and_nothing_is_counted_wrongly(answered, login_as):
    page = login_as(answered["manager"]).get("/marketing/reports/surveys?since=2026-13-01")
    assert page.status_code == 422
    assert 'name="since"' in page.text and 'aria-invalid="true"' in page.text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_report_is_in_the_reports_menu_in_both_locales(make_user, login_as, locale):
    client = login_as(make_user(role="manager", locale=locale))
    home = client.get("/").text
    assert "/marketing/reports/surveys" in home
    page = client.get("/marketing/reports/surveys").text
    assert ("Survey results" in page) == (locale == "en")
    assert ("问卷结果" in page) == (locale == "zh_CN")
    # the hint too: a "%" in it once made the catalogue compiler drop its translation
    assert ("推荐者（9–10 分）占比" in page) == (locale == "zh_CN")
