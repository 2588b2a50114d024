"""The search index: a Chinese two-character fragment, a Latin prefix, an
e-mail and any run of a phone number's digits find a customer or contact,
ranked, through the scoped query; the index follows every write, answers
odd input with an ordinary result, and the database really uses it."""

import pytest
from sqlalchemy import func, select, text

from core.api import Contact, Customer, db, search_match, search_rank
from core.models import SearchDocument
from core.search import rebuild
from core.search.tokens import document_terms, query_terms


def found(query, user=None, model=Customer):
    return set(
        db.session.scalars(
            select(model.name).where(search_match(model, query, user)).order_by(model.name)
        )
    )


@pytest.fixture
def book(make_customer, make_contact):
    made = {
        "huawei": make_customer(name="北京华为科技有限公司", phones=["13800138000"]),
        "zhang": make_customer(name="张三丰", emails=["zhang.san@example.com"]),
        "acme": make_customer(name="Acme Trading Ltd", phones=["+44 20 7946 0958"]),
        "zoe": make_customer(name="Zoë Café"),
    }
    make_contact(customer=made["acme"], name="王小明", phones=["13912345678"])
    db.session.commit()
    return made


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("华为", {"北京华为科技有限公司"}),  # two characters from the middle
        ("华为科技", {"北京华为科技有限公司"}),
        ("张三", {"张三丰"}),
        ("丰", {"张三丰"}),  # one character, at the end of the name
        ("acm", {"Acme Trading Ltd"}),  # a Latin prefix, any case
        ("ACME trad", {"Acme Trading Ltd"}),
        ("zoe", {"Zoë Café"}),  # accents folded
        ("zhang.san@example.com", {"张三丰"}),
        ("example.com", {"张三丰"}),
        ("0013", {"北京华为科技有限公司"}),  # the middle of a phone number
        ("138 0013 8000", {"北京华为科技有限公司"}),
        ("7946", {"Acme Trading Ltd"}),
        ("１３８００１３８０００", {"北京华为科技有限公司"}),  # full-width digits
        ("cme", set()),  # prefixes, not any substring of a word
        ("华为 acme", set()),  # every term must match
    ],
)
def test_queries_find_by_name_fragment_prefix_email_and_phone(book, query, names):
    assert found(query) == names


def test_contacts_are_found_by_name_and_phone(book):
    assert found("小明", model=Contact) == {"王小明"}
    assert found("1234 5678", model=Contact) == {"王小明"}
    assert found("acme", model=Contact) == set()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR",
        "%",
        "_",
        "a OR b",
        "x:*",
        "'); DROP TABLE customer; --",
        "\x00",
        "",
        "((",
        "^",
        "-",
        "AND",
        "x" * 10_000,
        "华" * 5_000,
        "{f0}:a",
        "f0:1",
    ],
)
def test_odd_input_is_an_ordinary_result_never_an_error(book, query):
    result = found(query)
    assert result <= {c.name for c in book.values()}
    assert found(query, model=Contact) <= {"王小明"}


def test_queries_keep_at_most_eight_terms():
    assert len(query_terms(" ".join(f"w{i}" for i in range(50)))) == 8
    assert document_terms(["+86 138-0013-8000"]).split()[:3] == [
        "8613800138000",
        "613800138000",
        "13800138000",
    ]


def test_the_index_follows_creates_updates_and_deletes(book, make_customer):
    from core.services.customers import update_customer

    acme = book["acme"]
    update_customer(acme, {"name": "Bolt Logistics"}, None)
    db.session.commit()
    assert found("acme") == set() and found("bolt") == {"Bolt Logistics"}
    assert found("7946") == {"Bolt Logistics"}  # fields not changed stay indexed
    update_customer(acme, {"phones": ["+44 20 7000 1111"]}, None)
    db.session.commit()
    assert found("7946") == set() and found("70001111") == {"Bolt Logistics"}

    gone = make_customer(name="Ephemeral Ltd")
    db.session.commit()
    assert found("ephemeral") == {"Ephemeral Ltd"}
    db.session.delete(gone)
    db.session.commit()
    assert found("ephemeral") == set()
    assert not db.session.scalar(
        select(func.count())
        .select_from(SearchDocument)
        .where(SearchDocument.kind == "customer", SearchDocument.record_id == gone.id)
    )


def test_a_failed_write_leaves_the_index_as_it_was(book):
    acme = book["acme"]
    acme.name = "Rolled Back Name"
    db.session.flush()
    assert found("rolled") == {"Rolled Back Name"}  # visible inside the transaction
    db.session.rollback()
    assert found("rolled") == set() and found("acme") == {"Acme Trading Ltd"}


def test_rebuild_indexes_rows_written_around_the_orm(book):
    db.session.execute(text("DELETE FROM search_document"))
    db.session.commit()
    assert found("华为") == set()
    seen = []
    counts = rebuild(progress=lambda kind, n: seen.append((kind, n)))
    assert counts["customer"] == 4 and counts["contact"] == 1
    assert ("customer", 4) in seen
    assert found("华为") == {"北京华为科技有限公司"} and found("小明", model=Contact) == {"王小明"}


def test_a_field_the_role_hides_is_not_searched(book, make_user):
    from core.api import Role

    rep = make_user(role="sales")
    role = db.session.get(Role, rep.role_id)
    role.hidden_fields = ["customer.phones"]
    db.session.commit()
    assert found("0013", user=rep) == set()
    assert found("华为", user=rep) == {"北京华为科技有限公司"}
    assert found("0013") == {"北京华为科技有限公司"}


def test_exact_and_prefix_matches_rank_first(make_customer):
    for name in ("Old Acme", "Acme", "Acme Trading"):
        make_customer(name=name)
    db.session.commit()
    ranked = db.session.scalars(
        select(Customer.name)
        .where(search_match(Customer, "acme"))
        .order_by(search_rank(Customer, "acme"), Customer.name)
    ).all()
    assert ranked == ["Acme", "Acme Trading", "Old Acme"]


def test_the_database_uses_the_index(book):
    # enough other customers, and their documents, that reading every one of
    # them is the slow way (on a handful of rows a planner rightly scans the
    # customers and looks up each one's document)
    fillers = range(10**6, 10**6 + 3000)
    db.session.execute(
        Customer.__table__.insert(), [{"id": i, "name": f"filler{i}"} for i in fillers]
    )
    db.session.execute(
        SearchDocument.__table__.insert(),
        [{"kind": "customer", "record_id": i, "f0": f"filler{i}"} for i in fillers],
    )
    query = select(Customer.id).where(search_match(Customer, "华为"))
    compiled = query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE customer"))
        db.session.execute(text("ANALYZE search_document"))
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_search_document_terms" in plan, plan
    else:
        plan = "\n".join(
            str(r[-1]) for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "VIRTUAL TABLE INDEX" in plan and "search_fts" in plan, plan


def test_the_kind_migration_moves_the_index_both_ways(empty_database_url, tmp_path):
    """c0de00000012 (SQLite: the FTS table gains the kind) down and up again:
    the documents stay findable at each step; PostgreSQL is left as it was."""
    from core import create_app
    from core import migrate as mig
    from core.api import Customer as Model
    from core.services.customers import create_customer

    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_INSTANCE_PATH": str(tmp_path),
            "TRELLIS_DATABASE_URL": empty_database_url,
        }
    )
    with app.app_context():
        try:
            mig.upgrade()
            create_customer({"name": "迁移测试公司"}, None)
            db.session.commit()
            sqlite = db.engine.dialect.name == "sqlite"

            def columns():
                return [r[1] for r in db.session.execute(text("PRAGMA table_info(search_fts)"))]

            assert found("迁移") == {"迁移测试公司"}
            assert not sqlite or columns()[0] == "kind"
            # end this session's read: on PostgreSQL its locks on the customer
            # table would keep the downgrade's DROP TABLE attachment (which
            # drops a foreign key to customer) waiting for ever
            db.session.commit()
            mig.downgrade("core", "c0de00000011")
            db.session.commit()
            assert not sqlite or "kind" not in columns()
            old = db.session.scalars(
                text("SELECT rowid FROM search_fts WHERE search_fts MATCH '\"迁移\"*'")
                if sqlite
                else select(Model.id).where(Model.name == "迁移测试公司")
            ).all()
            assert len(old) == 1
            db.session.commit()  # as above: the upgrade alters the customer table
            mig.upgrade()
            assert found("测试") == {"迁移测试公司"}
        finally:
            db.session.remove()
            db.engine.dispose()
