"""Pricing from the premium table, figures by hand: by age band, by sum
band, per mille, by vehicle class; the refusal names the input no row
accepts; a fixed product costs its premium."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.api import ValidationError, db
from plugins.insurance.models import Carrier, Cover, InsuranceProduct, Rate
from plugins.insurance.services.pricing import age_on, price

API = "/api/v1/insurance"
START = date(2026, 3, 1)
#: refusals speak the request's language: an app is pushed
pytestmark = pytest.mark.usefixtures("app")


def product(pricing="table", covers=(), fixed=None) -> InsuranceProduct:
    """An unsaved product: pricing reads only what it is given."""
    return InsuranceProduct(
        code="P",
        name="P",
        line="life",
        currency="CNY",
        pricing=pricing,
        fixed_premium=fixed,
        covers=[Cover(**c) for c in covers],
    )


def inputs(**given) -> dict:
    return {
        "start_date": START,
        "birth_date": None,
        "sum_insured": None,
        "vehicle_class": None,
        "covers": None,
        **given,
    }


def rate(**fields) -> Rate:
    return Rate(**{"cover_code": None, **fields})


TERM_LIFE = [
    rate(age_from=18, age_to=40, annual_premium=Decimal("800.00")),
    rate(age_from=41, age_to=60, annual_premium=Decimal("1500.00")),
]


@pytest.mark.parametrize(
    ("birth", "age", "premium"),
    [
        (date(1986, 3, 1), 40, "800.00"),  # forty on the term's first day
        (date(1986, 3, 2), 39, "800.00"),
        (date(1985, 3, 1), 41, "1500.00"),
        (date(1966, 3, 2), 59, "1500.00"),
    ],
)
def test_the_age_at_the_terms_start_picks_the_band(birth, age, premium):
    result = price(product(), inputs(birth_date=birth), TERM_LIFE)
    assert result.age == age
    assert result.annual_premium == Decimal(premium)


def test_born_on_29_february_a_person_is_a_year_older_on_1_march():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_an_age_no_band_holds_is_refused_naming_age():
    with pytest.raises(ValidationError) as refused:
        price(product(), inputs(birth_date=date(1950, 1, 1)), TERM_LIFE)
    assert list(refused.value.errors) == ["age"]
    with pytest.raises(ValidationError) as missing:
        price(product(), inputs(), TERM_LIFE)
    assert list(missing.value.errors) == ["birth_date"]


def test_per_mille_by_sum_band_rounds_half_up_to_the_cent():
    """123,457 × 1.2345 ‰ = 152.4076… → 152.41; 600,000 × 0.9 ‰ = 540.00;
    100,001 × 0.005 ‰ = 0.500005 → 0.50; 1,000 × 0.005 ‰ = 0.005 → 0.01 (half up)."""
    rows = [
        rate(sum_from=Decimal("0"), sum_to=Decimal("500000"), rate_per_mille=Decimal("1.2345")),
        rate(sum_from=Decimal("500000.01"), rate_per_mille=Decimal("0.9")),
    ]
    cases = {"123457": "152.41", "600000": "540.00"}
    for amount, premium in cases.items():
        result = price(product(), inputs(sum_insured=Decimal(amount)), rows)
        assert result.annual_premium == Decimal(premium)
    tiny = [rate(rate_per_mille=Decimal("0.005"))]
    assert price(product(), inputs(sum_insured=Decimal("1000")), tiny).annual_premium == Decimal(
        "0.01"
    )


def test_a_sum_no_band_holds_is_refused_naming_sum_insured():
    rows = [rate(sum_from=Decimal("10000"), sum_to=Decimal("50000"), rate_per_mille=Decimal("2"))]
    for amount in (Decimal("9999.99"), None):
        with pytest.raises(ValidationError) as refused:
            price(product(), inputs(sum_insured=amount), rows)
        assert list(refused.value.errors) == ["sum_insured"]


def test_motor_covers_by_vehicle_class_add_up():
    """TPL class B 1,100.00 + own damage 150,000 × 12.5 ‰ = 1,875.00 → 2,975.00."""
    motor = product(
        covers=[
            {"code": "TPL", "name": "TPL", "mandatory": True, "min_sum_insured": Decimal("0")},
            {"code": "OD", "name": "OD", "min_sum_insured": Decimal("10000")},
        ]
    )
    rows = [
        rate(cover_code="TPL", vehicle_class="A", annual_premium=Decimal("950.00")),
        rate(cover_code="TPL", vehicle_class="B", annual_premium=Decimal("1100.00")),
        rate(cover_code="OD", rate_per_mille=Decimal("12.5")),
    ]
    chosen = [
        {"code": "TPL", "sum_insured": None},
        {"code": "OD", "sum_insured": Decimal("150000")},
    ]
    result = price(motor, inputs(vehicle_class="B", covers=chosen), rows)
    assert [(c.code, c.annual_premium) for c in result.covers] == [
        ("TPL", Decimal("1100.00")),
        ("OD", Decimal("1875.00")),
    ]
    assert result.annual_premium == Decimal("2975.00")
    with pytest.raises(ValidationError) as refused:
        price(motor, inputs(vehicle_class="C", covers=chosen), rows)
    assert list(refused.value.errors) == ["vehicle_class"]
    with pytest.raises(ValidationError) as left_out:
        price(motor, inputs(vehicle_class="A", covers=chosen[1:]), rows)
    assert list(left_out.value.errors) == ["covers"]
    too_small = [chosen[0], {"code": "OD", "sum_insured": Decimal("5000")}]
    with pytest.raises(ValidationError) as small:
        price(motor, inputs(vehicle_class="A", covers=too_small), rows)
    assert list(small.value.errors) == ["covers.1.sum_insured"]


def test_without_a_choice_the_mandatory_covers_are_priced():
    motor = product(covers=[{"code": "TPL", "name": "TPL", "mandatory": True}])
    rows = [rate(cover_code="TPL", annual_premium=Decimal("950.00"))]
    assert price(motor, inputs(), rows).annual_premium == Decimal("950.00")


def test_a_fixed_product_costs_its_premium():
    fixed = product(pricing="fixed", fixed=Decimal("365.00"))
    assert price(fixed, inputs(), []).annual_premium == Decimal("365.00")


def test_the_price_endpoint_reads_the_stored_table(as_user, make_user):
    carrier = Carrier(code="C", name="C")
    db.session.add(carrier)
    db.session.flush()
    life = InsuranceProduct(
        carrier_id=carrier.id,
        code="TL",
        name="Term life",
        line="life",
        pricing="table",
        currency="CNY",
        effective_from=date(2026, 1, 1),
    )
    db.session.add(life)
    db.session.flush()
    db.session.add_all([Rate(product_id=life.id, **_fields(r)) for r in TERM_LIFE])
    db.session.commit()
    client = as_user(make_user(role="manager"))
    ok = client.post(
        f"{API}/products/{life.id}/price",
        json={"start_date": "2026-03-01", "birth_date": "1986-03-01"},
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["annual_premium"] == "800.00" and ok.json["age"] == 40
    old = client.post(
        f"{API}/products/{life.id}/price",
        json={"start_date": "2026-03-01", "birth_date": "1940-03-01"},
    )
    assert old.status_code == 422 and list(old.json["errors"]) == ["age"]
    bad = client.post(f"{API}/products/{life.id}/price", json={"birth_date": "1986-03-01"})
    assert bad.status_code == 422 and "start_date" in bad.json["errors"]


def _fields(row: Rate) -> dict:
    return {k: getattr(row, k) for k in ("cover_code", "age_from", "age_to", "annual_premium")}
