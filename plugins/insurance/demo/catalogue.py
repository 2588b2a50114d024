"""The demo's carrier, its products with their real terms and premium
tables, its commission rules and the agents who sell them — all written
through the catalogue, rates, commission-rule and agent services.

The demo carrier accepts backdated business: its products take terms
starting up to two years back (``backdate_days`` 730), so the story can
hold terms that began months ago and were issued through the ordinary
quote → bind → issue path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.api import User, add_months

from ..models import Carrier, InsuranceProduct
from ..services.agents import create_agent
from ..services.catalogue import create_carrier, create_product
from ..services.commission.rules import create_rule
from ..services.rates import set_rates

#: how far back the demo carrier accepts a term's start
BACKDATE_DAYS = 730


@dataclass
class Catalogue:
    carrier: Carrier
    motor: InsuranceProduct
    life: InsuranceProduct
    home: InsuranceProduct
    health: InsuranceProduct


def build_catalogue(text: dict, admin: User, today: date) -> Catalogue:
    """The carrier and its four products: motor (premium table by vehicle
    class, paid yearly or monthly), term life (per mille of the sum insured
    by age band, callback required, 15 days' cooling-off), home (a fixed
    premium), outpatient health (a fixed premium; its outpatient cover pays
    80 % of registration, consultation, drugs, lab tests and imaging above a
    deductible, up to a limit a policy year — what a hospital's cashier
    takes as the insurance share); and the commission rules (the carrier's,
    and life's own)."""
    since = add_months(today, -36)
    carrier = create_carrier({"code": "EVG", "name": text["carrier"]}, admin)
    covers = text["covers"]
    common = {
        "carrier_id": carrier.id,
        "currency": text["currency"],
        "effective_from": since.isoformat(),
        "backdate_days": BACKDATE_DAYS,
        "renewal_lead_days": 45,
        "renewal_late_days": 30,
    }
    motor = create_product(
        {
            **common,
            "code": "EVG-MOTOR",
            "name": text["motor"],
            "line": "motor",
            "pricing": "table",
            "frequencies": ["annual", "monthly"],
            "grace_days": 30,
            "cooling_off_days": 0,
            "reinstatement_days": 180,
            "clawback_months": 12,
            "clawback_percent": "100",
            "claim_documents": ["claim_form", "invoice", "photo"],
            "covers": [
                {"code": "TPL", "name": covers["TPL"], "mandatory": True},
                {
                    "code": "OD",
                    "name": covers["OD"],
                    "min_sum_insured": "1000",
                    "default_deductible": text["deductible"],
                },
            ],
        },
        admin,
    )
    set_rates(
        motor,
        [
            *(
                {"cover_code": "TPL", "vehicle_class": klass, "annual_premium": amount}
                for klass, amount in text["tpl"].items()
            ),
            *(
                {"cover_code": "OD", "vehicle_class": klass, "rate_per_mille": rate}
                for klass, rate in text["od"].items()
            ),
        ],
        admin,
    )
    life = create_product(
        {
            **common,
            "code": "EVG-LIFE",
            "name": text["life"],
            "line": "life",
            "pricing": "table",
            "frequencies": ["annual", "monthly"],
            "grace_days": 60,
            "cooling_off_days": 15,
            "cooling_off_fee": text["cooling_off_fee"],
            "reinstatement_days": 730,
            "callback_required": True,
            "recorded_sale_required": True,
            "clawback_months": 24,
            "clawback_percent": "100",
            "covers": [
                {
                    "code": "DEATH",
                    "name": covers["DEATH"],
                    "mandatory": True,
                    "min_sum_insured": "10000",
                }
            ],
        },
        admin,
    )
    set_rates(
        life,
        [
            {"cover_code": "DEATH", "age_from": 18, "age_to": 35, "rate_per_mille": "1.2"},
            {"cover_code": "DEATH", "age_from": 36, "age_to": 50, "rate_per_mille": "2.6"},
            {"cover_code": "DEATH", "age_from": 51, "age_to": 75, "rate_per_mille": "6.8"},
        ],
        admin,
    )
    home = create_product(
        {
            **common,
            "code": "EVG-HOME",
            "name": text["home"],
            "line": "property",
            "pricing": "fixed",
            "fixed_premium": text["home_premium"],
            "frequencies": ["annual"],
            "grace_days": 30,
            "cooling_off_days": 0,
            "covers": [{"code": "BLDG", "name": covers["BLDG"], "mandatory": True}],
        },
        admin,
    )
    copay, deductible, limit = text["outpatient"]
    health = create_product(
        {
            **common,
            "code": "EVG-OPD",
            "name": text["health"],
            "line": "health",
            "pricing": "fixed",
            "fixed_premium": text["health_premium"],
            "frequencies": ["annual"],
            "cooling_off_days": 15,
            "claim_documents": ["claim_form", "invoice", "medical"],
            "covers": [{"code": "OPD", "name": covers["OPD"], "mandatory": True}],
            "outpatient_copay_percent": copay,
            "outpatient_deductible": deductible,
            "outpatient_limit": limit,
            "outpatient_categories": ["registration", "consultation", "drug", "lab", "imaging"],
        },
        admin,
    )
    create_rule(
        {
            "carrier_id": carrier.id,
            "first_year_rate": "0.15",
            "renewal_rate": "0.08",
            "agent_share": "0.6",
            "leader_override": "0.1",
            "effective_from": since.isoformat(),
        },
        admin,
    )
    create_rule(
        {
            "carrier_id": carrier.id,
            "product_id": life.id,
            "first_year_rate": "0.35",
            "renewal_rate": "0.05",
            "agent_share": "0.6",
            "leader_override": "0.1",
            "effective_from": since.isoformat(),
        },
        admin,
    )
    return Catalogue(carrier, motor, life, home, health)


def license_agents(users: list[User], admin: User, today: date) -> None:
    """Each demo user but the administrator an agent, licensed two more
    years; the first (the manager) is the team leader and the upline of the
    last one, who thus earns the leader an override on every premium."""
    leader, *others = users[1:]
    for n, user in enumerate([leader, *others], 1):
        create_agent(
            {
                "user_id": user.id,
                "code": f"AG{n:03}",
                "rank": "team_leader" if user is leader else "agent",
                "upline_user_id": leader.id if user is others[-1] else None,
                "licence_no": f"0201{n:04}000{n:04}",
                "licence_expires_on": (today + timedelta(days=730)).isoformat(),
            },
            admin,
        )
