"""Demo data, in English or Chinese: a field engineer (a user with the
plugin's ``engineer`` role, last in ``users`` for the loaders below), work
orders, a public request link, contracts and the SLA calendar, spare parts,
revisits — loaded in that order (each later one builds on the orders)."""

from core.api import create_user

from . import entitlement, orders, parts, requests, revisits
from .entitlement import TIMEZONES

#: the demo engineer's name and login (password ``demo-<login>-pass``)
ENGINEER = {"en": ("Sam Carter", "sam"), "zh_CN": ("王建国", "wangjianguo")}


def load_demo(locale, customers, users) -> None:
    name, login = ENGINEER.get(locale, ENGINEER["en"])
    engineer = create_user(
        {
            "email": f"{login}@example.com",
            "name": name,
            "team_id": users[-1].team_id if users else None,
            "password": f"demo-{login}-pass",
            "locale": locale,
            "timezone": TIMEZONES.get(locale, TIMEZONES["en"]),
        },
        None,
        role="engineer",
    )
    users = [*users, engineer]
    orders.load_demo(locale, customers, users)
    requests.load_demo(locale, customers, users)
    entitlement.load_demo(locale, customers, users)
    parts.load_demo(locale, customers, users)
    revisits.load_demo(locale, customers, users)
