"""The scoped query helper, and phone/e-mail normalisation."""

import pytest
from sqlalchemy import select

from core.access import scoped
from core.models import Customer
from core.normalize import normalize_email, normalize_phone
from core.services.customers import delete_customer
from core.services.users import create_team


def visible(db, user, **kwargs):
    query = scoped(select(Customer.name), Customer, user, **kwargs).order_by(Customer.name)
    return db.session.scalars(query).all()


@pytest.fixture
def org(db, make_user, make_customer):
    east = create_team("East", None)
    east_north = create_team("East North", None, parent_id=east.id)
    west = create_team("West", None)
    people = {
        "rep": make_user(role="sales", team=east),
        "peer": make_user(role="sales", team=east),
        "north": make_user(role="sales", team=east_north),
        "west": make_user(role="sales", team=west),
        "lead": make_user(role="manager", team=east),
        "boss": make_user(role="admin"),
        "nobody": make_user(role="sales"),
    }
    for key in ("rep", "peer", "north", "west"):
        make_customer(name=f"{key} customer", owner_id=people[key].id)
    make_customer(name="pool customer")
    return people


def test_own_scope_sees_only_own_customers(db, org):
    assert visible(db, org["rep"]) == ["rep customer"]


def test_team_scope_sees_the_team_and_its_sub_teams(db, org):
    assert visible(db, org["lead"]) == ["north customer", "peer customer", "rep customer"]


def test_a_request_asks_for_a_team_subtree_once(app, db, org):
    """A page runs several scoped queries; the team tree is read once per
    request, and a new request reads it again (a team added in between)."""
    from sqlalchemy import event

    from core.access import team_subtree

    sent: list[str] = []

    def record(conn, cursor, statement, *rest):
        sent.append(statement)

    east = org["lead"].team_id
    event.listen(db.engine, "before_cursor_execute", record)
    with app.test_request_context("/"):
        first = team_subtree(east)
        assert team_subtree(east) == first and len(first) == 2
    event.remove(db.engine, "before_cursor_execute", record)
    assert len(sent) == 1, sent
    create_team("East South", None, parent_id=east)
    with app.test_request_context("/"):
        assert len(team_subtree(east)) == 3
    assert len(team_subtree(east)) == 3  # outside a request: asked every time


def test_all_scope_sees_everything(db, org):
    assert len(visible(db, org["boss"])) == 5


def test_no_role_or_inactive_sees_nothing(db, org):
    org["nobody"].role_id = None
    org["rep"].active = False
    db.session.commit()
    assert visible(db, org["nobody"]) == [] and visible(db, org["rep"]) == []
    assert visible(db, None) == []


def test_deleted_rows_are_hidden_unless_asked_for(db, org):
    delete_customer(
        db.session.scalar(select(Customer).where(Customer.name == "rep customer")), None
    )
    assert visible(db, org["rep"]) == []
    assert visible(db, org["rep"], include_deleted=True) == ["rep customer"]


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("138 0013 8000", "+8613800138000"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("0086 138-0013-8000", "+8613800138000"),
        ("021-5555 0000", "+862155550000"),
        ("010-12345678", "+861012345678"),
    ],
)
def test_phones_are_stored_in_international_form(typed, stored):
    assert normalize_phone(typed) == stored  # outside an app: China's numbering plan


def test_a_phone_is_read_in_the_region_asked_for():
    assert normalize_phone("(415) 555-0100", region="US") == "+14155550100"


@pytest.mark.parametrize(
    "junk", ["abc", "12", "+1234567890123456", "", "138 0013 8000 ext", "1380013800", "+86 10 1234"]
)
def test_junk_is_not_a_phone_number(junk):
    with pytest.raises(ValueError, match="is not a valid phone number"):
        normalize_phone(junk)


def test_emails_are_trimmed_and_lower_cased_and_checked():
    assert normalize_email("  Li.Lei@Example.CN ") == "li.lei@example.cn"
    assert normalize_email("wang@例子.中国") == "wang@例子.中国"
    for junk in ("li.lei", "a@b", "a b@c.d", "@x.cn", "li..lei@x.cn"):
        with pytest.raises(ValueError, match="is not a valid e-mail address"):
            normalize_email(junk)
