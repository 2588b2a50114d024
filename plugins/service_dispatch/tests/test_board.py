"""The dispatcher board a page at a time, with the best engineers offered in
each card (every engineer on the order's own page)."""

from plugins.service_dispatch.views import orders as views


def test_the_board_pages_urgent_first_and_offers_the_best_engineers(
    make_order, make_engineer, dispatcher, login_as, monkeypatch
):
    monkeypatch.setattr(views, "BOARD_SIZE", 2)
    monkeypatch.setattr(views, "BOARD_CHOICES", 1)
    make_engineer(name="Skilled Li", skills=["repair"], regions=["East"])
    make_engineer(name="Other Wang", skills=["install"], regions=["West"])
    low = make_order(priority="low", title="Low one")
    urgent = make_order(priority="urgent", title="Urgent one")
    normal = make_order(priority="normal", title="Normal one")
    client = login_as(dispatcher)
    first = client.get("/service/board").text
    assert first.index(urgent.number) < first.index(normal.number)
    assert low.number not in first and "1–2 of 3" in first
    assert "Skilled Li" in first and "Other Wang" not in first
    second = client.get("/service/board?page=2").text
    assert low.number in second and urgent.number not in second and "3–3 of 3" in second
    # a page past the end shows the last one
    assert low.number in client.get("/service/board?page=99").text
    assert "Other Wang" in client.get(f"/service/work-orders/{low.id}").text
