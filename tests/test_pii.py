"""Personal data kept encrypted (core.pii): what the database holds, the
look-up hash, masking, the audit log, key rotation and the key settings;
and the resident identity card number check."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Integer, String, Text, select, text, type_coerce
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from core import pii
from core.api import (
    Encrypted,
    db,
    disclose,
    lookup_column,
    mask_pii,
    normalize_national_id,
    pii_match,
    snapshot,
)
from core.errors import ConfigError

VALID_ID = "11010519491231002X"
OTHER_ID = "110101199003071233"


class Base(DeclarativeBase):
    """A registry of its own: the test's table is no model of the app's."""


class Person(Base):
    __tablename__ = "test_pii_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    national_id: Mapped[str | None] = mapped_column(Encrypted())
    national_id_hash: Mapped[str | None] = lookup_column("national_id")


@pytest.fixture
def people(app):
    Base.metadata.create_all(db.engine)
    yield
    db.session.rollback()
    Base.metadata.drop_all(db.engine)


def _use_keys(app, keys: list[str]) -> None:
    app.config["TRELLIS_PII_KEYS"] = keys
    app.extensions["trellis_pii"] = None


def _stored(person_id: int) -> str:
    return db.session.execute(
        text("SELECT national_id FROM test_pii_person WHERE id = :id"), {"id": person_id}
    ).scalar_one()


def test_the_database_holds_ciphertext_that_reads_back_as_the_value(app, people):
    a = Person(name="A", national_id=VALID_ID)
    b = Person(name="B", national_id=VALID_ID)
    db.session.add_all([a, b])
    db.session.commit()
    assert VALID_ID not in _stored(a.id)
    assert _stored(a.id) != _stored(b.id)  # the same value encrypts differently
    db.session.expire_all()
    assert db.session.get(Person, a.id).national_id == VALID_ID


def test_the_lookup_hash_finds_the_row_and_follows_every_change(app, people):
    person = Person(name="A", national_id=VALID_ID)
    db.session.add(person)
    db.session.commit()
    found = db.session.scalars(
        select(Person.name).where(pii_match(Person.national_id_hash, VALID_ID))
    )
    assert found.all() == ["A"]
    assert VALID_ID not in person.national_id_hash

    person.national_id = OTHER_ID
    db.session.commit()
    assert not db.session.scalars(
        select(Person.id).where(pii_match(Person.national_id_hash, VALID_ID))
    ).all()
    assert db.session.scalars(
        select(Person.id).where(pii_match(Person.national_id_hash, OTHER_ID))
    ).all() == [person.id]

    person.national_id = None
    db.session.commit()
    assert person.national_id_hash is None


def test_masking_and_disclosure_by_permission(app, people, make_user):
    assert mask_pii(VALID_ID) == "110" + "*" * 11 + "002X"
    assert mask_pii("12345") == "*****"
    assert mask_pii(None) is None
    admin, rep = make_user(role="admin"), make_user(role="sales")
    assert disclose(VALID_ID, admin, "admin.settings") == VALID_ID
    assert disclose(VALID_ID, rep, "admin.settings") == mask_pii(VALID_ID)


def test_the_audit_snapshot_records_the_value_masked_and_no_hash(app, people):
    person = Person(name="A", national_id=VALID_ID)
    db.session.add(person)
    db.session.flush()
    kept = snapshot(person)
    assert kept["national_id"] == mask_pii(VALID_ID)
    assert "national_id_hash" not in kept
    assert kept["name"] == "A"


def test_rotation_rewrites_every_value_under_the_new_key(app, people):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _use_keys(app, [old])
    db.session.add_all([Person(name=f"P{i}", national_id=VALID_ID) for i in range(3)])
    db.session.add(Person(name="none", national_id=None))
    db.session.commit()
    before = [_stored(i) for i in (1, 2, 3)]

    _use_keys(app, [new, old])  # the new key first: old values still read
    db.session.expire_all()
    assert db.session.get(Person, 1).national_id == VALID_ID
    assert db.session.scalars(
        select(Person.id).where(pii_match(Person.national_id_hash, VALID_ID))
    ).all() == [1, 2, 3]
    assert pii.rotate(db.session, chunk=2, mappers=Base.registry.mappers) == 4

    _use_keys(app, [new])  # the old key dropped
    db.session.expire_all()
    assert [_stored(i) for i in (1, 2, 3)] != before
    assert [db.session.get(Person, i).national_id for i in (1, 2, 3, 4)] == [VALID_ID] * 3 + [None]
    assert db.session.scalars(
        select(Person.id).where(pii_match(Person.national_id_hash, VALID_ID))
    ).all() == [1, 2, 3]
    raw = db.session.scalar(select(type_coerce(Person.national_id, Text)).where(Person.id == 1))
    assert Fernet(new.encode()).decrypt(raw.encode()).decode() == VALID_ID

    _use_keys(app, [old])  # a value no configured key can read: one clear line
    db.session.expire_all()
    with pytest.raises(ConfigError, match="TRELLIS_PII_KEYS"):
        db.session.get(Person, 1)


def test_keys_come_from_the_setting_and_a_bad_one_is_named(app):
    key = Fernet.generate_key().decode()
    assert pii.parse_keys(f"{key}, {key}") == [key, key]
    assert pii.parse_keys([key]) == [key]
    assert pii.parse_keys(None) == []
    with pytest.raises(ConfigError, match="TRELLIS_PII_KEYS: key 2 is not a Fernet key"):
        pii.parse_keys([key, "not-a-key"])


def test_production_refuses_to_start_without_keys_when_a_model_encrypts(app):
    plain = registry()  # a registry of no model at all
    app.config["TRELLIS_ENV"] = "production"
    try:
        app.config["TRELLIS_PII_KEYS"] = []
        pii.init_pii(app, mappers=plain.mappers)  # nothing to encrypt: it starts
        with pytest.raises(ConfigError, match="TRELLIS_PII_KEYS: not set"):
            pii.init_pii(app, mappers=Base.registry.mappers)
        app.config["TRELLIS_PII_KEYS"] = [Fernet.generate_key().decode()]
        pii.init_pii(app, mappers=Base.registry.mappers)
    finally:
        app.config["TRELLIS_ENV"] = "development"
        _use_keys(app, [])


def test_development_keeps_its_generated_key_in_the_instance_folder(app, tmp_path):
    folder = tmp_path / "instance"
    (first,) = pii._instance_keys(folder, create=True)
    assert (folder / pii.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert pii._instance_keys(folder, create=True) == [first]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(VALID_ID, VALID_ID), (" 11010519491231002x ", VALID_ID), (OTHER_ID, OTHER_ID)],
)
def test_a_resident_identity_card_number_is_checked_and_compacted(typed, stored):
    assert normalize_national_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("110105194912310021", "check digit"),
        ("1101051949123100AX", "digit or X"),
    ],
)
def test_a_wrong_number_says_why_without_repeating_it(app, typed, reason):
    with pytest.raises(ValueError, match=reason) as refused:
        normalize_national_id(typed)
    assert typed not in str(refused.value)


def test_the_cli_makes_a_usable_key(app):
    from click.testing import CliRunner

    from core.cli import main

    result = CliRunner().invoke(main, ["pii", "new-key"], obj=app)
    assert result.exit_code == 0
    Fernet(result.output.strip().encode())  # raises if it is not a key
