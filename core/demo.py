"""Believable demo data in English or Chinese, loaded by ``trellis init --demo``.

Core adds teams, users, customers, contacts, activities and a follow-up
plan; then each enabled plugin adds its own through ``trellis_demo_data``.
Everything goes through the service functions, so demo data obeys the same
rules as real data.

Each language's demo is set in one market, whatever the instance's settings:
the English demo is an American business (dollars, New York time), the
Chinese one a business in China (yuan, Shanghai time). The demo's staff read
times on that market's clock; the plugins price their records in its
currency.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from flask_babel import force_locale

from core.automation import save_rule
from core.consents import record_consent
from core.extensions import db
from core.followups import create_plan
from core.models import User, utcnow
from core.registry import current_registry
from core.services.activities import log_activity
from core.services.contacts import create_contact
from core.services.customers import create_customer
from core.services.directory import save_field_definition
from core.services.users import create_team, create_user

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "teams": ["East Sales", "West Sales"],
        "users": [("Emma Clark", "emma"), ("Liam Turner", "liam"), ("Olivia Reed", "olivia")],
        "companies": [
            "Northwind Traders",
            "Blue Harbor Logistics",
            "Greenleaf Foods",
            "Summit Machinery",
            "Brightline Clinics",
            "Oakridge Insurance Brokers",
            "Silverstream Water",
            "Redwood Property Services",
            "Maple Dental Group",
            "Harborview Hotels",
            "Pinecrest Engineering",
            "Sunrise Air Conditioning",
        ],
        "industries": ["Retail", "Logistics", "Food", "Manufacturing", "Healthcare", "Insurance"],
        "regions": [
            ("California", "San Francisco"),
            ("New York", "New York"),
            ("Texas", "Austin"),
            ("Washington", "Seattle"),
        ],
        "contacts": [
            "James Miller",
            "Sophia Davis",
            "Noah Wilson",
            "Ava Moore",
            "Lucas Hall",
            "Mia Young",
            "Ethan King",
            "Isabella Wright",
        ],
        "titles": ["Purchasing Manager", "CEO", "Operations Director", "IT Lead"],
        "activities": [
            ("call", "Introductory call"),
            ("email", "Sent product brochure"),
            ("meeting", "On-site demo"),
            ("visit", "Quarterly visit"),
            ("note", "Budget approved for next quarter"),
        ],
        "task": "Call back about the quote",
        "plan": "Grade A revisit every 14 days",
        "rule": ("New customer → call within a day", "Call the new customer"),
        "sources": ["website", "referral", "exhibition", "cold call", "advertising"],
        "tags": ["key account", "price sensitive", "renewal due"],
        "timezone": "America/New_York",
        "size": ("Company size", ["1–10", "11–50", "51–200", "over 200"]),
        "office_phone": "+1 (415) 555-{n:04d}",
        "mobile": "+1 (628) 555-{n:04d}",
    },
    "zh_CN": {
        "teams": ["华东销售部", "华南销售部"],
        "users": [("王芳", "wangfang"), ("李强", "liqiang"), ("张伟", "zhangwei")],
        "companies": [
            "上海恒通贸易有限公司",
            "杭州绿源食品有限公司",
            "深圳锐捷机械有限公司",
            "广州康宁诊所",
            "苏州清泉净水科技有限公司",
            "南京华泰保险代理有限公司",
            "成都蓝海物流有限公司",
            "北京博远物业服务有限公司",
            "武汉美齿口腔连锁",
            "厦门海景酒店管理有限公司",
            "天津松柏工程有限公司",
            "重庆晨光空调设备有限公司",
        ],
        "industries": ["零售", "物流", "食品", "制造", "医疗", "保险"],
        "regions": [("上海市", "上海"), ("浙江省", "杭州"), ("广东省", "深圳"), ("四川省", "成都")],
        "contacts": ["陈静", "刘洋", "杨磊", "赵敏", "黄勇", "周婷", "吴昊", "徐丽"],
        "titles": ["采购经理", "总经理", "运营总监", "信息部主管"],
        "activities": [
            ("call", "首次电话沟通"),
            ("email", "发送产品资料"),
            ("meeting", "上门演示"),
            ("visit", "季度拜访"),
            ("note", "客户下季度预算已批"),
        ],
        "task": "回电确认报价",
        "plan": "A 级客户每 14 天回访",
        "rule": ("新客户 → 1 天内电话联系", "电话联系新客户"),
        "sources": ["官网", "转介绍", "展会", "电话陌拜", "广告投放"],
        "tags": ["重点客户", "价格敏感", "即将续约"],
        "timezone": "Asia/Shanghai",
        "size": ("公司规模", ["10 人以下", "11–50 人", "51–200 人", "200 人以上"]),
        # with the country code: the Chinese demo may load on an instance elsewhere
        "office_phone": "+86 21 6{n:03d} 8800",
        "mobile": "+86 138 0013 {n:04d}",
    },
}


def load_demo(locale: str, admin: User, seed: int = 7) -> None:
    """Add the demo records (core's, then each enabled plugin's). Text the
    services write for users (timeline notes …) is in the demo's language,
    whatever the instance's default."""
    with force_locale(locale):
        _load_demo(locale, admin, seed)


def _load_demo(locale: str, admin: User, seed: int) -> None:
    text = TEXT[locale]
    rnd = random.Random(seed)
    now = utcnow()
    teams = [create_team(name, admin) for name in text["teams"]]
    size_label, sizes = text["size"]
    save_field_definition(
        None,
        {
            "entity": "customer",
            "key": "size",
            "label": size_label,
            "type": "choice",
            "options": sizes,
        },
        admin,
    )
    users = [
        create_user(
            {
                "email": f"{login}@example.com",
                "name": name,
                "team_id": teams[i % 2].id,
                "password": f"demo-{login}-pass",
                "locale": locale,
                "timezone": text["timezone"],
            },
            admin,
            role="manager" if i == 0 else "sales",
        )
        for i, (name, login) in enumerate(text["users"])
    ]
    customers = []
    for i, company in enumerate(text["companies"]):
        owner = users[i % len(users)] if i % 6 != 5 else None  # every sixth in the pool
        region, city = text["regions"][i % len(text["regions"])]
        domain = company.split()[0].lower() if locale == "en" else f"demo{i}"
        created = create_customer(
            {
                "name": company,
                "industry": text["industries"][i % len(text["industries"])],
                "grade": "ABCD"[i % 4],
                "stage": ["customer", "prospect", "lead", "vip"][i % 4],
                "source": text["sources"][i % len(text["sources"])],
                "owner_id": owner.id if owner else None,
                "region": region,
                "city": city,
                "phones": [text["office_phone"].format(n=100 + i * 7)],
                "emails": [f"info{i}@{domain}.example.com"],
                "tags": [text["tags"][i % len(text["tags"])]],
                "custom_fields": {"size": sizes[i % len(sizes)]},
            },
            admin,
        )
        customer = created.customer
        customers.append(customer)
        for j in range(2):
            create_contact(
                {
                    "customer_id": customer.id,
                    "name": text["contacts"][(i * 2 + j) % len(text["contacts"])],
                    "title": text["titles"][(i + j) % len(text["titles"])],
                    "phones": [text["mobile"].format(n=rnd.randrange(1000, 9999))],
                    "is_primary": j == 0,
                },
                admin,
            )
        for k, (kind, subject) in enumerate(text["activities"][: 2 + i % 3]):
            log_activity(
                {
                    "kind": kind,
                    "subject": subject,
                    "customer_id": customer.id,
                    "owner_id": owner.id if owner else admin.id,
                    "direction": "out",
                    "occurred_at": (now - timedelta(days=40 - k * 9 - i)).isoformat(),
                },
                admin,
            )
        if owner and i % 3 == 0:
            log_activity(
                {
                    "kind": "task",
                    "subject": text["task"],
                    "customer_id": customer.id,
                    "owner_id": owner.id,
                    "due_at": (now + timedelta(days=(i % 5) - 2)).isoformat(),
                },
                admin,
            )
    _demo_consents(customers, admin)
    create_plan(
        {
            "name": text["plan"],
            "rule": "customer_interval",
            "params": {"grade": "A", "every_days": 14},
        },
        admin,
    )
    current_registry().pm.hook.trellis_demo_data(
        locale=locale, customers=customers, users=[admin, *users]
    )
    rule_name, task = text["rule"]
    save_rule(  # last: the demo's own customers do not run it
        {
            "name": rule_name,
            "trigger": {"kind": "event", "event": "customer_created"},
            "actions": [{"type": "create_task", "params": {"title": task, "due_in_days": 1}}],
        },
        None,
        admin,
    )
    db.session.commit()


def _demo_consents(customers: list[Any], admin: User) -> None:
    """Two customers in three agreed to marketing by e-mail and SMS — on a
    list imported as already confirmed (double opt-in done elsewhere), so
    the demo's campaigns have someone to reach and send no confirmation."""
    for i, customer in enumerate(customers):
        if i % 3 == 2:
            continue
        for channel in ("email", "sms"):
            payload = {"channel": channel, "purpose": "marketing", "status": "granted"}
            record_consent(customer, payload, admin, already_confirmed=True)
