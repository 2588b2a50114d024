"""Every GET route of the application, walked as two reps in different teams.

The routes come from the URL map, so a route added tomorrow — by core or by
any plugin — is walked without anyone remembering to add it here. Each rep
owns one of every kind of record (customer, contact, task, deal, lead, work
order with a file, contract, policy, visit) whose text carries the rep's
marker, and a customer in the recycle bin with records of its own. The rep's
role hides fields that hold marker values. For every route, with the ids of
both reps' records filled in, no body — HTML, JSON, CSV, XLSX — may show a
record of the other rep, a record of the deleted customer, or a hidden value.

A route parameter this test cannot fill makes it fail, naming the route: the
author of a new kind of route adds its record to ``_seed`` once.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import DataScope, Role, db, utcnow
from core.registry import current_registry
from core.services.customers import delete_customer
from core.services.users import create_team
from core.testing.pages import fill_route, get_routes

#: values only hidden fields hold: no page, export or answer may show them
HIDDEN = "Qhidden"
HIDDEN_DATE = date(1911, 11, 11)
#: the role hides these (the custom field ``secret`` is defined below)
HIDDEN_FIELDS = [
    "customer.industry",
    "customer.source",
    "customer.address",
    "customer.custom_fields.secret",
    "contact.birthday",
    "contact.notes",
]
#: permissions a rep may not hold: administering the system is not a record path
_ADMINISTRATION = ("admin.", "customer.purge")
#: the recycle bin shows its deleted customers to whoever may restore them, and
#: their history stays readable (the customer's and the audit log's)
_RECYCLE_BIN = (
    "/admin/recycle-bin",
    "/api/v1/recycle-bin",
    "/api/v1/customers/{gone}/audit",
    "/admin/audit",
    "/api/v1/audit",
)


def _rep_permissions() -> list[str]:
    names = current_registry().permissions.keys()
    return sorted(
        n for n in names if not n.startswith(_ADMINISTRATION) and not n.endswith(".admin")
    )


def _seed(owner, marker: str, pipeline, stage, client, own: str) -> dict[str, int | str]:
    """One of every record, owned by ``owner`` and carrying ``marker``; the ids by route
    parameter name. The customer-owned records go through the services as the owner."""
    from core.models import ApprovalFlow, ApprovalRequest
    from core.services.activities import log_activity
    from core.services.contacts import create_contact
    from core.services.customers import create_customer
    from plugins.his.models import Patient, Visit
    from plugins.insurance.tests.factories import make_policy
    from plugins.sales.services.deals import create_deal
    from plugins.sales.services.leads import create_lead
    from plugins.service_dispatch.services.entitlement import create_contract
    from plugins.service_dispatch.services.orders import create_work_order

    customer = create_customer(
        {
            "name": f"{marker} Trading",
            "industry": f"{HIDDEN}Industry",
            "source": f"{HIDDEN}Source",
            "address": f"{HIDDEN}Address",
            "city": "Hangzhou",
            "phones": [f"1380013{owner.id:04d}"],
            "custom_fields": {"secret": f"{HIDDEN}Custom"},
            "owner_id": owner.id,
            "team_id": owner.team_id,
        },
        None,
    ).customer
    contact = create_contact(
        {
            "customer_id": customer.id,
            "name": f"{marker} Contact",
            "birthday": HIDDEN_DATE.isoformat(),
            "notes": f"{HIDDEN}Notes",
        },
        None,
    )
    log_activity(
        {
            "kind": "task",
            "subject": f"{marker} task",
            "customer_id": customer.id,
            "owner_id": owner.id,
            "due_at": (utcnow() + timedelta(days=1)).isoformat(),
        },
        None,
    )
    deal = create_deal(
        {
            "title": f"{marker} deal",
            "customer_id": customer.id,
            "pipeline_id": pipeline.id,
            "stage_id": stage.id,
            "amount": "100.00",
            "owner_id": owner.id,
        },
        None,
    )
    lead = create_lead({"name": f"{own} lead", "owner_id": owner.id}, None)  # no customer
    order = create_work_order(
        {"title": f"{marker} order", "customer_id": customer.id, "category": "repair"}, owner
    )
    order.engineer_id, order.team_id = owner.id, owner.team_id
    contract = create_contract(
        {
            "customer_id": customer.id,
            "number": f"{marker}-C",
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=300)).isoformat(),
        },
        None,
    )
    db.session.add_all(
        [
            policy := make_policy(
                customer,
                owner,
                f"{marker}-P",
                date.today() - timedelta(days=10),
                date.today() + timedelta(days=30),
                premium="1",
                product="Walk cover",  # the catalogue is shared: no owner's marker
                team_id=owner.team_id,
                # the customer who goes to the recycle bin holds no live cover (the veto)
                status="lapsed" if marker == "Zgone" else "in_force",
            ),
            visit := Visit(
                customer_id=customer.id,
                department=f"{marker} clinic",
                doctor_id=owner.id,
                team_id=owner.team_id,
                visited_at=utcnow(),
            ),
            patient := Patient(customer_id=customer.id, mrn=f"{marker}-MR", allergies=[marker]),
        ]
    )
    # an approval flow and a request of the owner's (a type no plugin declares: the
    # pages show it all the same, and only to its submitter, approvers and admins)
    flow = ApprovalFlow(record_type="walk.customer", name=f"{marker} flow")
    approval = ApprovalRequest(
        record_type="walk.customer",
        record_id=customer.id,
        customer_id=customer.id,
        title=f"{marker} approval",
        steps=[],
        submitted_by_id=owner.id,
        submitted_at=utcnow(),
    )
    db.session.add_all([flow, approval])
    db.session.commit()
    money = _seed_money(owner, marker, customer.id, contact.id, deal.id)
    insurance = _seed_insurance(owner, marker, policy)
    his_followup = _seed_followup(owner, customer.id, visit.id)
    segment = _seed_segment(owner, own)  # the owner's, not the customer's: no customer marker
    survey = _seed_survey(owner, customer, marker)
    upload = client.post(
        f"/api/v1/service/work-orders/{order.id}/attachments",
        data={"file": (io.BytesIO(_PNG), f"{marker}.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_data(as_text=True)
    scan = client.post(  # a file on the sales contract, kept by core (/attachments/<id>)
        f"/api/v1/sales/contracts/{money['sales_contract_id']}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.7\n" + marker.encode()), f"{marker} scan.pdf")},
        content_type="multipart/form-data",
    )
    assert scan.status_code == 201, scan.get_data(as_text=True)
    return {
        "customer_id": customer.id,
        "survivor_id": customer.id,
        "contact_id": contact.id,
        "deal_id": deal.id,
        "lead_id": lead.id,
        "order_id": order.id,
        "attachment_id": _first_id(upload.json),
        "core_attachment_id": _first_id(scan.json),
        "contract_id": contract.id,
        "flow_id": flow.id,
        "request_id": approval.id,
        "patient_id": patient.id,
        "visit_id": visit.id,
        **money,
        **insurance,
        **his_followup,
        "segment_id": segment,
        "list_id": _seed_list(owner, customer.id),
        "survey_id": survey,
        **_seed_campaign(owner, own, marker, segment, customer.id),
        **_seed_webhook(),
        **_seed_automation(),
        "import_id": _seed_import(owner, own),
    }


def _seed_import(owner, own: str) -> int:
    """The owner's import of a CSV naming the owner's marker (uploaded, not
    run); an import is its starter's, so the file name carries ``own``."""
    from core.imports import upload

    data = f"name,phone\n{own} import row,13800138999\n".encode()
    return upload(data, f"{own} import.csv", "customers", owner).id


def _seed_automation() -> dict:
    """An automation rule (switched off: the walk's own writes run nothing)
    and one failed run of it; admin pages, no owner."""
    from core.models import AutomationRule, AutomationRun

    rule = AutomationRule(
        name="Walk rule",
        active=False,
        trigger={"kind": "event", "event": "customer_created"},
        event="customer_created",
        conditions=[],
        actions=[{"type": "create_task", "params": {"title": "Call"}}],
    )
    run = AutomationRun(
        rule=rule,
        event="customer_created",
        status="failed",
        attempts=5,
        next_attempt_at=utcnow(),
        results=[],
        error="HTTP 500",
    )
    db.session.add_all([rule, run])
    db.session.commit()
    return {"automation_rule_id": rule.id, "run_id": run.id}


def _seed_webhook() -> dict:
    """A webhook subscription (switched off: the walk's own writes send
    nothing) and one failed delivery of it; admin pages, no owner."""
    import uuid

    from core.models import WebhookDelivery, WebhookSubscription

    subscription = WebhookSubscription(
        name="Walk hook",
        url="https://hooks.example.com/trellis",
        secret="whsec_walk_secret_0123456789",
        events=["customer_created"],
        active=False,
        allow_internal=False,
        consecutive_failures=0,
    )
    key = str(uuid.uuid4())
    delivery = WebhookDelivery(
        subscription=subscription,
        event="customer_created",
        key=key,
        payload={"id": key, "event": "customer_created", "data": {}},
        status="failed",
        attempts=1,
        next_attempt_at=utcnow(),
        retry_until=utcnow(),
        error="HTTP 500",
        status_code=500,
    )
    db.session.add_all([subscription, delivery])
    db.session.commit()
    return {"subscription_id": subscription.id, "delivery_id": delivery.id}


def _seed_campaign(owner, own: str, marker: str, segment_id: int, customer_id: int) -> dict:
    """The owner's e-mail campaign (named with the owner's marker) to their
    segment, sent to the customer's address (which carries the customer's
    marker); the template is shared (no marker)."""
    from plugins.marketing.models import Campaign, CampaignTemplate, Recipient

    template = db.session.scalar(select(CampaignTemplate).limit(1))
    if template is None:
        template = CampaignTemplate(name="Walk mail", subject_en="Hi", body_en="<p>Hi</p>")
        db.session.add(template)
        db.session.flush()
    campaign = Campaign(
        name=f"{own} campaign",
        segment_id=segment_id,
        template_id=template.id,
        owner_id=owner.id,
        team_id=owner.team_id,
        status="sent",
    )
    db.session.add(campaign)
    db.session.flush()
    address = f"{marker}@example.com"
    db.session.add(Recipient(campaign_id=campaign.id, customer_id=customer_id, email=address))
    db.session.commit()
    return {"campaign_id": campaign.id, "email_template_id": template.id}


def _seed_segment(owner, marker: str) -> int:
    """The owner's private segment (客户分群) of the customers named with ``marker``."""
    from plugins.marketing.models import Segment

    condition = {"field": "name", "op": "contains", "value": marker, "days": None, "negate": False}
    segment = Segment(
        name=f"{marker} segment", shared=False, owner_id=owner.id, conditions=[condition]
    )
    db.session.add(segment)
    db.session.commit()
    return segment.id


def _seed_list(owner, customer_id: int) -> int:
    """The owner's private static list, holding the owner's customer."""
    from plugins.marketing.models import StaticList, StaticListMember

    found = StaticList(name="Walk list", shared=False, owner_id=owner.id)
    db.session.add(found)
    db.session.flush()
    db.session.add(StaticListMember(list_id=found.id, customer_id=customer_id))
    db.session.commit()
    return found.id


def _seed_survey(owner, customer, marker: str) -> int:
    """A survey every reader sees (no marker), answered by the customer with
    a comment carrying the marker: only those who see the customer see it."""
    from plugins.marketing.services.surveys import answer, create_survey, invite

    text = {"key": "say", "type": "text", "text_en": "Say", "text_zh_CN": "说", "required": False}
    survey = create_survey({"name": "Walk survey", "kind": "nps", "questions": [text]}, None)
    (invitation, _link), *_rest = invite(survey, [customer], "walk", None, "link").created
    answer(invitation, {"score": 3, "say": f"{marker} comment"})
    return survey.id


def _seed_followup(owner, customer_id: int, visit_id: int) -> dict:
    """A follow-up plan (随访) of the owner's visit with its one due step; the
    template is shared (every reader's, no marker)."""
    from plugins.his.models import FollowupPlan, FollowupStep, FollowupTemplate

    template = db.session.scalar(select(FollowupTemplate).limit(1))
    if template is None:
        template = FollowupTemplate(name="Walk follow-up", offsets=[1], questions=[])
        db.session.add(template)
        db.session.flush()
    plan = FollowupPlan(
        customer_id=customer_id,
        visit_id=visit_id,
        template_id=template.id,
        owner_id=owner.id,
        team_id=owner.team_id,
        status="active",
    )
    db.session.add(plan)
    db.session.flush()
    step = FollowupStep(plan_id=plan.id, number=1, due_on=date.today(), status="due")
    db.session.add(step)
    db.session.commit()
    return {"template_id": template.id, "plan_id": plan.id, "step_id": step.id}


def _seed_insurance(owner, marker: str, policy) -> dict:
    """The owner's agent row and a claim on the policy, and the policy's
    carrier and product (the catalogue and the agents are shared: no marker)."""
    from plugins.insurance.models import (
        Agent,
        AgentStatement,
        CarrierStatement,
        Claim,
        ClaimEvent,
        Household,
        Person,
    )

    agent = db.session.scalar(select(Agent).where(Agent.user_id == owner.id))
    if agent is None:  # one agent row per user, whichever of their markers comes first
        agent = Agent(user_id=owner.id, code=f"AG{owner.id}", licence_no=f"L{owner.id}")
        db.session.add(agent)
        db.session.flush()
    claim = Claim(
        number=f"{marker}-LP",
        policy_id=policy.id,
        customer_id=policy.customer_id,
        agent_id=owner.id,
        team_id=owner.team_id,
        loss_date=date.today(),
        reported_at=utcnow(),
        description=f"{marker} loss",
        currency=policy.currency,
        claimed_amount=Decimal(1),
        reserve=Decimal(1),
    )
    db.session.add(claim)
    db.session.flush()
    db.session.add(
        ClaimEvent(
            claim_id=claim.id,
            seq=1,
            action="report",
            to_status="reported",
            at=utcnow(),
            event_on=date.today(),
            carrier_id=policy.carrier_id,
            product_id=policy.product_id,
            line=policy.line,
            agent_id=owner.id,
            currency=policy.currency,
        )
    )
    household = Household(
        name=f"{marker} household",
        customer_id=policy.customer_id,
        agent_id=owner.id,
        team_id=owner.team_id,
    )
    db.session.add(household)
    db.session.flush()
    person = Person(
        customer_id=policy.customer_id,
        name=f"{marker} person",
        household_id=household.id,
        agent_id=owner.id,
        team_id=owner.team_id,
    )
    month = date.today().replace(day=1)
    statement = db.session.scalar(  # the owner's own; one a month per agent
        select(AgentStatement).where(AgentStatement.agent_id == owner.id)
    ) or AgentStatement(
        agent_id=owner.id, team_id=owner.team_id, month=month, currency=policy.currency
    )
    # a carrier statement naming no rep's policy (the statements are the agency's)
    sheet = CarrierStatement(
        carrier_id=policy.carrier_id,
        month=month,
        filename=f"statement-{owner.id}.csv",
        sha256=hashlib.sha256(marker.encode()).hexdigest(),
        rows=0,
        currency=policy.currency,
        received_total=Decimal(0),
        expected_total=Decimal(0),
    )
    db.session.add_all([person, statement, sheet])
    db.session.commit()
    return {
        "policy_id": policy.id,
        "claim_id": claim.id,
        "carrier_id": policy.carrier_id,
        "product_id": policy.product_id,
        "agent_id": agent.id,
        "household_id": household.id,
        "person_id": person.id,
        "agent_statement_id": statement.id,
        "carrier_statement_id": sheet.id,
    }


def _seed_money(owner, marker: str, customer_id: int, contact_id: int, deal_id: int) -> dict:
    """The owner's quote, a signed contract with its plan, a payment and an
    invoice request (the billing details name the marker). The sales routes'
    ``contract_id`` is this contract's (``sales_contract_id``): the service
    contract above holds the name elsewhere."""
    from plugins.sales.services.contracts import create_contract
    from plugins.sales.services.contracts.approvals import submit_contract
    from plugins.sales.services.contracts.lifecycle import sign
    from plugins.sales.services.invoices.billing import save_billing_profile
    from plugins.sales.services.invoices.invoices import request_invoice
    from plugins.sales.services.quotes.editing import create_quote
    from plugins.sales.services.receivables.payments import record_payment
    from plugins.sales.services.receivables.plans import set_plan

    save_billing_profile(customer_id, {"title": f"{marker} billing", "tax_number": None}, owner)
    quote = create_quote(
        {
            "deal_id": deal_id,
            "title": f"{marker} quote",
            "lines": [{"description": f"{marker} line", "unit_price": "100.00", "quantity": "1"}],
        },
        owner,
    )
    today = date.today()
    contract = create_contract(
        {
            "customer_id": customer_id,
            "title": f"{marker} sales contract",
            "amount": "100.00",
            "currency": quote.currency,
            "start_date": today.isoformat(),
        },
        owner,
    )
    submit_contract(contract, owner)  # no flow: approved at once
    sign(contract, {"signed_date": today.isoformat(), "contact_id": contact_id}, owner)
    (instalment,) = set_plan(contract, [{"due_date": today.isoformat(), "amount": "100.00"}], owner)
    payment = record_payment(
        contract,
        {"instalment_id": instalment.id, "amount": "40.00", "paid_on": today.isoformat()},
        owner,
    )
    invoice = request_invoice(
        {"contract_id": contract.id, "kind": "receipt", "amount": "40.00"}, owner
    )
    db.session.commit()
    return {
        "quote_id": quote.id,
        "sales_contract_id": contract.id,
        "payment_id": payment.id,
        "invoice_id": invoice.id,
    }


def _first_id(answer) -> int:
    items = answer["items"] if isinstance(answer, dict) else answer
    return items[0]["id"]


_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _text(response) -> str:
    """A body as text; an XLSX workbook's sheets and shared strings unpacked."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(
                book.read(n).decode("utf-8", "replace")
                for n in book.namelist()
                if n.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


@pytest.fixture
def walk(app, make_user):
    """Two reps in two teams, their records, a deleted customer's records and
    the ids of whatever else a route names."""
    from core.models import Customer, CustomFieldDefinition
    from core.services.tokens import create_token
    from plugins.sales.models import CommissionRule, LeadForm, Pipeline, Stage
    from plugins.service_dispatch.models import RequestLink
    from plugins.service_dispatch.services.parts import create_part

    admin = make_user(role="admin")
    _token, secret = create_token(admin, "walk", None)
    admin_api = app.test_client()
    admin_api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    field = CustomFieldDefinition(entity="customer", key="secret", label="Secret", type="text")
    role = Role(
        name="walk_rep",
        scope=DataScope.own,
        permissions=_rep_permissions(),
        hidden_fields=HIDDEN_FIELDS,
    )
    pipeline = Pipeline(name="Walk pipeline")
    rule = CommissionRule(name="Walk rule", tiers=[{"from_amount": "0", "rate_percent": "1"}])
    db.session.add_all([field, role, pipeline, rule])
    db.session.add_all(
        [LeadForm(name="Walk form", key=WALK_KEY), RequestLink(name="Walk link", key=WALK_KEY)]
    )
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="Qualify", position=0)
    db.session.add(stage)
    db.session.commit()
    part = create_part({"sku": "WALK-1", "name": "Walk part"}, None)
    east, west = create_team("Walk east", None), create_team("Walk west", None)
    clinic_day = _clinic_day(make_user)
    alpha = make_user(role="walk_rep", team=east, name="Alpha Rep")
    bravo = make_user(role="walk_rep", team=west, name="Bravo Rep")
    records = {
        "Zalpha": _seed(alpha, "Zalpha", pipeline, stage, admin_api, "Zalpha"),
        "Zbravo": _seed(bravo, "Zbravo", pipeline, stage, admin_api, "Zbravo"),
        "Zgone": _seed(alpha, "Zgone", pipeline, stage, admin_api, "Zalpha"),
    }
    delete_customer(db.session.get(Customer, records["Zgone"]["customer_id"]), None)
    shared = {
        "rule_id": rule.id,
        "definition_id": field.id,
        "role_id": role.id,
        "user_id": bravo.id,
        "team_id": west.id,
        "part_id": part.id,
        "key": WALK_KEY,
        "token": "no-such-request",
        "number": "LP-NO-SUCH",
        **clinic_day,
    }
    phones = [f"1380013{user.id:04d}" for user in (alpha, bravo)]
    return {
        "alpha": alpha,
        "bravo": bravo,
        "admin": admin,
        "records": records,
        "shared": shared,
        "phones": phones,
    }


WALK_KEY = "walk-key-0123456789"


def _clinic_day(make_user) -> dict[str, int]:
    """A department and a clinic session of its doctor (no bookings, no
    owner: the schedule is every reader's)."""
    from plugins.his.services import clinic
    from plugins.his.services.patients import today

    department = clinic.create_department({"code": "WALK", "name": "Walk clinic"}, None)
    doctor = make_user(role="his_doctor", team=department.team, name="Walk doctor")
    session = clinic.plan_session(
        {
            "department_id": department.id,
            "doctor_id": doctor.id,
            "day": today().isoformat(),
            "period": "evening",
            "fee": "1.00",
            "desk_quota": 1,
            "online_quota": 1,
        },
        None,
    )
    from core.services.customers import create_customer
    from plugins.his.models import Patient
    from plugins.his.services.bookings import book

    walker = create_customer({"name": "Walk patient", "kind": "person"}, None).customer
    db.session.add(Patient(customer_id=walker.id, mrn="MRWALK0001"))
    db.session.commit()
    booking = book({"session_id": session.id, "customer_id": walker.id}, None)
    from plugins.his.services.feedback import create_complaint

    complaint = create_complaint(
        {"customer_id": walker.id, "category": "other", "description": "Walk"}, None
    )
    from plugins.his.services import inpatient

    ward = inpatient.create_ward(
        {"code": "WALK-W", "name": "Walk ward", "department_id": department.id}, None
    )
    bed = inpatient.create_bed({"ward_id": ward.id, "code": "W1"}, None)
    admission = inpatient.admit(
        {"customer_id": walker.id, "department_id": department.id, "ward_id": ward.id}
        | {"bed_id": bed.id, "doctor_id": doctor.id, "diagnosis_code": "I10"},
        None,
    )
    return {
        "ward_id": ward.id,
        "bed_id": bed.id,
        "admission_id": admission.id,
        "complaint_id": complaint.id,
        "department_id": department.id,
        "session_id": session.id,
        "booking_id": booking.id,
        **_billing_ids(walker, make_user(role="his_cashier", name="Walk cashier")),
        **_order_ids(walker, doctor, department),
    }


def _billing_ids(walker, cashier) -> dict[str, int]:
    """A price item; the walk patient's registration fee paid, part refunded."""
    from plugins.his.services import billing

    item = billing.create_price_item(
        {"code": "WALK", "name": "Walk item", "category": "other", "price": "1.00"}, None
    )
    fee = [c.id for c in billing.unpaid_charges(walker.id)]
    tenders = [{"method": "cash", "amount": "1.00"}]
    payment = billing.take_payment(
        {"customer_id": walker.id, "charge_ids": fee, "tenders": tenders}, cashier
    )
    refund = billing.request_refund(
        {"payment_id": payment.id, "amount": "0.50", "reason": "walk"}, cashier
    )
    return {"receipt_id": payment.id, "price_item_id": item.id, "refund_id": refund.id}


def _order_ids(walker, doctor, department) -> dict[str, int]:
    """A drug; an open visit of the walk patient with a prescription and a lab order."""
    from core.models import utcnow
    from plugins.his.models import Visit
    from plugins.his.services import billing, orders

    drug = orders.create_drug(
        {"code": "WALK-RX", "generic_name": "Walkamol", "form": "tablet", "unit": "box"}
        | {"price": "1.00"},
        None,
    )
    billing.create_price_item(
        {"code": "WALK-LAB", "name": "Walk lab", "category": "lab", "price": "1.00"}, None
    )
    visit = Visit(
        customer_id=walker.id,
        department=department.name,
        department_id=department.id,
        doctor_id=doctor.id,
        team_id=department.team_id,
        visited_at=utcnow(),
        status="open",
    )
    db.session.add(visit)
    db.session.commit()
    line = {"drug_id": drug.id, "dose": "1", "dose_unit": "tablet", "route": "oral"}
    line |= {"frequency": "qd", "days": 1, "quantity": 1}
    rx, _warnings = orders.create_prescription({"visit_id": visit.id, "lines": [line]}, doctor)
    exam = orders.place_order({"visit_id": visit.id, "item_code": "WALK-LAB"}, doctor)
    return {"drug_id": drug.id, "prescription_id": rx.id, "exam_order_id": exam.id}


def _urls(app, walk) -> tuple[list[str], list[str]]:
    """Every GET route with each seed's ids filled in (and once more with a
    search for the other rep's name, where the route takes no id); the
    routes nothing here can fill."""
    urls, unfilled = [], []
    for rule in get_routes(app):
        if not rule.arguments:
            urls += [rule.rule, f"{rule.rule}?q=Zbrav", f"{rule.rule}?q=Zalph"]
            urls += [f"{rule.rule}?phone={phone}" for phone in walk["phones"]]
            continue
        sales = rule.rule.startswith(("/sales/", "/api/v1/sales/"))
        # core's downloads serve core's attachments (the sales contract's scan)
        core_file = rule.rule.startswith(("/attachments/", "/api/v1/attachments/"))
        filled = [
            fill_route(
                rule,
                {**walk["shared"], **ids, "contract_id": ids["sales_contract_id"]}
                if sales
                else {**walk["shared"], **ids, "attachment_id": ids["core_attachment_id"]}
                if core_file
                else {**walk["shared"], **ids},
            )
            for ids in walk["records"].values()
        ]
        if None in filled:
            unfilled.append(rule.rule)
        urls += [u for u in filled if u]
    return sorted(set(urls)), unfilled


def _signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _leaks(body: str, foreign: str, in_bin: bool) -> list[str]:
    found = [m for m in (foreign, HIDDEN) if m in body]
    if "Zgone" in body and not in_bin:
        found.append("Zgone")
    # the year as a number of its own (a date in any format), not four digits
    # of a timestamp's microseconds or an id
    if HIDDEN_DATE.isoformat() in body or re.search(r"(?<!\d)1911(?!\d)", body):
        found.append("birthday")
    return found


def test_no_route_shows_a_foreign_record_or_a_hidden_field(app, walk):
    urls, unfilled = _urls(app, walk)
    assert unfilled == [], f"routes whose ids this walk cannot fill (add them to _seed): {unfilled}"
    assert len(urls) > 300
    gone = walk["records"]["Zgone"]["customer_id"]
    in_bin = tuple(path.format(gone=gone) for path in _RECYCLE_BIN)
    failures = []
    for viewer, foreign in (("alpha", "Zbravo"), ("bravo", "Zalpha")):
        client = _signed_in(app, walk[viewer])
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{viewer} GET {url}: {response.status_code}")
                continue
            leaked = _leaks(_text(response), foreign, url.startswith(in_bin))
            if leaked:
                failures.append(f"{viewer} GET {url}: {response.status_code} shows {leaked}")
    assert failures == [], "\n".join(failures)


def test_the_walk_sees_what_it_should(app, walk):
    """The markers are really there: a rep's own customer page shows their
    records, and an administrator (no field hidden) sees the hidden values."""
    alpha = _signed_in(app, walk["alpha"])
    own = walk["records"]["Zalpha"]
    page = alpha.get(f"/customers/{own['customer_id']}")
    assert page.status_code == 200 and "Zalpha Trading" in page.text
    assert "Zalpha order" in alpha.get(f"/service/work-orders/{own['order_id']}").text
    assert b"Zalpha" in alpha.get(f"/attachments/{own['core_attachment_id']}").data
    admin = _signed_in(app, walk["admin"])
    shown = admin.get(f"/customers/{own['customer_id']}").text
    assert f"{HIDDEN}Industry" in shown and f"{HIDDEN}Custom" in shown
    assert "Zbravo Trading" in admin.get("/customers/").text
