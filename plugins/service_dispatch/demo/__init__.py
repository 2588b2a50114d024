"""Demo data, in English or Chinese: work orders and their engineer, a public
request link, contracts and the SLA calendar, spare parts, revisits — loaded
in that order (each later one builds on the orders)."""

from . import entitlement, orders, parts, requests, revisits


def load_demo(locale, customers, users) -> None:
    orders.load_demo(locale, customers, users)
    requests.load_demo(locale, customers, users)
    entitlement.load_demo(locale, customers, users)
    parts.load_demo(locale, customers, users)
    revisits.load_demo(locale, customers, users)
