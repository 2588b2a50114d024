"""Core's pages through real requests: sign-in, sessions, and scope."""

import re

import pytest

from core.services.users import set_password


def csrf(client, path="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/customers/")
    assert response.status_code == 302 and "/login?next=" in response.location


def test_sign_in_with_the_right_password_and_out_again(client, make_user):
    make_user(email="rep@example.com", password="correct horse battery")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf(client),
            "email": " REP@example.com ",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert client.get("/").status_code == 302


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, make_user):
    make_user(email="rep@example.com", password="correct horse battery")
    wrong = client.post(
        "/login",
        data={"csrf_token": csrf(client), "email": "rep@example.com", "password": "nope nope nope"},
    )
    unknown = client.post(
        "/login",
        data={"csrf_token": csrf(client), "email": "ghost@example.com", "password": "nope"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        "E-mail or password is wrong." in wrong.text
        and "E-mail or password is wrong." in unknown.text
    )


def test_a_form_post_without_the_csrf_token_is_refused(client, make_user):
    make_user(email="rep@example.com", password="correct horse battery")
    response = client.post(
        "/login", data={"email": "rep@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 400 and client.get("/").status_code == 302


def test_changing_the_password_ends_existing_sessions(make_user, login_as):
    user = make_user()
    client = login_as(user)
    assert client.get("/").status_code == 200
    set_password(user, "a brand new password", None)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_is_signed_out(make_user, login_as, db):
    user = make_user()
    client = login_as(user)
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_two_reps_each_see_only_their_own_customers(app, make_user, make_customer):
    anna, ben = make_user(name="Anna"), make_user(name="Ben")
    make_customer(name="Anna's Bakery", owner_id=anna.id)
    make_customer(name="Ben's Garage", owner_id=ben.id)
    make_customer(name="Pool Customer")
    pages = {}
    for user in (anna, ben):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
        pages[user.name] = client.get("/customers/").text
    assert "Anna&#39;s Bakery" in pages["Anna"] and "Ben&#39;s Garage" not in pages["Anna"]
    assert "Ben&#39;s Garage" in pages["Ben"] and "Anna&#39;s Bakery" not in pages["Ben"]
    assert "Pool Customer" not in pages["Anna"] + pages["Ben"]


def test_another_reps_customer_is_a_404_not_a_403(make_user, make_customer, login_as):
    mine, theirs = make_user(), make_user()
    hidden = make_customer(name="Secret Ltd", owner_id=theirs.id)
    client = login_as(mine)
    assert client.get(f"/customers/{hidden.id}").status_code == 404
    assert client.get("/customers/999999").status_code == 404
    assert login_as(theirs).get(f"/customers/{hidden.id}").status_code == 200


def test_customer_names_are_escaped_everywhere(make_user, make_customer, login_as):
    rep = make_user()
    evil = make_customer(name="<script>alert(1)</script>", owner_id=rep.id)
    client = login_as(rep)
    for path in ("/", "/customers/", f"/customers/{evil.id}"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_search_finds_by_name_fragment_and_pages_through_results(
    make_user, make_customer, login_as
):
    rep = make_user(role="admin")
    for i in range(55):
        make_customer(name=f"Shop {i:02d}")
    make_customer(name="100% Natural")
    client = login_as(rep)
    assert "Page 1 of 3" in client.get("/customers/?q=Shop").text
    assert "Shop" in client.get("/customers/?q=Shop&page=2").text
    found = client.get("/customers/?q=100%25").text
    assert "100% Natural" in found and "Shop 01" not in found


@pytest.mark.parametrize("proxies, other_client_answer", [(1, 401), (0, 429)])
def test_behind_a_proxy_each_clients_address_has_its_own_limit(
    proxies, other_client_answer, make_app
):
    """With ``TRELLIS_PROXIES=1`` the address a sign-in is counted under is the
    client's, from the proxy's X-Forwarded-For; without it the header is not
    believed (anyone could send one) and every request is the proxy's."""
    client = make_app(TRELLIS_PROXIES=proxies).test_client()
    token = csrf(client)

    def attempt(address: str, n: int) -> int:
        return client.post(
            "/login",
            headers={"X-Forwarded-For": address},
            data={"csrf_token": token, "email": f"u{n}@example.com", "password": "x"},
        ).status_code

    assert [attempt("203.0.113.5", n) for n in range(21)] == [401] * 20 + [429]
    assert attempt("198.51.100.7", 99) == other_client_answer


def test_guessing_one_accounts_password_is_throttled(client, make_user):
    make_user(email="rep@example.com", password="correct horse battery")
    token = csrf(client)
    answers = [
        client.post(
            "/login",
            data={"csrf_token": token, "email": "rep@example.com", "password": f"guess {i}"},
        ).status_code
        for i in range(11)
    ]
    assert answers[:10] == [401] * 10 and answers[10] == 429
    blocked = client.post(
        "/login",
        data={"csrf_token": token, "email": "rep@example.com", "password": "correct horse battery"},
    )
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.text
    other = client.post(
        "/login", data={"csrf_token": token, "email": "else@example.com", "password": "x"}
    )
    assert other.status_code == 401  # another account is not locked by it


def test_throttling_counts_in_redis_when_configured(make_app, make_user):
    import redis

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    app = make_app(TRELLIS_REDIS_URL=url)
    make_user(email="rep@example.com", password="correct horse battery")
    client = app.test_client()
    token = csrf(client)
    for i in range(3):
        client.post(
            "/login",
            data={"csrf_token": token, "email": "rep@example.com", "password": f"guess {i}"},
        )
    keys = redis.Redis.from_url(url).keys("*trellis*login:rep@example.com*")
    assert keys, "the limiter should keep its counters in Redis"
    # under this installation's name: another one sharing the Redis counts apart
    from core.jobs import queue_name

    assert all(queue_name(app).encode() in key for key in keys), keys
    redis.Redis.from_url(url).flushdb()


def test_signing_in_works_while_redis_is_down(make_app, make_user):
    """The limiter counts in memory until Redis is back: a wrong password is
    still a 401 and the right one still signs in, never a 500."""
    app = make_app(TRELLIS_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    make_user(email="rep@example.com", password="correct horse battery")
    client = app.test_client()
    token = csrf(client)
    wrong = {"csrf_token": token, "email": "rep@example.com", "password": "guess"}
    assert client.post("/login", data=wrong).status_code == 401
    right = {**wrong, "password": "correct horse battery"}
    assert client.post("/login", data=right).status_code == 302


def test_a_copied_session_cookie_is_worthless_after_logout(app, make_user):
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302
