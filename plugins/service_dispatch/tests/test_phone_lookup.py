"""Phone lookup for agents (来电查询): the number a customer calls from finds
the customers the agent may see — and never one out of their scope."""

from core.api import Customer, DataScope, Role, db

CALLER = "+86 139 1234 5678"


def test_the_lookup_finds_a_customer_by_its_own_or_a_contacts_phone(
    dispatcher, login_as, make_customer, make_contact
):
    own = make_customer(name="Lake Hotel", phones=["13912345678"])
    via_contact = make_customer(name="Hill School")
    make_contact(customer=via_contact, name="Janitor", phones=["139-1234-5678"])
    make_customer(name="Someone Else", phones=["13800000000"])
    page = login_as(dispatcher).get("/service/lookup?phone=0139 1234 5678")
    assert page.status_code == 200
    assert "Lake Hotel" in page.text and "Hill School" in page.text
    assert "Someone Else" not in page.text
    assert f"/service/work-orders/new?customer_id={own.id}" in page.text
    assert f"/service/work-orders/new?customer_id={via_contact.id}" in page.text


def test_a_wrong_number_is_named_and_an_unknown_one_finds_nobody(
    dispatcher, login_as, make_customer
):
    make_customer(name="Lake Hotel", phones=["13912345678"])
    client = login_as(dispatcher)
    bad = client.get("/service/lookup?phone=abc")
    assert bad.status_code == 422 and 'id="e-phone"' in bad.text
    unknown = client.get("/service/lookup?phone=13700000000")
    assert unknown.status_code == 200 and "Lake Hotel" not in unknown.text
    assert "No customer you can see has this phone number." in unknown.text


def test_the_work_orders_page_has_the_phone_box(dispatcher, login_as):
    page = login_as(dispatcher).get("/service/work-orders")
    assert 'action="/service/lookup"' in page.text and 'name="phone"' in page.text


def test_the_api_answers_the_visible_matches(dispatcher, as_user, make_customer):
    hotel = make_customer(name="Lake Hotel", phones=["13912345678"])
    api = as_user(dispatcher)
    found = api.get("/api/v1/service/customers-by-phone", query_string={"phone": CALLER})
    assert found.status_code == 200
    assert [(c["id"], c["name"], c["phones"]) for c in found.json] == [
        (hotel.id, "Lake Hotel", ["+8613912345678"])
    ]
    # text that is not a phone number: no customer has it (the page says why)
    bad = api.get("/api/v1/service/customers-by-phone", query_string={"phone": "abc"})
    assert bad.status_code == 200 and bad.json == []
    assert api.get("/api/v1/service/customers-by-phone").status_code == 422


def test_the_lookup_leaks_no_customer_out_of_scope(scope_leak_check, make_customer):
    """Each rep's customer carries the same phone: a rep finds only their own,
    the first team's lead only the first team's."""

    def create(owner):
        return make_customer(name=f"Caller of {owner.name}", phones=[CALLER], owner_id=owner.id)

    scope_leak_check(
        create,
        lambda c: c.name,
        pages=["/service/lookup?phone=13912345678"],
        permissions=["customer.read", "service.order.write"],
    )


def test_agents_without_the_write_permission_may_not_look_up(make_user, login_as, as_user):
    db.session.add(Role(name="viewer", permissions=["service.order.read"], scope=DataScope.all))
    db.session.commit()
    viewer = make_user(role="viewer")
    assert login_as(viewer).get(f"/service/lookup?phone={CALLER}").status_code == 403
    assert (
        as_user(viewer)
        .get("/api/v1/service/customers-by-phone", query_string={"phone": CALLER})
        .status_code
        == 403
    )
    assert db.session.query(Customer).count() == 0
