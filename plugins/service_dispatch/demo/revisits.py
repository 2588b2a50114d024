"""Demo revisits (回访): the follow-up plan that asks customers after each
job, and the verdicts of the first finished demo orders — one happy (the
order closes), one unhappy (the order reopens for another visit)."""

from sqlalchemy import select

from core.api import create_followup_plan, db

from ..models import WorkOrder
from ..services.revisits import RULE, record_revisit

TEXT = {
    "en": {
        "plan": "Service revisit one day after the job",
        "comments": [
            "Quick and tidy, the unit works well.",
            "Still making a noise after the visit.",
        ],
    },
    "zh_CN": {
        "plan": "完工一天后服务回访",
        "comments": ["上门及时，安装整洁，机器运行正常。", "维修后还有异响，不满意。"],
    },
}
SCORES = (5, 2)


def load_demo(locale, customers, users) -> None:
    text = TEXT.get(locale, TEXT["en"])
    create_followup_plan(
        {
            "name": text["plan"],
            "rule": RULE,
            "params": {"after_days": 1, "low_score": 2, "on_low_score": "reopen"},
        },
        None,
    )
    done = db.session.scalars(
        select(WorkOrder)
        .where(WorkOrder.status == "completed")
        .order_by(WorkOrder.id)
        .limit(len(SCORES))
    ).all()
    for order, score, comment in zip(done, SCORES, text["comments"], strict=False):
        record_revisit(order, score, comment, None)
