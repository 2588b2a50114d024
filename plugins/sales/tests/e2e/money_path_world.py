"""What the money path's browser test sets up through the services — only
what lies outside the path: the people (an admin, a manager and a rep of one
team, a finance user with the plugin's finance role), the rep's customer
with billing details and a contact, the rep's deal with a product line, the
approval flows (quotes more than 15 % below the list price and every
contract: a manager) and a commission rule on collected money. Everything
after that is done in the browser (``test_money_path.py``).

``TEXT`` is what a user reads on the path, per locale; ``cny`` formats an
amount of yuan as each locale writes money (worked out by hand, not by the
code under test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.api import Team, db, save_approval_flow
from plugins.sales.services import commission as commission_service
from plugins.sales.services import deals as deal_service
from plugins.sales.services import pipelines as pipeline_service
from plugins.sales.services import products as product_service
from plugins.sales.services.invoices.billing import save_billing_profile

PASSWORD = "correct horse battery"
#: a valid unified social credit code (统一社会信用代码): the suite's region is CN
USCC = "91110000600037341L"

NAMES = {
    "en": {
        "team": "East",
        "admin": "Ada Admin",
        "manager": "Max Manager",
        "rep": "Rita Rep",
        "finance": "Fiona Finance",
        "customer": "Green Leaf Tea Trading Ltd",
        "contact": "Li Na",
        "product": "Tea set",
        "deal": "Tea sets for every office",
        "rule": "Collected money",
        "quote_flow": "Deep discounts",
        "contract_flow": "Every contract",
        "pipeline": "New business",
        "stages": ("Proposal", "Won", "Lost"),
    },
    "zh_CN": {
        "team": "华东",
        "admin": "系统管理员",
        "manager": "李经理",
        "rep": "王芳",
        "finance": "赵会计",
        "customer": "杭州绿茶贸易有限公司",
        "contact": "李娜",
        "product": "茶具套装",
        "deal": "全公司茶具采购",
        "rule": "回款提成",
        "quote_flow": "大额折扣",
        "contract_flow": "全部合同",
        "pipeline": "新业务",
        "stages": ("方案", "赢单", "输单"),
    },
}

TEXT = {
    "en": {
        "draft": "Draft",
        "waiting": "Waiting for approval",
        "approved": "Approved",
        "sent": "Sent",
        "accepted": "Accepted",
        "signed": "Signed",
        "overdue": "Overdue",
        "requested": "Requested",
        "issued": "Issued",
        "confirmed": "Confirmed",
        "percent": "20 %",
    },
    "zh_CN": {
        "draft": "草稿",
        "waiting": "审批中",
        "approved": "已通过",
        "sent": "已发送",
        "accepted": "已接受",
        "signed": "已签订",
        "overdue": "已逾期",
        "requested": "已申请",
        "issued": "已开具",
        "confirmed": "已确认",
        "percent": "20 %",
    },
}


def cny(locale: str, amount: str) -> str:
    """``amount`` (already grouped: "24,000.00") in yuan as ``locale`` writes it."""
    return ("CN¥" if locale == "en" else "¥") + amount


@dataclass
class World:
    locale: str
    names: dict
    admin_email: str
    manager_email: str
    rep_email: str
    finance_email: str
    rep_id: int
    customer_id: int
    contact_id: int
    deal_id: int
    #: English seen on a Chinese page, by its path (see ``test_money_path.no_english``)
    english: dict = field(default_factory=dict)


def build_world(locale: str, make_user, make_customer, make_contact) -> World:
    """The people, customer, deal, flows and rule of the path, committed."""
    names = NAMES[locale]
    east = Team(name=names["team"])
    db.session.add(east)
    db.session.commit()
    admin = make_user(role="admin", locale=locale, name=names["admin"], email="admin@example.com")
    make_user(
        role="manager", team=east, locale=locale, name=names["manager"], email="boss@example.com"
    )
    rep = make_user(
        role="sales", team=east, locale=locale, name=names["rep"], email="rep@example.com"
    )
    make_user(role="finance", locale=locale, name=names["finance"], email="fin@example.com")
    customer = make_customer(name=names["customer"], owner_id=rep.id)
    contact = make_contact(customer=customer, name=names["contact"])
    save_billing_profile(
        customer.id,
        {
            "title": names["customer"],
            "tax_number": USCC,
            "address": "杭州市西湖区文三路 100 号",
            "phone": "0571-12345678",
            "bank_name": "招商银行杭州分行",
            "bank_account": "6225 8812 3456 7890",
        },
        None,
    )
    won, lost = names["stages"][1], names["stages"][2]
    pipeline = pipeline_service.create_pipeline(
        {
            "name": names["pipeline"],
            "stages": [
                {"name": names["stages"][0], "probability": 50},
                {"name": won, "probability": 100, "outcome": "won"},
                {"name": lost, "probability": 0, "outcome": "lost"},
            ],
        },
        None,
    )
    product = product_service.create_product(
        {"code": "T1", "name": names["product"], "unit_price": "1000.00", "currency": "CNY"}, None
    )
    deal = deal_service.create_deal(
        {
            "title": names["deal"],
            "customer_id": customer.id,
            "contact_id": contact.id,
            "pipeline_id": pipeline.id,
            "currency": "CNY",
        },
        rep,
    )
    product_service.set_lines(deal, [{"product_id": product.id, "quantity": "30"}], rep)
    save_approval_flow(
        {
            "record_type": "sales.quote",
            "name": names["quote_flow"],
            "condition": {"field": "effective_discount_percent", "op": "gt", "value": "15"},
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        admin,
    )
    save_approval_flow(
        {
            "record_type": "sales.contract",
            "name": names["contract_flow"],
            "condition": None,
            "steps": [{"approver_kind": "role", "role": "manager"}],
        },
        None,
        admin,
    )
    commission_service.create_rule(
        {
            "name": names["rule"],
            "basis": "collected",
            "currency": "CNY",
            "tiers": [{"from_amount": "0", "rate_percent": "3"}],
        },
        None,
    )
    db.session.commit()
    return World(
        locale=locale,
        names=names,
        admin_email=admin.email,
        manager_email="boss@example.com",
        rep_email=rep.email,
        finance_email="fin@example.com",
        rep_id=rep.id,
        customer_id=customer.id,
        contact_id=contact.id,
        deal_id=deal.id,
    )
