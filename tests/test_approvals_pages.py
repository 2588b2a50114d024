"""The approval pages: inbox and "submitted by me", a request with its
decision forms, the admins' flows (list and form), the dashboard card —
in English and in Chinese (no English left on the zh pages)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_approvals import RECORD, flow, owned, people, probe, step  # noqa: F401  (fixtures)

from core.api import db
from core.models import ApprovalFlow, ApprovalRequest
from core.testing.pages import english_words


def post(client, url, data):
    client.get("/")  # the session's CSRF token
    with client.session_transaction() as session:
        token = session.get("csrf")
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def pending(people, owned):
    from core.approvals import submit

    flow(people, step("team_manager"), name="Manager signs")
    return submit(RECORD, owned(name="Acme Tea").id, people["rep"])


def test_the_inbox_lists_my_waiting_approvals(people, pending, login_as):
    page = login_as(people["manager"]).get("/approvals/")
    assert page.status_code == 200
    assert "Acme Tea" in page.text and f"/approvals/{pending.id}" in page.text
    assert "Acme Tea" not in login_as(people["rep2"]).get("/approvals/").text
    mine = login_as(people["rep"]).get("/approvals/?tab=submitted")
    assert "Acme Tea" in mine.text and "Waiting" in mine.text


def test_an_approver_approves_on_the_request_page(people, pending, login_as, probe):
    client = login_as(people["manager"])
    page = client.get(f"/approvals/{pending.id}")
    assert page.status_code == 200 and "Approve" in page.text and "Manager signs" in page.text
    answer = post(client, f"/approvals/{pending.id}/approve", {"comment": "fine"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, pending.id).status == "approved"
    again = post(client, f"/approvals/{pending.id}/approve", {})
    assert again.status_code == 302  # told on the page, not a crash
    assert "already decided" in client.get(f"/approvals/{pending.id}").text


def test_a_delegate_and_a_withdraw_through_the_pages(people, pending, login_as):
    manager = login_as(people["manager"])
    post(manager, f"/approvals/{pending.id}/delegate", {"user_id": str(people["admin"].id)})
    db.session.expire_all()
    assert [t.approver_id for t in pending.tasks if t.status == "waiting"] == [people["admin"].id]
    rep = login_as(people["rep"])
    assert "Withdraw" in rep.get(f"/approvals/{pending.id}").text
    post(rep, f"/approvals/{pending.id}/withdraw", {})
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, pending.id).status == "withdrawn"


def test_someone_elses_request_is_not_found(people, pending, login_as):
    assert login_as(people["rep2"]).get(f"/approvals/{pending.id}").status_code == 404


def test_the_dashboard_card_counts_and_shows_the_first_five(people, owned, login_as):
    from core.approvals import submit

    flow(people, step("team_manager"))
    for i in range(6):
        submit(RECORD, owned(name=f"Firm {i}").id, people["rep"])
    card = login_as(people["manager"]).get("/approvals/widget").text
    assert re.search(r'class="count hot">6<', card)
    assert card.count("/approvals/") - 1 == 5  # five requests and the inbox link


def test_an_admin_creates_and_edits_a_flow_in_the_form(people, login_as, probe):
    client = login_as(people["admin"])
    assert client.get("/approvals/flows/new").status_code == 200
    answer = post(
        client,
        "/approvals/flows/new",
        {
            "record_type": RECORD,
            "name": "Grade A",
            "priority": "5",
            "active": "1",
            "condition_field": "grade",
            "condition_op": "in",
            "condition_value": "A, B",
            "steps.0.approver_kind": "team_manager",
            "steps.0.mode": "any",
            "steps.1.approver_kind": "users",
            "steps.1.user_ids": [str(people["finance"].id), str(people["other"].id)],
            "steps.1.mode": "all",
        },
    )
    assert answer.status_code == 302, answer.text
    made = db.session.scalar(select(ApprovalFlow))
    assert made.condition == {"field": "grade", "op": "in", "value": ["A", "B"]}
    assert [(s.approver_kind, s.mode) for s in made.steps] == [
        ("team_manager", "any"),
        ("users", "all"),
    ]
    listing = client.get("/approvals/flows").text
    assert "Grade A" in listing
    edit = client.get(f"/approvals/flows/{made.id}").text
    assert 'value="Grade A"' in edit


def test_the_flow_form_names_the_role_without_members(people, login_as, probe):
    from core.models import Role

    db.session.add(Role(name="auditors", permissions=[], scope="own"))
    db.session.commit()
    answer = post(
        login_as(people["admin"]),
        "/approvals/flows/new",
        {
            "record_type": RECORD,
            "name": "F",
            "steps.0.approver_kind": "role",
            "steps.0.role": "auditors",
        },
    )
    assert answer.status_code == 422
    assert 'id="e-steps.0.role"' in answer.text and "auditors" in answer.text
    assert db.session.scalar(select(ApprovalFlow)) is None


def test_flows_are_for_admins(people, login_as):
    assert login_as(people["rep"]).get("/approvals/flows").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/approvals/",
        "/approvals/?tab=submitted",
        "/approvals/flows",
        "/approvals/flows/new",
        "/approvals/flows/FLOW",
        "/approvals/REQUEST",
        "/approvals/widget",
    ],
)
def test_the_zh_pages_have_no_english_left(url, people, pending, login_as):
    """Every word on the page in Chinese; names of people and records are
    Chinese here, as a Chinese office's are."""
    from core.models import Customer, Role, User

    names = {"admin": "王管理员", "manager": "李主管", "rep": "张销售", "rep2": "赵销售"}
    names |= {"finance": "钱财务", "other": "孙同事"}
    for key, name in names.items():
        user = db.session.get(User, people[key].id)
        user.name, user.locale = name, "zh_CN"
    db.session.scalar(select(Role).where(Role.name == "finance")).name = "财务"
    db.session.get(Customer, pending.record_id).name = "杭州茶叶公司"
    db.session.get(ApprovalRequest, pending.id).title = "杭州茶叶公司"
    made = db.session.scalar(select(ApprovalFlow))
    made.name, made.condition = "主管审批", {"field": "grade", "op": "in", "value": ["A"]}
    db.session.commit()
    viewer = people["admin"] if "flows" in url else people["manager"]
    url = url.replace("FLOW", str(made.id)).replace("REQUEST", str(pending.id))
    page = login_as(viewer).get(url)
    assert page.status_code == 200
    assert english_words(page.text) == set(), url


def test_the_flow_form_names_a_priority_that_is_not_a_number(people, login_as, probe):
    answer = post(
        login_as(people["admin"]),
        "/approvals/flows/new",
        {
            "record_type": RECORD,
            "name": "F",
            "priority": "soon",
            "steps.0.approver_kind": "team_manager",
        },
    )
    assert answer.status_code == 422 and 'id="e-priority"' in answer.text
    assert db.session.scalar(select(ApprovalFlow)) is None


def test_the_inbox_reads_its_tasks_requests_and_submitters_at_once(
    people, owned, login_as, make_customer
):
    """A full inbox costs the statements of an inbox of one: each row's
    request and submitter come with the tasks (at the bench's size the page
    sent 241 statements, one or two per task)."""
    from test_customer_page_statements import statements

    from core.approvals import submit

    flow(people, step("team_manager"))
    manager = login_as(people["manager"])

    def cost() -> int:
        with statements() as sent:
            page = manager.get("/approvals/")
        assert page.status_code == 200
        return len(sent)

    submit(RECORD, owned(name="First").id, people["rep"])
    db.session.commit()
    one = cost()
    rep2 = people["rep2"]
    for n in range(5):  # another submitter: a per-row look-up would show
        customer = make_customer(actor=rep2, owner_id=rep2.id, name=f"Customer {n}")
        submit(RECORD, customer.id, rep2)
    db.session.commit()
    assert cost() == one
