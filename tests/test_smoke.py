def test_app_fixture_gives_a_migrated_database_with_default_plugins(app, make_customer, events):
    customer = make_customer(name="Acme")
    assert customer.id is not None
    assert app.extensions["trellis"].enabled_names == ["sales"]
    assert events.names() == ["customer_created"]
