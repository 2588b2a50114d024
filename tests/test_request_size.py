"""A request body over the limit is refused with 413 before it is read."""


def test_a_body_over_110_mb_is_refused(app, client):
    too_big = b"x" * (110 * 1024 * 1024 + 1)
    answer = client.post("/login", data=too_big, content_type="application/octet-stream")
    assert answer.status_code == 413
    assert (
        client.post("/login", data=b"x" * 1024, content_type="application/octet-stream").status_code
        != 413
    )
