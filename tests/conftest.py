"""Fixtures of the page walks: the demo as `trellis init --demo` loads it,
and every page of the URL map with the demo's ids filled in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import Customer, db
from core.testing.pages import fill_route, get_routes


@pytest.fixture
def load_demo_as_admin(app, make_user, trellis_load_demo):
    """``load_demo_as_admin(locale, email=...)``: roles and grants as `trellis
    init` makes them, an administrator, and the demo in ``locale``."""

    def load(locale: str, email: str = "admin@example.com"):
        name = "系统管理员" if locale == "zh_CN" else "Ada Admin"
        admin = make_user(role="admin", locale=locale, name=name, email=email)
        trellis_load_demo(locale, admin)
        return admin

    return load


def _first(model, *where):
    return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


def demo_ids() -> dict:
    """An id for each route parameter, from the demo's records."""
    from core.models import (
        ApprovalFlow,
        ApprovalRequest,
        Contact,
        CustomFieldDefinition,
        Role,
        Team,
        User,
    )
    from plugins.his.models import (
        Admission,
        Bed,
        Booking,
        ClinicSession,
        Complaint,
        Department,
        Drug,
        ExamOrder,
        FollowupPlan,
        FollowupStep,
        FollowupTemplate,
        Patient,
        PatientPayment,
        Prescription,
        PriceItem,
        Refund,
        Visit,
        Ward,
    )
    from plugins.insurance.models import (
        Agent,
        AgentStatement,
        Carrier,
        CarrierStatement,
        Claim,
        Household,
        InsuranceProduct,
        Person,
        Policy,
    )
    from plugins.marketing.models import Campaign, CampaignTemplate, Segment, StaticList, Survey
    from plugins.sales.models import CommissionRule, Deal, Invoice, Lead, LeadForm, Payment, Quote
    from plugins.sales.models import Contract as SalesContract
    from plugins.service_dispatch.models import Attachment, Contract, Part, RequestLink, WorkOrder

    customer = _first(Customer, Customer.deleted_at.is_(None))
    return {
        "customer_id": customer,
        "survivor_id": customer,
        "contact_id": _first(Contact),
        "deal_id": _first(Deal),
        "lead_id": _first(Lead),
        "rule_id": _first(CommissionRule),
        "order_id": _first(WorkOrder),
        "attachment_id": _first(Attachment),
        "contract_id": _first(Contract),
        "part_id": _first(Part),
        "definition_id": _first(CustomFieldDefinition),
        "role_id": _first(Role),
        "user_id": _first(User),
        "team_id": _first(Team),
        "flow_id": _first(ApprovalFlow),
        "request_id": _first(ApprovalRequest),
        "quote_id": _first(Quote),
        "sales_contract_id": _first(SalesContract),
        "payment_id": _first(Payment),
        "invoice_id": _first(Invoice),
        "policy_id": _first(Policy),
        "claim_id": _first(Claim),
        "carrier_id": _first(Carrier),
        "product_id": _first(InsuranceProduct),
        "agent_id": _first(Agent),
        "household_id": _first(Household),
        "person_id": _first(Person),
        "patient_id": _first(Patient),
        "department_id": _first(Department),
        "ward_id": _first(Ward),
        "bed_id": _first(Bed),
        "admission_id": _first(Admission),
        "session_id": _first(ClinicSession),
        "booking_id": _first(Booking),
        "template_id": _first(FollowupTemplate),
        "plan_id": _first(FollowupPlan),
        "step_id": _first(FollowupStep),
        "visit_id": _first(Visit),
        "complaint_id": _first(Complaint),
        "receipt_id": _first(PatientPayment),
        "refund_id": _first(Refund),
        "price_item_id": _first(PriceItem),
        "drug_id": _first(Drug),
        "prescription_id": _first(Prescription),
        "exam_order_id": _first(ExamOrder),
        "agent_statement_id": _first(AgentStatement),
        "carrier_statement_id": _first(CarrierStatement),
        "segment_id": _first(Segment),
        "campaign_id": _first(Campaign),
        "email_template_id": _first(CampaignTemplate),
        "list_id": _first(StaticList),
        "survey_id": _first(Survey),
        **_webhook_ids(),
        "import_id": _import_id(),
        **_automation_ids(),
        "token": "no-such-request",
        "number": db.session.scalar(select(Claim.number).limit(1)),  # its tracking page: 404
        "sales_key": db.session.scalar(select(LeadForm.key).limit(1)),
        "service_key": db.session.scalar(select(RequestLink.key).limit(1)),
    }


def _webhook_ids() -> dict:
    """The demo has no webhooks: a subscription (switched off) and a delivery of it."""
    import uuid

    from core.models import WebhookDelivery, WebhookSubscription, utcnow

    subscription = WebhookSubscription(
        name="ERP",
        url="https://erp.example.com/hooks",
        secret="whsec_demo_secret_0123456789",
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
        status="delivered",
        attempts=1,
        next_attempt_at=utcnow(),
        retry_until=utcnow(),
        status_code=200,
        latency_ms=12,
    )
    db.session.add_all([subscription, delivery])
    db.session.commit()
    return {"subscription_id": subscription.id, "delivery_id": delivery.id}


def _automation_ids() -> dict:
    """The demo's rule (``core.demo``) and a run of it, made here: the demo runs none."""
    from core.models import AutomationRule, AutomationRun, utcnow

    rule = db.session.scalars(select(AutomationRule).order_by(AutomationRule.id)).first()
    if rule is None:
        rule = AutomationRule(
            name="Demo rule",
            active=False,
            trigger={"kind": "event", "event": "customer_created"},
            event="customer_created",
            conditions=[],
            actions=[{"type": "create_task", "params": {"title": "Call"}}],
        )
    run = AutomationRun(
        rule=rule, event="customer_created", status="done", next_attempt_at=utcnow(), results=[]
    )
    db.session.add_all([rule, run])
    db.session.commit()
    return {"automation_rule_id": rule.id, "run_id": run.id}


def _import_id() -> int:
    """The demo has no imports: the first admin's upload of a small CSV (not run)."""
    from core.imports import upload
    from core.models import Role, User

    admin = db.session.scalar(
        select(User).join(Role, Role.id == User.role_id).where(Role.name == "admin").limit(1)
    )
    return upload("名称,手机\n演示导入,13800138998\n".encode(), "demo.csv", "customers", admin).id


@pytest.fixture
def demo_pages(app):
    """``demo_pages()``: (every page's URL, the routes whose ids the demo
    cannot fill) — the pages of the URL map, API and file downloads left
    out, each with the demo's ids."""

    def pages() -> tuple[list[str], list[str]]:
        ids = demo_ids()
        urls, unfilled = [], []
        for rule in get_routes(app):
            if rule.rule.startswith("/api/"):
                continue
            sales = rule.endpoint.startswith("sales.")
            key = ids["sales_key"] if sales else ids["service_key"]
            contract = ids["sales_contract_id"] if sales else ids["contract_id"]
            url = fill_route(rule, {**ids, "key": key, "contract_id": contract})
            if url is None or "None" in url:
                unfilled.append(rule.rule)
            else:
                urls.append(url)
        return urls, unfilled

    return pages
