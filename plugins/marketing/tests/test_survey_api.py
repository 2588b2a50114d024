"""Surveys through the API and the public answer: NPS and CSAT figures
checked against hand-computed ones, an answer once only, a forged token,
consent deciding who is sent an invitation, the detractor's one task for
the owner, the rep's scope, and a won deal inviting its customer."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from core.api import Activity, Message, create_team, customer_facts, db, record_consent
from core.testing import plugin_module
from plugins.marketing.models import SurveyInvitation, SurveyResponse

API = "/api/v1/marketing"


def new_survey(api, **fields):
    body = {"name": "After-sales NPS", "kind": "nps", "channel": "link", **fields}
    answer = api.post(f"{API}/surveys", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def links_for(api, survey_id, customers, **fields):
    """Invite ``customers`` with links to copy: the links, by customer id."""
    body = {"customer_ids": [c.id for c in customers], "channel": "link", **fields}
    answer = api.post(f"{API}/surveys/{survey_id}/invitations", json=body)
    assert answer.status_code == 201, answer.json
    return {i["customer_id"]: i["link"] for i in answer.json["created"]}


def public_answer(link, answers):
    """The customer's answer, posted as JSON to the public page (no sign-in)."""
    return current_app.test_client().post(link, json=answers)


def test_nps_figures_match_the_hand_computed_ones(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api)
    assert [q["key"] for q in survey["questions"]] == ["score"]
    scores = [10, 10, 9, 8, 7, 6, 2, 9, 10, 4]
    customers = [make_customer(owner_id=manager.id) for _ in scores]
    links = links_for(api, survey["id"], customers)
    for customer, score in zip(customers, scores, strict=True):
        assert public_answer(links[customer.id], {"score": score}).status_code == 201
    results = api.get(f"{API}/surveys/{survey['id']}/results").json
    # promoters 9–10: 10, 10, 9, 9, 10 → 5; passives 7–8: 8, 7 → 2; detractors 0–6: 6, 2, 4 → 3
    # NPS = 100 × (5 − 3) / 10 = 20.0
    assert (results["promoters"], results["passives"], results["detractors"]) == (5, 2, 3)
    assert results["nps"] == 20.0
    assert results["responses"] == 10 and results["invitations"] == 10
    assert results["distribution"] == {
        "0": 0, "1": 0, "2": 1, "3": 0, "4": 1, "5": 0,
        "6": 1, "7": 1, "8": 1, "9": 2, "10": 3,
    }  # fmt: skip
    assert results["csat"] is None


def test_csat_average_choices_and_texts(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    questions = [
        {
            "key": "speed",
            "type": "choice",
            "text_en": "Was it fast?",
            "text_zh_CN": "快吗？",
            "choices": [
                {"value": "yes", "text_en": "Yes", "text_zh_CN": "是"},
                {"value": "no", "text_en": "No", "text_zh_CN": "否"},
            ],
        },
        {
            "key": "say",
            "type": "text",
            "text_en": "Anything?",
            "text_zh_CN": "还有吗？",
            "required": False,
        },
    ]
    survey = new_survey(api, kind="csat", questions=questions)
    answers = [(5, "yes", "Great"), (4, "yes", ""), (4, "no", ""), (3, "no", "Slow")]
    answers += [(1, "no", ""), (2, "no", ""), (5, "yes", "")]
    customers = [make_customer(owner_id=manager.id) for _ in answers]
    links = links_for(api, survey["id"], customers)
    for customer, (score, speed, say) in zip(customers, answers, strict=True):
        body = {"score": score, "speed": speed, "say": say}
        assert public_answer(links[customer.id], body).status_code == 201
    results = api.get(f"{API}/surveys/{survey['id']}/results").json
    # (5 + 4 + 4 + 3 + 1 + 2 + 5) / 7 = 24 / 7 = 3.428… → 3.43
    assert results["csat"] == 3.43 and results["nps"] is None
    assert results["distribution"] == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2}
    assert results["choices"] == {"speed": {"yes": 3, "no": 4}}
    assert sorted(t["text"] for t in results["texts"]) == ["Great", "Slow"]


def test_a_wrong_question_is_a_422_naming_it_and_nothing_is_saved(make_user, as_user):
    api = as_user(make_user(role="manager"))
    bad = [
        {"key": "a", "type": "text", "text_en": "Hi", "text_zh_CN": "你好"},
        {"key": "a", "type": "choice", "text_en": "Pick", "text_zh_CN": "选", "choices": []},
    ]
    answer = api.post(f"{API}/surveys", json={"name": "X", "kind": "custom", "questions": bad})
    assert answer.status_code == 422
    assert {"questions.1.key", "questions.1.choices"} <= set(answer.json["errors"])
    missing = [{"key": "b", "type": "text", "text_en": "Hi"}]
    answer = api.post(f"{API}/surveys", json={"name": "X", "kind": "nps", "questions": missing})
    assert answer.status_code == 422 and "questions.0.text_zh_CN" in answer.json["errors"]
    assert api.get(f"{API}/surveys").json["total"] == 0


def test_a_survey_is_answered_once_and_a_forged_token_finds_nothing(
    make_user, make_customer, as_user
):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api)
    customer = make_customer(owner_id=manager.id)
    link = links_for(api, survey["id"], [customer])[customer.id]
    assert public_answer(link, {"score": 11}).status_code == 422
    assert public_answer(link, {"score": 9}).status_code == 201
    again = public_answer(link, {"score": 0})
    assert again.status_code == 409 and "answers" in again.json["errors"]
    kept = db.session.scalars(select(SurveyResponse.score)).all()
    assert kept == [9]
    forged = link.rsplit("/", 1)[0] + "/not-a-token"
    assert public_answer(forged, {"score": 9}).status_code == 404
    # the same invitation once per occasion: a second send the same day makes none
    body = {"customer_ids": [customer.id], "channel": "link"}
    second = api.post(f"{API}/surveys/{survey['id']}/invitations", json=body)
    assert second.json["created"] == [] and second.json["skipped"] == {"already": 1}


def test_a_closed_survey_takes_no_answer(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api)
    customer = make_customer(owner_id=manager.id)
    link = links_for(api, survey["id"], [customer])[customer.id]
    closed = api.patch(f"{API}/surveys/{survey['id']}", json={"status": "closed", "version": 1})
    assert closed.status_code == 200
    answer = public_answer(link, {"score": 9})
    assert answer.status_code == 409 and "survey" in answer.json["errors"]
    body = {"customer_ids": [customer.id]}
    assert api.post(f"{API}/surveys/{survey['id']}/invitations", json=body).status_code == 409


def test_an_invitation_is_sent_only_with_consent(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api, channel="email")
    silent = make_customer(owner_id=manager.id, emails=["silent@example.com"])
    refused = make_customer(owner_id=manager.id, emails=["no@example.com"])
    agreed = make_customer(owner_id=manager.id, emails=["yes@example.com"])
    for customer, status in ((refused, "withdrawn"), (agreed, "granted")):
        consent = {"channel": "email", "purpose": "research", "status": status}
        record_consent(customer, consent, None)
    body = {"customer_ids": [silent.id, refused.id, agreed.id]}
    answer = api.post(f"{API}/surveys/{survey['id']}/invitations", json=body)
    assert answer.status_code == 201, answer.json
    assert [i["customer_id"] for i in answer.json["created"]] == [agreed.id]
    assert answer.json["skipped"] == {"consent": 2}
    sent = db.session.scalars(select(Message).where(Message.purpose == "survey")).all()
    assert [m.to for m in sent] == ["yes@example.com"]
    assert answer.json["created"][0]["link"] in sent[0].body


def test_a_customer_nobody_may_reach_is_never_invited(
    make_user, make_customer, as_user, register_plugin
):
    manager = make_user(role="manager")
    gone = make_customer(owner_id=manager.id, emails=["gone@example.com"])
    register_plugin(
        plugin_module("obituary", trellis_customers_not_to_contact=lambda customer_ids: [gone.id])
    )
    api = as_user(manager)
    survey = new_survey(api)
    body = {"customer_ids": [gone.id], "channel": "link"}
    answer = api.post(f"{API}/surveys/{survey['id']}/invitations", json=body)
    assert answer.json["created"] == [] and answer.json["skipped"] == {"not_to_contact": 1}


def team_of_two(make_user):
    """A manager and a rep of one team: the manager sees the rep's customers."""
    team = create_team("East", None)
    return make_user(role="manager", team=team), make_user(role="sales", team=team)


def test_a_detractor_makes_exactly_one_task_for_the_owner(make_user, make_customer, as_user):
    manager, rep = team_of_two(make_user)
    api = as_user(manager)
    survey = new_survey(api)
    unhappy = make_customer(owner_id=rep.id, name="Grumpy Ltd")
    happy = make_customer(owner_id=rep.id)
    links = links_for(api, survey["id"], [unhappy, happy])
    assert public_answer(links[unhappy.id], {"score": 3}).status_code == 201
    assert public_answer(links[happy.id], {"score": 9}).status_code == 201
    assert public_answer(links[unhappy.id], {"score": 2}).status_code == 409
    tasks = db.session.scalars(select(Activity).where(Activity.due_at.is_not(None))).all()
    assert len(tasks) == 1
    task = tasks[0]
    assert task.owner_id == rep.id and task.customer_id == unhappy.id and task.done_at is None
    assert "Grumpy Ltd" in task.subject and ": 3" in task.body
    response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.score == 3))
    assert response.task_id == task.id
    assert task.due_at - response.answered_at >= timedelta(days=2) - timedelta(seconds=5)
    assert task.due_at - response.answered_at <= timedelta(days=2) + timedelta(seconds=5)


def test_a_rep_sees_only_their_customers_invitations_and_answers(make_user, make_customer, as_user):
    manager, rep = team_of_two(make_user)
    api = as_user(manager)
    survey = new_survey(api)
    mine = make_customer(owner_id=rep.id)
    theirs = make_customer(owner_id=manager.id)
    links = links_for(api, survey["id"], [mine, theirs])
    for link in links.values():
        assert public_answer(link, {"score": 10}).status_code == 201
    rep_api = as_user(rep)
    invited = rep_api.get(f"{API}/surveys/{survey['id']}/invitations").json["items"]
    assert [i["customer_id"] for i in invited] == [mine.id]
    answers = rep_api.get(f"{API}/responses?survey_id={survey['id']}").json["items"]
    assert [a["customer_id"] for a in answers] == [mine.id]
    assert rep_api.get(f"{API}/surveys/{survey['id']}/results").json["responses"] == 1
    assert api.get(f"{API}/responses").json["total"] == 2
    # a rep reads surveys but does not define or send them
    assert rep_api.post(f"{API}/surveys", json={"name": "R", "kind": "nps"}).status_code == 403
    body = {"customer_ids": [mine.id], "channel": "link"}
    sent = rep_api.post(f"{API}/surveys/{survey['id']}/invitations", json=body)
    assert sent.status_code == 403


def test_a_won_deal_invites_its_customer(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api, channel="email", trigger="sales.deal_won")
    customer = make_customer(owner_id=manager.id, emails=["buyer@example.com"])
    record_consent(customer, {"channel": "email", "purpose": "research", "status": "granted"}, None)
    stages = [
        {"name": "Talk", "probability": 10},
        {"name": "Won", "probability": 100, "outcome": "won"},
        {"name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    admin = as_user(make_user(role="admin"))
    pipeline = admin.post("/api/v1/sales/pipelines", json={"name": "P", "stages": stages}).json
    won = next(s["id"] for s in pipeline["stages"] if s["name"] == "Won")
    deal = api.post(
        "/api/v1/sales/deals",
        json={"title": "Tea", "customer_id": customer.id, "pipeline_id": pipeline["id"]},
    ).json
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 0
    moved = api.post(f"/api/v1/sales/deals/{deal['id']}/stage", json={"stage_id": won})
    assert moved.status_code == 200, moved.json
    invitation = db.session.scalar(select(SurveyInvitation))
    assert invitation.survey_id == survey["id"] and invitation.customer_id == customer.id
    assert invitation.occasion == f"deal:{deal['id']}" and invitation.sent_to == "buyer@example.com"
    sent = db.session.scalars(select(Message.to).where(Message.purpose == "survey")).all()
    assert sent == ["buyer@example.com"]


def test_merged_and_purged_customers_take_their_invitations_and_answers(
    make_user, make_customer, as_user
):
    admin = make_user(role="admin")
    api = as_user(admin)
    survey = new_survey(api)
    survivor, merged = make_customer(name="Keep"), make_customer(name="Gone")
    links = links_for(api, survey["id"], [survivor, merged], occasion="spring")
    assert public_answer(links[merged.id], {"score": 9}).status_code == 201
    answer = api.post(f"/api/v1/customers/{survivor.id}/merge", json={"merge_id": merged.id})
    assert answer.status_code == 200, answer.json
    invitations = db.session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.id))
    # both kept, on the survivor: the merged one's occasion marked so the two stay apart
    assert [(i.customer_id, i.occasion) for i in invitations] == [
        (survivor.id, "spring"),
        (survivor.id, f"spring:merged:{merged.id}"),
    ]
    answers = api.get(f"{API}/responses?customer_id={survivor.id}").json["items"]
    assert [a["score"] for a in answers] == [9]
    assert api.delete(f"/api/v1/customers/{survivor.id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{survivor.id}").status_code == 204
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 0
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_a_send_to_a_segment_invites_its_members_the_sender_sees(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    survey = new_survey(api)
    leads = [make_customer(owner_id=manager.id, stage="lead") for _ in range(2)]
    make_customer(owner_id=manager.id, stage="customer")
    conditions = [{"field": "stage", "op": "is", "value": "lead"}]
    segment = api.post(f"{API}/segments", json={"name": "Leads", "conditions": conditions}).json
    body = {"segment_id": segment["id"], "channel": "link"}
    sent = api.post(f"{API}/surveys/{survey['id']}/invitations", json=body)
    assert sent.status_code == 201, sent.json
    assert sorted(i["customer_id"] for i in sent.json["created"]) == [c.id for c in leads]
    both = {"segment_id": segment["id"], "customer_ids": [leads[0].id]}
    refused = api.post(f"{API}/surveys/{survey['id']}/invitations", json=both)
    assert refused.status_code == 422 and "segment_id" in refused.json["errors"]


def test_the_latest_nps_answer_is_a_customer_fact(make_user, make_customer, as_user):
    manager = make_user(role="manager")
    api = as_user(manager)
    nps, csat = new_survey(api), new_survey(api, name="CSAT", kind="csat")
    customer, quiet = make_customer(owner_id=manager.id), make_customer(owner_id=manager.id)
    first = links_for(api, nps["id"], [customer], occasion="first")[customer.id]
    second = links_for(api, nps["id"], [customer], occasion="second")[customer.id]
    scored = links_for(api, csat["id"], [customer])[customer.id]
    for link, score in ((first, 9), (second, 4), (scored, 5)):
        assert public_answer(link, {"score": score}).status_code == 201
    fact = customer_facts(manager)["marketing.nps_last"]
    assert fact.kind == "number" and fact.meaning == "satisfaction"
    values = dict(db.session.execute(fact.values()).all())
    assert values == {customer.id: 4}  # the latest NPS answer; CSAT is not NPS; quiet has none
    assert quiet.id not in values


def test_invitations_and_answers_follow_the_customer_to_a_new_owner(
    make_user, make_customer, as_user
):
    manager, rep = team_of_two(make_user)
    other = make_user(role="sales", team=rep.team)
    api = as_user(manager)
    survey = new_survey(api)
    customer = make_customer(owner_id=rep.id, team_id=rep.team_id)
    link = links_for(api, survey["id"], [customer])[customer.id]
    assert public_answer(link, {"score": 10}).status_code == 201
    moved = api.patch(f"/api/v1/customers/{customer.id}", json={"owner_id": other.id})
    assert moved.status_code == 200, moved.json
    assert as_user(other).get(f"{API}/responses").json["total"] == 1
    assert as_user(rep).get(f"{API}/responses").json["total"] == 0
    invited = as_user(other).get(f"{API}/surveys/{survey['id']}/invitations").json
    assert [i["owner_id"] for i in invited["items"]] == [other.id]
