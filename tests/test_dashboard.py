"""The dashboard offers each user only what they may open."""

from __future__ import annotations


def test_the_dashboard_offers_no_customer_list_to_who_cannot_read_customers(make_user, login_as):
    def dashboard(role: str) -> str:
        return login_as(make_user(role=role)).get("/").get_data(as_text=True)

    assert 'id="recent-customers"' not in dashboard("engineer")  # service_dispatch's: own jobs
    assert 'id="recent-customers"' in dashboard("sales")
