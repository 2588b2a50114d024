"""The insurance quality reports (plan §3.8) on the fixed book of
``report_fixtures`` (every figure worked out by hand there), through
``/api/v1/insurance/reports/...``: persistency and the daily job that marks
it, the loss ratio and the claim cycle, quote-to-bind and callback
compliance; currencies never added together."""

from __future__ import annotations

from sqlalchemy import select

from core.api import db
from plugins.insurance.models import Policy
from plugins.insurance.services.persistency import mark_persistency

from .report_fixtures import by, fixed_book, get  # noqa: F401


def test_persistency_after_the_job(as_user, fixed_book):
    p = fixed_book.p
    marks = {k: (p[k].p13, p[k].p25) for k in (1, 2, 8, 10, 11)}
    assert marks == {
        1: (False, False),
        2: (False, False),
        8: (False, False),
        10: (True, False),
        11: (True, True),
    }
    report = get(as_user(fixed_book.ann), "persistency")
    totals = by(report["totals"], "currency")
    cny = totals["CNY"]
    assert (cny["p13_count"], cny["p13_kept"], cny["p13_ape"]) == (3, 1, "11346.00")
    assert (cny["p13_rate"], cny["p13_count_rate"]) == ("0.3226", "0.3333")
    assert (cny["p25_kept"], cny["p25_rate"]) == (0, "0.0000")
    assert (totals["USD"]["p13_rate"], totals["USD"]["p25_rate"]) == ("1.0000", "1.0000")
    rows = by(report["rows"], "group", "currency")
    assert rows[("2024-02", "CNY")]["p13_rate"] == "0.4762"
    assert rows[("2024-01", "CNY")]["p13_count"] == 1  # P8 left out: cancelled in cooling-off


def test_the_persistency_job_marks_once(fixed_book):
    p10 = fixed_book.p[10]
    again = mark_persistency()
    assert again == {"p13": 0, "p25": 0}
    # a later lapse of the lineage does not change the mark
    fixed_book.p["10b"].status = "lapsed"
    db.session.commit()
    mark_persistency()
    assert db.session.scalar(select(Policy.p13).where(Policy.id == p10.id)) is True


def test_the_job_is_registered_daily(fixed_book):
    from plugins.insurance import trellis_jobs

    job = next(j for j in trellis_jobs() if j.code == "insurance.persistency")
    assert job.every_minutes == 1440
    assert job.run() == {"p13": 0, "p25": 0}  # the fixture's run marked them all


def test_loss_ratio_and_claim_cycle(as_user, fixed_book):
    report = get(as_user(fixed_book.ann), "loss-ratio")
    rows = by(report["rows"], "group", "currency")
    assert rows[("2024-01", "CNY")]["incurred"] == "0.00"
    assert rows[("2024-01", "CNY")]["ratio"] == "0.0000"
    assert (rows[("2024-02", "CNY")]["incurred"], rows[("2024-02", "CNY")]["ratio"]) == (
        "1000.00",
        "0.5747",
    )
    assert rows[("2024-03", "CNY")]["ratio"] == "-0.1265"
    totals = by(report["totals"], "currency")
    assert (totals["CNY"]["incurred"], totals["CNY"]["ratio"]) == ("800.00", "0.1642")
    assert (totals["USD"]["incurred"], totals["USD"]["ratio"]) == ("50.00", "0.5495")
    cycle = get(as_user(fixed_book.ann), "claim-cycle")
    assert cycle["totals"][0]["mean_days"] == "22.5"
    assert (cycle["totals"][0]["paid"], cycle["totals"][0]["rejected"]) == (1, 1)
    months = by(cycle["rows"], "group")
    assert months["2024-01"]["rejected_mean_days"] == "15.0"
    assert months["2024-03"]["paid_mean_days"] == "30.0"


def test_quote_to_bind_and_callback_compliance(as_user, fixed_book):
    quotes = get(as_user(fixed_book.ann), "quote-to-bind")
    rows = by(quotes["rows"], "group")
    assert (rows["2024-01"]["quotes"], rows["2024-01"]["bound"]) == (3, 3)
    assert (rows["2024-02"]["quotes"], rows["2024-02"]["rate"]) == (1, "0.0000")
    assert quotes["totals"][0]["rate"] == "0.7500"
    calls = get(as_user(fixed_book.ann), "callback-compliance")
    assert calls["totals"][0] == {"due": 1, "in_time": 0, "rate": "0.0000"}
    everyone = get(as_user(fixed_book.admin), "callback-compliance")
    assert everyone["totals"][0] == {"due": 2, "in_time": 1, "rate": "0.5000"}
