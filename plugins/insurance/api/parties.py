"""``/api/v1/insurance/persons``, ``/households`` and ``/cross-sell``: the
persons around policies (被保险人, 受益人), households (家庭) with their
whole cover and its gaps (保障缺口), and the households worth a call.

Reading needs ``insurance.policy.read``, writing ``insurance.policy.write``;
every list and record is the caller's scope (``services/access.py``: an
agent their own customers' persons and households, a manager their
team's); out of scope is a 404. A national ID number is masked unless the
caller holds ``insurance.pii.read`` and opens the one person — each such
reading is audited; lists always mask.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Household, Person
from ..schemas.parties import (
    CrossSellArgs,
    CrossSellOut,
    HouseholdArgs,
    HouseholdCoverOut,
    HouseholdDetailOut,
    HouseholdOut,
    InsurancePersonArgs,
    InsurancePersonOut,
)
from ..services import households as homes
from ..services import parties
from .blueprint import bp

PERSON_SORTS = {
    "name": Person.name,
    "birth_date": Person.birth_date,
    "updated_at": Person.updated_at,
}
HOUSEHOLD_SORTS = {"name": Household.name, "updated_at": Household.updated_at}
#: the identity number's rule across fields (checked by services/parties.check_national_id)
ID_RULE = field_rules(
    (
        ("national_id", "id_type", "birth_date"),
        "a resident identity card number (id_type cn_ric, the default) is valid "
        "and holds birth_date",
    )
)


class _Shown:
    """A record with what the caller is shown besides its columns."""

    def __init__(self, record: Any, **shown: Any):
        self._record = record
        self.__dict__.update(shown)

    def __getattr__(self, name: str):
        return getattr(self._record, name)


def _masked(person: Person) -> _Shown:
    return _Shown(person, shown_national_id=parties.masked_id(person))


def _opened(person: Person) -> _Shown:
    return _Shown(person, shown_national_id=parties.shown_id(person, current_user))


def _detail(household: Household) -> _Shown:
    return _Shown(household, members=homes.members_of(household, current_user))


@bp.route("/persons", methods=["GET"])
@bp.arguments(sorted_by(InsurancePersonArgs, PERSON_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(InsurancePersonOut, "InsurancePersonPage"))
def list_persons(args):
    """Persons by name; by customer, household, an exact national ID
    (``national_id``, through its look-up hash) or a name (``q``)."""
    require("insurance.policy.read")
    found = paginate(parties.search_persons(current_user, args), args, PERSON_SORTS, "name")
    return found | {"items": [_masked(p) for p in found["items"]]}


@bp.route("/persons", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": parties.InsurancePersonInput}}},
    **ID_RULE,
)
@bp.response(201, InsurancePersonOut)
def create_person():
    """File a person under a customer the caller may see; a resident ID
    number (``cn_ric``) is checked and must agree with ``birth_date`` (422
    ``national_id``)."""
    require("insurance.policy.write")
    return _masked(parties.create_person(json_body(), current_user))


@bp.route("/persons/<int:person_id>", methods=["GET"])
@bp.response(200, InsurancePersonOut)
def get_person(person_id: int):
    """A person; the national ID whole for a holder of ``insurance.pii.read`` (audited)."""
    require("insurance.policy.read")
    return _opened(parties.visible_person(person_id, current_user))


@bp.route("/persons/<int:person_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": parties.InsurancePersonChange}}},
    **ID_RULE,
)
@bp.response(200, InsurancePersonOut)
def update_person(person_id: int):
    """Change a person (``version`` as read: 409 when stale)."""
    require("insurance.policy.write")
    person = parties.visible_person(person_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return _masked(parties.update_person(person, payload, current_user, version))


@bp.route("/households", methods=["GET"])
@bp.arguments(sorted_by(HouseholdArgs, HOUSEHOLD_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HouseholdOut, "InsuranceHouseholdPage"))
def list_households(args):
    """Households by name; by customer or name (``q``)."""
    require("insurance.policy.read")
    return paginate(homes.search_households(current_user, args), args, HOUSEHOLD_SORTS, "name")


@bp.route("/households", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": homes.HouseholdInput}}})
@bp.response(201, HouseholdDetailOut)
def create_household():
    """A household under its head's customer file."""
    require("insurance.policy.write")
    return _detail(homes.create_household(json_body(), current_user))


@bp.route("/households/<int:household_id>", methods=["GET"])
@bp.response(200, HouseholdDetailOut)
def get_household(household_id: int):
    require("insurance.policy.read")
    return _detail(homes.visible_household(household_id, current_user))


@bp.route("/households/<int:household_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": homes.HouseholdChange}}})
@bp.response(200, HouseholdDetailOut)
def update_household(household_id: int):
    """Rename a household (``version`` as read: 409 when stale)."""
    require("insurance.policy.write")
    household = homes.visible_household(household_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return _detail(homes.update_household(household, payload, current_user, version))


@bp.route("/households/<int:household_id>/members", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": homes.MembersInput}}})
@bp.response(200, HouseholdDetailOut)
def add_members(household_id: int):
    """Add persons (``person_ids``); one in another household is a 409 naming ``person_id``."""
    require("insurance.policy.write")
    household = homes.visible_household(household_id, current_user)
    homes.add_members(household, json_body(), current_user)
    return _detail(household)


@bp.route("/households/<int:household_id>/members", methods=["DELETE"])
@bp.doc(requestBody={"content": {"application/json": {"schema": homes.MembersInput}}})
@bp.response(200, HouseholdDetailOut)
def remove_members(household_id: int):
    """Take persons (``person_ids``) out; one not a member is a 409 naming ``person_id``."""
    require("insurance.policy.write")
    household = homes.visible_household(household_id, current_user)
    homes.remove_members(household, json_body(), current_user)
    return _detail(household)


@bp.route("/households/<int:household_id>/cover", methods=["GET"])
@bp.response(200, HouseholdCoverOut)
def household_cover(household_id: int):
    """Each member's live terms (in force or grace, as insured or holder) by
    line, and the household's gaps: motor but no home, parents insured but a
    child not, a head without life cover, a member without accident or
    health cover."""
    require("insurance.policy.read")
    return homes.cover_of(homes.visible_household(household_id, current_user), current_user)


@bp.route("/cross-sell", methods=["GET"])
@bp.arguments(CrossSellArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(CrossSellOut, "InsuranceCrossSellPage"))
def cross_sell(args):
    """The caller's households with cover gaps, most gaps first, then by name."""
    require("insurance.policy.read")
    return homes.cross_sell(current_user, args["page"], args["per_page"])
