"""Finding patients, always within the reader's scope: a patient is seen
by whoever sees the customer (core's scoped customers: a doctor or nurse
their department's team and the patients in their care — see
``services.privacy.care`` —, a clerk everyone).

The one search box reads what is typed as each thing it may be and finds
the patients any reading matches: a medical record number (exact), a
national ID (exact, through its look-up hash — never by decrypting), a
phone number (core's normalised contact points, exact) and a name (core's
search index: a word's start, any two Chinese characters in it; also a
phone's fragment). A phone the reader's role hides is not searched."""

from __future__ import annotations

from sqlalchemy import CompoundSelect, Exists, Select, or_, select, union

from core.api import (
    Customer,
    NotFoundError,
    User,
    db,
    find_duplicates,
    hidden_fields,
    normalize_national_id,
    normalize_phone,
    pii_match,
    scoped,
    search_match,
    sees_all,
    translator,
    visible_customer_ids,
)

from ...models import Patient

_, _l = translator("his")
#: the customers with one phone number a search reads at most
PHONE_MATCHES = 200


def visible_patients(user: User | None, *, per_row: bool = False) -> Select:
    """The patients whose customer ``user`` may see (live ones only). For
    someone who sees every customer that is each patient whose customer is
    not in the recycle bin, checked row by row (core's ``scoped``) — not a
    list of every live customer, which a look-up of one patient would build
    whole (a million ids). For anyone else, a list's patients are those
    among the customers they may see, and with ``per_row`` (the query reads
    a few patients: one by id, those a search found) each patient's
    customer is checked by itself (:func:`_seen_by`)."""
    if sees_all(user):
        return scoped(
            select(Patient),
            Patient,
            user,
            owner_attr="customer_id",
            team_attr=None,
            customer_attr="customer_id",
        )
    if per_row:
        return select(Patient).where(_seen_by(user))
    return select(Patient).where(Patient.customer_id.in_(visible_customer_ids(user)))


def _seen_by(user: User | None) -> Exists:
    """A condition on a patient row: ``user`` may see the patient's customer,
    asked of that row's customer (a correlated ``EXISTS``, core's care
    checked ``per_row``), never of a list of every customer ``user`` may
    see — a doctor's look-up of one patient then reads that patient's visits
    and bookings, not their department's; and ``NOT`` it is a check of each
    row too, where ``NOT IN`` (the visible patients) ran for minutes on
    PostgreSQL. The customer table of the check is its own, even inside a
    query that joins the customer."""
    return (
        visible_customer_ids(user, per_row=True)
        .where(Customer.id == Patient.customer_id)
        .correlate_except(Customer)
        .exists()
    )


def visible_patient(patient_id: int, user: User | None) -> Patient:
    """The patient if ``user`` may see them, else a 404 (the same whether
    there is none or it is out of scope)."""
    found = db.session.scalar(visible_patients(user, per_row=True).where(Patient.id == patient_id))
    if found is None:
        raise NotFoundError(_("patient %(id)s not found", id=patient_id))
    return found


def patient_of(customer_id: int) -> Patient | None:
    """The medical record of a customer (for a caller that checked the customer's scope)."""
    return db.session.scalar(select(Patient).where(Patient.customer_id == customer_id))


def matching_ids(q: str, user: User | None) -> CompoundSelect | None:
    """The ids of the patients ``q`` finds read as a record number, an ID,
    a phone and a name (unscoped: :func:`find_patients` scopes them)."""
    words = " ".join(q.split())[:100]
    if not words:
        return None
    compact = words.replace(" ", "")
    arms = [select(Patient.id).where(Patient.mrn == compact.upper())]
    try:
        number = normalize_national_id(compact)
    except ValueError:
        number = compact if len(compact) >= 6 else ""  # a passport's number, as typed
    if number:
        arms.append(select(Patient.id).where(pii_match(Patient.national_id_lookup, number)))
    if "phones" not in hidden_fields(user, "customer"):
        try:
            phone = normalize_phone(words)
        except ValueError:
            phone = ""
        if phone:
            ids = [c.id for c in find_duplicates("", [phone], [], limit=PHONE_MATCHES)]
            arms.append(select(Patient.id).where(Patient.customer_id.in_(ids)))
    named = select(Customer.id).where(search_match(Customer, words, user))
    arms.append(select(Patient.id).where(Patient.customer_id.in_(named)))
    return union(*arms)


def outside_care(q: str, user: User | None, limit: int = 5) -> list[Patient]:
    """The patients ``q`` names exactly — a medical record number or a
    national ID — whom ``user`` may not see: those they may break the glass
    for (the caller checks the permission). A name or a phone finds none."""
    compact = "".join(q.split())[:40]
    if not compact or sees_all(user):  # who sees every patient has none outside
        return []
    exact = [Patient.mrn == compact.upper()]
    try:
        exact.append(pii_match(Patient.national_id_lookup, normalize_national_id(compact)))
    except ValueError:
        pass
    query = (
        select(Patient)
        .where(or_(*exact), ~_seen_by(user))
        .join(Customer, Customer.id == Patient.customer_id)
        .where(Customer.deleted_at.is_(None))
        .order_by(Patient.mrn)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def find_patients(user: User | None, q: str = "") -> Select:
    """The patients ``user`` may see, narrowed by the search box's ``q``."""
    found = matching_ids(q, user) if q.strip() else None
    if found is None:
        return visible_patients(user)
    return visible_patients(user, per_row=True).where(Patient.id.in_(found))
