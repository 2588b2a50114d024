"""A believable quarter of sales, in English or Chinese: two pipelines, deals
created over the last 90 days with their stage history (won, lost with a
reason, still open), leads from every source in every state, a
follow-up plan by customer grade, (``plan``) the price list, commission
rule, this month's targets and a web form, and (``approvals``) an approval
flow for large deals with one deal waiting."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from core.api import create_followup_plan, db, log_activity, utcnow

from ..models import Deal, Lead, Pipeline, Stage, StageChange
from ..services.followups import RULE
from . import approvals, money, plan

PIPELINES = {
    "en": [
        (
            "New business",
            [
                ("Qualification", 10),
                ("Needs analysis", 25),
                ("Proposal", 50),
                ("Negotiation", 75),
                ("Won", 100),
                ("Lost", 0),
            ],
        ),
        (
            "Renewals",
            [("Renewal due", 40), ("Quote sent", 70), ("Renewed", 100), ("Not renewed", 0)],
        ),
    ],
    "zh_CN": [
        (
            "新客户开发",
            [
                ("初步接洽", 10),
                ("需求确认", 25),
                ("方案报价", 50),
                ("商务谈判", 75),
                ("赢单", 100),
                ("输单", 0),
            ],
        ),
        ("老客户续约", [("待续约", 40), ("已报价", 70), ("已续约", 100), ("未续约", 0)]),
    ],
}
TEXT = {
    "en": {
        "deal": [
            "Annual service plan",
            "Equipment upgrade",
            "Pilot project",
            "Maintenance contract",
        ],
        "renewal": "Renewal",
        "currency": "USD",  # the English demo is a US business
        "lost": ["Price too high", "Chose a competitor", "Budget cut", "No decision"],
        "plan": "Revisit by grade (A weekly, B fortnightly)",
        "leads": [
            ("Grace Lee", "Lee Bakery"),
            ("Henry Scott", "Scott Print Shop"),
            ("Chloe Adams", "Adams Dental"),
            ("Jack Baker", "Baker Logistics"),
            ("Emily Nelson", "Nelson Farms"),
            ("Daniel Carter", "Carter Studio"),
            ("Zoe Mitchell", "Mitchell Optics"),
            ("Ryan Perez", "Perez Garage"),
            ("Lily Roberts", None),
            ("Owen Turner", "Turner Hardware"),
        ],
        "disqualified": ["Student project, no budget", "Duplicate of an existing customer"],
        "regions": ["California", "New York", "Texas", "Washington"],
    },
    "zh_CN": {
        "deal": ["年度服务方案", "设备升级", "试点项目", "维保合同"],
        "renewal": "续约",
        "currency": "CNY",
        "lost": ["价格过高", "选择了竞争对手", "预算削减", "迟迟未决策"],
        "plan": "按等级回访（A 级每周，B 级每两周）",
        "leads": [
            ("林小雨", "小雨烘焙坊"),
            ("郭建华", "建华印务"),
            ("何丽娟", "丽娟口腔诊所"),
            ("马超", "马氏物流"),
            ("罗敏", "罗家农场"),
            ("梁晨", "晨光工作室"),
            ("宋佳", "佳视眼镜"),
            ("唐磊", "唐记汽修"),
            ("韩雪", None),
            ("冯涛", "冯记五金"),
        ],
        "disqualified": ["学生调研，无预算", "与现有客户重复"],
        "regions": ["上海市", "浙江省", "广东省", "四川省"],
    },
}
SOURCES = ("advertising", "website", "referral", "exhibition", "cold_call", "other")


def load_demo(locale, customers, users) -> None:
    rnd = random.Random(11)
    now = utcnow()
    text = TEXT[locale]
    pipelines = [_pipeline(name, stages) for name, stages in PIPELINES[locale]]
    owned = [c for c in customers if c.owner_id is not None]
    for i, customer in enumerate(owned):
        for n in range(2 if i % 3 == 0 else 1):
            pipeline = pipelines[1] if n == 1 else pipelines[0]
            title = text["renewal"] if n == 1 else text["deal"][i % len(text["deal"])]
            _deal(rnd, now, pipeline, customer, f"{customer.name} · {title}", text)
    reps = [u for u in users if u.role and u.role.name in ("sales", "manager")] or users
    for i, (name, company) in enumerate(text["leads"] * 2):
        created = now - timedelta(days=rnd.randrange(1, 88), hours=rnd.randrange(0, 9))
        status = ("new", "working", "working", "converted", "disqualified")[i % 5]
        owner = reps[i % len(reps)]
        db.session.add(
            Lead(
                name=name,
                company=company if i < 10 else None,
                source=SOURCES[i % len(SOURCES)],
                region=text["regions"][i % len(text["regions"])],
                status=status,
                phone=f"+86139{1000 + i * 37:04d}{2000 + i * 53:04d}"  # stored in E.164
                if locale == "zh_CN"
                else f"+1415555{1000 + i * 37:04d}",
                owner_id=owner.id,
                team_id=owner.team_id,
                created_at=created,
                updated_at=created,
                disqualify_reason=text["disqualified"][i % 2] if status == "disqualified" else None,
                converted_at=created + timedelta(days=5) if status == "converted" else None,
            )
        )
    db.session.flush()
    create_followup_plan(
        {"name": text["plan"], "rule": RULE, "params": {"A": 7, "B": 14, "C": 30, "D": 60}}, None
    )
    plan.load_demo(locale, reps, text["currency"])
    approvals.load_demo(locale, users)
    money.load_demo(locale, users, text["currency"])


def _pipeline(name: str, stages: list[tuple[str, int]]) -> Pipeline:
    pipeline = Pipeline(name=name)
    db.session.add(pipeline)
    db.session.flush()
    last = len(stages) - 1
    for i, (stage_name, probability) in enumerate(stages):
        outcome = "lost" if i == last else "won" if i == last - 1 else "open"
        db.session.add(
            Stage(
                pipeline_id=pipeline.id,
                name=stage_name,
                position=i,
                probability=probability,
                outcome=outcome,
            )
        )
    db.session.flush()
    db.session.refresh(pipeline)
    return pipeline


def _deal(rnd: random.Random, now, pipeline: Pipeline, customer, title: str, text: dict) -> None:
    """A deal created in the last quarter that walked part of its pipeline:
    some were won, some lost on the way, the rest are still open."""
    open_stages = [s for s in pipeline.stages if s.outcome == "open"]
    won, lost = (next(s for s in pipeline.stages if s.outcome == o) for o in ("won", "lost"))
    created = now - timedelta(days=rnd.randrange(10, 90))
    reached = rnd.randrange(1, len(open_stages) + 1)
    path = open_stages[:reached]
    ending = rnd.random()
    if ending < 0.3:
        path.append(won)
    elif ending < 0.5:
        path.append(lost)
    step = max(1, (now - created).days // (len(path) + 1))
    moments = [
        created + timedelta(days=step * k, hours=rnd.randrange(1, 8)) for k in range(len(path))
    ]
    final = path[-1]
    deal = Deal(
        title=title[:200],
        customer_id=customer.id,
        pipeline_id=pipeline.id,
        stage_id=final.id,
        amount=Decimal(rnd.randrange(8, 160) * 2500),
        currency=text["currency"],
        expected_close=(created + timedelta(days=rnd.randrange(30, 120))).date(),
        owner_id=customer.owner_id,
        team_id=customer.team_id,
        closed_at=moments[-1] if final.outcome != "open" else None,
        lost_reason=rnd.choice(text["lost"]) if final.outcome == "lost" else None,
        furthest_position=max(s.position for s in path if s.outcome != "lost"),
        created_at=created,
        updated_at=moments[-1],
    )
    db.session.add(deal)
    db.session.flush()
    db.session.add_all(
        [
            StageChange(
                deal_id=deal.id,
                to_stage_id=stage.id,
                from_stage_id=path[k - 1].id if k else None,
                user_id=customer.owner_id,
                changed_at=moments[k],
            )
            for k, stage in enumerate(path)
        ]
    )
    for k, stage in enumerate(path):  # on the customer's timeline, as a real move would be
        log_activity(
            {
                "kind": "deal_stage",
                "subject": f"{deal.title}: {stage.name}"[:200],
                "body": deal.lost_reason if stage.outcome == "lost" else None,
                "customer_id": customer.id,
                "owner_id": customer.owner_id,
                "occurred_at": moments[k].isoformat(),
                "link_type": "sales_deal",
                "link_id": deal.id,
            },
            None,
        )
