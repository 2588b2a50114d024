"""A demo pipeline and a few deals, in English or Chinese."""

from datetime import timedelta
from decimal import Decimal

from core.api import db, utcnow

from .models import Deal, Pipeline, Stage, StageChange

STAGES = {
    "en": [("Qualification", 10), ("Needs analysis", 25), ("Proposal", 50),
           ("Negotiation", 75), ("Won", 100), ("Lost", 0)],
    "zh_CN": [("初步接洽", 10), ("需求确认", 25), ("方案报价", 50),
              ("商务谈判", 75), ("赢单", 100), ("输单", 0)],
}
NAMES = {"en": ("New business", "Annual service plan"), "zh_CN": ("新客户开发", "年度服务方案")}


def load_demo(locale, customers, users) -> None:
    pipeline_name, deal_title = NAMES[locale]
    pipeline = Pipeline(name=pipeline_name)
    db.session.add(pipeline)
    db.session.flush()
    outcomes = ["open"] * 4 + ["won", "lost"]
    stages = [Stage(pipeline_id=pipeline.id, name=n, position=i, probability=p, outcome=outcomes[i])
              for i, (n, p) in enumerate(STAGES[locale])]
    db.session.add_all(stages)
    db.session.flush()
    for i, customer in enumerate(customers):
        if customer.owner_id is None:
            continue
        stage = stages[i % 5]
        deal = Deal(
            title=f"{customer.name} · {deal_title}", customer_id=customer.id,
            pipeline_id=pipeline.id, stage_id=stage.id,
            amount=Decimal(20000 + 7500 * i), currency="CNY",
            expected_close=(utcnow() + timedelta(days=15 * (i % 6))).date(),
            owner_id=customer.owner_id, team_id=customer.team_id,
            closed_at=utcnow() if stage.outcome == "won" else None,
        )
        db.session.add(deal)
        db.session.flush()
        db.session.add_all([StageChange(deal_id=deal.id, from_stage_id=stages[k - 1].id if k else None,
                                        to_stage_id=stages[k].id, user_id=customer.owner_id,
                                        changed_at=utcnow() - timedelta(days=3 * (i % 5 - k + 1)))
                            for k in range(i % 5 + 1)])
