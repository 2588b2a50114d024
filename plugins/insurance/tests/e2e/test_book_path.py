"""The book's whole path in a browser, in English and in Chinese, as the
people of an office walk it: an agent quotes a monthly motor policy from a
customer's page (its header's "New quote") and binds it; the manager
(``insurance.policy.issue``) issues it; the agent records the first
instalment. Then a month's premium is missed: the nightly arrears job —
run here from the test, against the database the live server reads — puts
the term in grace a day after the second instalment's due date and lapses
it a day after its grace ends. The manager reinstates it, paying the
arrears the form shows; the agent reports a claim from the customer's
Claims tab; the claims assessor submits, assesses, approves and pays it;
the manager renews the term in one step from the policy page's renewal
panel.

The term starts eleven months and some days ago (the demo carrier takes
terms backdated two years), so that it ends within the product's renewal
lead of 45 days; the product's reinstatement window is widened to a year,
the lapse being some nine months back. After each step the test reads what
the user sees — the status badge and the history, in the user's locale —
and the Chinese pages show no catalogue message in English."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.api import Team, add_months, db
from plugins.insurance.demo.catalogue import build_catalogue
from plugins.insurance.demo.texts import TEXT
from plugins.insurance.models import Claim, Policy, PolicyTransaction, PremiumInstalment
from plugins.insurance.services.catalogue import update_product
from plugins.insurance.services.premiums.arrears import run_arrears
from plugins.insurance.services.premiums.schedule import arrears
from plugins.insurance.services.states import CLAIM, POLICY
from plugins.insurance.services.terms import today
from plugins.insurance.views.policies import KIND_LABELS

from ..factories import licensed_agent
from .office import in_locale, said, shown_date, shown_money, sign_in

CUSTOMER = {"en": "Harbour Freight", "zh_CN": "上海港湾货运有限公司"}
CLAIMED = "1200.00"


def status_badge(page: Page):
    """The policy's (or the claim's) status as its page's summary shows it."""
    return page.locator("section.card dl .badge").first


def history(page: Page):
    return page.locator("#history tbody tr")


def kinds(policy: Policy) -> list[str]:
    return list(
        db.session.scalars(
            select(PolicyTransaction.kind)
            .where(PolicyTransaction.policy_id == policy.id)
            .order_by(PolicyTransaction.seq)
        )
    )


def instalments(policy: Policy) -> list[PremiumInstalment]:
    rows = db.session.scalars(
        select(PremiumInstalment)
        .where(PremiumInstalment.policy_id == policy.id)
        .order_by(PremiumInstalment.seq)
    ).all()
    for row in rows:
        db.session.refresh(row)
    return list(rows)


@pytest.fixture
def office(make_user, make_customer):
    """One office per locale: an administrator who sets up the catalogue,
    an agent and the manager of the agent's team, a claims assessor, the
    agent's customer, and the demo carrier's motor product."""

    def build(locale: str) -> SimpleNamespace:
        text = TEXT[locale]
        team = Team(name="Motor desk")
        db.session.add(team)
        db.session.commit()
        admin = make_user(role="admin", locale=locale)
        agent = make_user(role="insurance_agent", team=team, locale=locale)
        manager = make_user(role="manager", team=team, locale=locale)
        assessor = make_user(role="claims_assessor", locale=locale)
        licensed_agent(agent, "E2E1")
        catalogue = build_catalogue(text, admin, today())
        # the lapse is some nine months back when the manager reinstates
        motor = update_product(
            catalogue.motor, {"reinstatement_days": 365, "renewal_lead_days": 45}, admin
        )
        customer = make_customer(name=CUSTOMER[locale], owner_id=agent.id)
        db.session.commit()
        return SimpleNamespace(
            text=text,
            agent=agent,
            manager=manager,
            assessor=assessor,
            motor=motor,
            customer=customer,
        )

    return build


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_policy_goes_from_quote_through_lapse_and_claim_to_renewal(
    page: Page, live_server, office, shoot, locale
):
    book = office(locale)
    english: dict[str, list[str]] = {}
    start = add_months(today(), -12) + timedelta(days=20)  # ends in about 19 days

    def state(status: str) -> str:
        return said(locale, POLICY.state_label, status)

    def policy_page(policy: Policy) -> None:
        page.goto(f"{live_server}/insurance/policies/{policy.id}")
        in_locale(page, locale, english)

    policy = quote_bind_issue_and_pay(page, live_server, book, start, locale, english)

    # 2. "miss one": the second instalment is not paid; the nightly job runs
    second = instalments(policy)[1]
    db.session.expire_all()
    assert run_arrears(on=second.due_on + timedelta(days=1))["graced"] == 1
    db.session.refresh(policy)
    grace_ends = policy.grace_ends_on
    assert policy.status == "grace" and grace_ends == second.due_on + timedelta(days=30)
    policy_page(policy)
    expect(status_badge(page)).to_have_text(state("grace"))
    expect(page.locator("#summary")).to_contain_text(shown_date(locale, grace_ends))
    expect(page.locator("#premiums dl .badge")).to_have_text(shown_date(locale, grace_ends))

    db.session.expire_all()
    assert run_arrears(on=grace_ends + timedelta(days=1))["lapsed"] == 1
    policy_page(policy)
    expect(status_badge(page)).to_have_text(state("lapsed"))
    expect(history(page)).to_have_count(2)
    expect(history(page).nth(1)).to_contain_text(said(locale, KIND_LABELS["lapse"]))
    expect(page.locator("#reinstate")).to_have_count(0)  # an agent may not reinstate
    db.session.refresh(policy)
    assert policy.status == "lapsed" and kinds(policy) == ["new_business", "lapse"]

    # 3. the manager reinstates it, paying the arrears the form shows
    sign_in(page, live_server, book.manager.email)
    policy_page(policy)
    db.session.expire_all()  # what the server wrote, not what this session read
    owed = arrears(policy.id, today())
    assert owed > 0
    form = page.locator("#reinstate")
    expect(form.locator("p strong")).to_have_text(shown_money(locale, owed, policy.currency))
    expect(form.locator("#f-reinstate-amount")).to_have_value(str(owed))
    # a motor term: no health declaration (life and health terms need one)
    expect(form.locator("input[name=health_declaration]")).to_have_count(0)
    form.locator("#f-reinstate-method").select_option("bank_transfer")
    form.locator("#f-reinstate-reference").fill("E2E-R1")
    form.locator("button[type=submit]").click()
    expect(status_badge(page)).to_have_text(state("in_force"))
    expect(page.locator("#reinstate")).to_have_count(0)
    expect(history(page)).to_have_count(3)
    expect(history(page).nth(2)).to_contain_text(said(locale, KIND_LABELS["reinstatement"]))
    in_locale(page, locale, english)
    db.session.expire_all()
    assert policy.status == "in_force" and policy.lapsed_on is None
    assert kinds(policy) == ["new_business", "lapse", "reinstatement"]
    assert arrears(policy.id, today()) == 0

    # 4. the agent reports a claim; the assessor takes it to paid
    loss = start + timedelta(days=10)
    claim = report_a_claim(page, live_server, book, policy, loss, locale, english)
    sign_in(page, live_server, book.assessor.email)
    page.goto(f"{live_server}/insurance/claims/{claim.id}")
    for action, status in (
        ("submit", "submitted"),
        ("assess", "assessing"),
        ("approve", "approved"),
        ("pay", "paid"),
    ):
        page.locator(f"#move-{action} button[type=submit]").click()
        expect(status_badge(page)).to_have_text(said(locale, CLAIM.state_label, status))
        in_locale(page, locale, english)
    expect(history(page)).to_have_count(5)  # reported and the four moves
    expect(history(page).nth(4)).to_contain_text(said(locale, CLAIM.action_label, "pay"))
    db.session.refresh(claim)
    assert claim.status == "paid" and str(claim.paid_amount) == CLAIMED
    assert claim.handler_id == book.assessor.id

    # 5. the manager renews the term in one step from its renewal panel
    sign_in(page, live_server, book.manager.email)
    policy_page(policy)
    renew = page.locator(f"#renewal form[action$='/renewals/{policy.id}/renew']")
    renew.locator("button[type=submit]").click()
    expect(page.locator("#renewal-state .badge")).to_have_text(state("renewed"))
    expect(status_badge(page)).to_have_text(state("renewed"))
    in_locale(page, locale, english)
    db.session.refresh(policy)
    successor = db.session.scalar(select(Policy).where(Policy.predecessor_id == policy.id))
    assert policy.status == "renewed"
    assert successor is not None and successor.status == "in_force"
    assert successor.term_no == 2 and successor.number == policy.number
    assert successor.start_date == policy.end_date + timedelta(days=1)
    page.locator("#renewal-state a").click()
    page.wait_for_url(f"**/insurance/policies/{successor.id}")
    expect(status_badge(page)).to_have_text(state("in_force"))
    expect(page.locator("#renewal")).to_contain_text(shown_date(locale, policy.start_date))
    expect(history(page)).to_have_count(1)
    assert kinds(successor) == ["renewal"]
    expect(history(page).first).to_contain_text(said(locale, KIND_LABELS["renewal"]))
    in_locale(page, locale, english)
    shoot(page, f"insurance-book-path-{locale}")
    assert english == {}, english  # every page of the path in Chinese


def quote_bind_issue_and_pay(
    page: Page, base: str, book, start: date, locale: str, english: dict
) -> Policy:
    """Step 1: the agent quotes (monthly) from the customer's page and
    binds; the manager issues; the agent pays the first instalment."""
    text = book.text
    description, plate = text["car"]
    sign_in(page, base, book.agent.email)
    page.goto(f"{base}/customers/{book.customer.id}")  # "New quote" in the page's header
    new_quote = page.locator("a[href*='/insurance/quotes/new']").first
    expect(new_quote).to_be_visible()
    in_locale(page, locale, english)
    new_quote.click()
    in_locale(page, locale, english)
    page.locator("select[name=product_id]").select_option(str(book.motor.id))
    page.locator("#quote-start button[type=submit]").click()
    form = page.locator("#quote-form")
    form.locator("input[name=start_date]").fill(start.isoformat())
    form.locator("select[name=frequency]").select_option("monthly")
    form.locator("input[name=insured_name]").fill(text["members"][0][0])
    form.locator("input[name=birth_date]").fill("1982-04-16")
    form.locator("input[name=object_description]").fill(description)
    form.locator("input[name=plate]").fill(plate)
    form.locator("input[name=vehicle_class]").fill("car")
    in_locale(page, locale, english)
    form.locator("button[type=submit]").first.click()
    page.wait_for_url("**/insurance/policies/*")
    policy = db.session.scalar(select(Policy).where(Policy.customer_id == book.customer.id))
    assert policy is not None and policy.status == "quoted"
    assert policy.frequency == "monthly" and policy.start_date == start
    expect(status_badge(page)).to_have_text(said(locale, POLICY.state_label, "quoted"))
    in_locale(page, locale, english)
    page.locator("#move-bind button[type=submit]").click()
    expect(status_badge(page)).to_have_text(said(locale, POLICY.state_label, "bound"))
    expect(page.locator("#move-issue")).to_have_count(0)  # an agent may not issue

    sign_in(page, base, book.manager.email)
    page.goto(f"{base}/insurance/policies/{policy.id}")
    page.locator("#move-issue button[type=submit]").click()
    expect(status_badge(page)).to_have_text(said(locale, POLICY.state_label, "in_force"))
    db.session.refresh(policy)
    assert policy.status == "in_force" and policy.number
    rows = instalments(policy)
    assert len(rows) == 12 and rows[0].due_on == start  # monthly
    expect(page.locator("#premiums table").first.locator("tbody tr")).to_have_count(12)

    sign_in(page, base, book.agent.email)
    page.goto(f"{base}/insurance/policies/{policy.id}")
    page.locator("#pay summary").click()
    page.locator("#f-pay-method").select_option("bank_transfer")
    page.locator("#f-pay-reference").fill("E2E-0001")
    page.locator("#pay button[type=submit]").click()
    expect(page.locator("#premiums")).to_contain_text("E2E-0001")
    first, second = instalments(policy)[:2]
    assert first.settled_on == today() and second.settled_on is None
    page.goto(f"{base}/insurance/policies/{policy.id}")
    expect(history(page)).to_have_count(1)
    expect(history(page).first).to_contain_text(said(locale, KIND_LABELS["new_business"]))
    expect(page.locator("#summary")).to_contain_text(shown_date(locale, second.due_on))  # next due
    in_locale(page, locale, english)
    db.session.refresh(policy)
    assert policy.next_due_on == second.due_on and kinds(policy) == ["new_business"]
    return policy


def report_a_claim(
    page: Page, base: str, book, policy: Policy, loss: date, locale: str, english: dict
) -> Claim:
    """The agent reports a claim on ``policy`` from the customer's Claims tab
    (``loss``: inside the term, before the gap the lapse left)."""
    sign_in(page, base, book.agent.email)
    page.goto(f"{base}/customers/{book.customer.id}")
    page.locator("#tab-claims").click()
    report = page.locator(f"a[href*='/insurance/claims/new?policy_id={policy.id}']")
    expect(report).to_be_visible()
    in_locale(page, locale, english)
    report.click()
    page.wait_for_url("**/insurance/claims/new*")
    in_locale(page, locale, english)
    form = page.locator("form.card[method=post]")
    form.locator("input[name=loss_date]").fill(loss.isoformat())
    form.locator("input[name=claimed_amount]").fill(CLAIMED)
    form.locator("textarea[name=description]").fill(book.text["paid_claim"])
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/insurance/claims/*")
    expect(status_badge(page)).to_have_text(said(locale, CLAIM.state_label, "reported"))
    in_locale(page, locale, english)
    claim = db.session.scalar(select(Claim).where(Claim.policy_id == policy.id))
    assert claim is not None and claim.loss_date == loss
    return claim
