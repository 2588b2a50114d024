"""Filters plugins add to the customers list and its export
(``trellis_customer_filters``): ``filter=<key>:<value>`` on the API, one
"Segment or list" choice on the page, always under the caller's scope, and
a refused value is a 422 naming ``filter``."""

from __future__ import annotations

import csv
import io

import pytest

from core.api import Customer, CustomerFilter, NotFoundError, ValidationError
from core.errors import PluginError
from core.testing import plugin_module

#: the probe's lists: list 1 holds the customers named A…, list 2 is secret
LISTS = {"1": "A list", "2": "Secret list"}


def _options(user):
    return [("1", "A list")] if user.role.name != "admin" else list(LISTS.items())


def _condition(value, user):
    if value == "2" and user.role.name != "admin":
        raise NotFoundError("list 2 not found")
    if value not in LISTS:
        raise ValidationError({"list": ["Unknown list."]})
    return Customer.name.like("A%") if value == "1" else Customer.name.like("S%")


@pytest.fixture
def probe(make_user, register_plugin):
    """The probe plugin, registered after the suite's app exists (so the
    newest app, which the clients use, is the one with the probe)."""
    register_plugin(
        plugin_module(
            "probe",
            trellis_customer_filters=lambda: [
                CustomerFilter("probe_list", "Probe lists", _options, _condition)
            ],
        )
    )


def test_hook_customer_filters(probe, make_user, make_customer, as_user):
    """The API filters by the plugin's condition under the caller's scope,
    in the list and in the export; refusals are 422s naming ``filter``."""
    rep, other = make_user(role="sales"), make_user(role="sales")
    for name, owner in (("Alpha", rep), ("Apex", other), ("Beta", rep), ("Sigma", rep)):
        make_customer(name=name, owner_id=owner.id)
    api = as_user(rep)
    listed = api.get("/api/v1/customers?filter=probe_list:1").json
    assert [c["name"] for c in listed["items"]] == ["Alpha"]  # Apex is another rep's
    assert listed["total"] == 1
    both = api.get("/api/v1/customers?filter=probe_list:1&filter=probe_list:1&q=alp").json
    assert [c["name"] for c in both["items"]] == ["Alpha"]
    for spec, message in (
        ("probe_list:2", "list 2 not found"),
        ("probe_list:9", "Unknown list."),
        ("nope:1", "Unknown filter: nope:1."),
        ("probe_list:", "Unknown filter: probe_list:."),
    ):
        answer = api.get(f"/api/v1/customers?filter={spec}")
        assert answer.status_code == 422, spec
        assert answer.json["errors"] == {"filter": [message]}
    admin = make_user(role="admin")
    exported = as_user(admin).get("/api/v1/customers/export?filter=probe_list:1&sort=name")
    assert exported.status_code == 200, exported.text
    names = [r["name"] for r in csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff")))]
    assert names == ["Alpha", "Apex"]


def test_the_customers_page_offers_the_plugins_filters(probe, make_user, make_customer, login_as):
    rep = make_user(role="sales")
    make_customer(name="Alpha", owner_id=rep.id)
    make_customer(name="Beta", owner_id=rep.id)
    client = login_as(rep)
    page = client.get("/customers/").text
    assert '<optgroup label="Probe lists">' in page
    assert 'value="probe_list:1"' in page and "probe_list:2" not in page
    filtered = client.get("/customers/?filter=probe_list:1").text
    assert "Alpha" in filtered and "Beta" not in filtered
    assert '<option value="probe_list:1" selected>' in filtered
    refused = client.get("/customers/?filter=probe_list:2")
    assert refused.status_code == 200 and "list 2 not found" in refused.text
    assert "Alpha" in refused.text and "Beta" in refused.text  # the list without the filter


@pytest.mark.parametrize("key", ["", "a:b"])
def test_hook_customer_filters_refuses_a_bad_key(register_plugin, key):
    bad = CustomerFilter(key, "Bad", _options, _condition)
    with pytest.raises(PluginError, match="may not be empty or hold"):
        register_plugin(plugin_module("probe", trellis_customer_filters=lambda: [bad]))
