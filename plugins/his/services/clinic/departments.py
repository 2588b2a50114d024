"""Departments (科室): create, edit, deactivate; and their staff.

A department is a core team's clinical face — its doctors and nurses are
the members of its team holding the doctor or the nurse role, so core's
team scope is the department scope and no table of its own lists them. A
department made without a team gets one of its name (the team of that name
is taken when no other department holds it). The code is unique; a refusal
names its field and writes nothing; a stale ``version`` is a 409."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import (
    NotFoundError,
    Role,
    Team,
    User,
    check_version,
    create_team,
    db,
    load,
    refuse,
    save,
    transaction,
    translator,
)

from ...declarations import DOCTOR, NURSE
from ...models import Department
from .inputs import DepartmentChange, DepartmentInput

_, _l = translator("his")

Errors = dict[str, list[str]]


def departments_query(active_only: bool = False):
    """Departments in their order (then by name)."""
    query = select(Department).order_by(Department.sort_order, Department.name, Department.id)
    return query.where(Department.active.is_(True)) if active_only else query


def get_department(department_id: int) -> Department:
    found = db.session.get(Department, department_id)
    if found is None:
        raise NotFoundError(_("Department %(id)s not found", id=department_id))
    return found


def _check(data: dict, department: Department | None) -> tuple[Errors, Errors]:
    """(missing, taken) for the code and the team."""
    missing: Errors = {}
    taken: Errors = {}
    others = select(func.count()).select_from(Department)
    if department is not None:
        others = others.where(Department.id != department.id)
    if data.get("code") and db.session.scalar(others.where(Department.code == data["code"])):
        taken["code"] = [_("another department has this code")]
    if data.get("team_id") is not None:
        if db.session.get(Team, data["team_id"]) is None:
            missing["team_id"] = [_("no team with this id")]
        elif db.session.scalar(others.where(Department.team_id == data["team_id"])):
            taken["team_id"] = [_("this team is another department's")]
    return missing, taken


def _team_named(name: str, actor: User | None) -> Team:
    """The team of ``name`` no department holds, or a new one (audited)."""
    team = db.session.scalar(select(Team).where(Team.name == name))
    return team if team is not None else create_team(name, actor)


def create_department(payload: dict, actor: User | None) -> Department:
    """A new department; without ``team_id``, the team of its name."""
    data = load(DepartmentInput(), payload)
    missing, taken = _check(data, None)
    if data.get("team_id") is None:
        held = db.session.scalar(
            select(func.count())
            .select_from(Department)
            .join(Team, Team.id == Department.team_id)
            .where(Team.name == data["name"])
        )
        if held:
            taken["name"] = [_("a team of this name is another department's; choose a team")]
    refuse(missing=missing, taken=taken)
    with transaction():
        if data.get("team_id") is None:
            data["team_id"] = _team_named(data["name"], actor).id
        return save(Department, None, data, actor)


def update_department(
    department: Department, payload: dict, actor: User | None, expected_version: int | None = None
) -> Department:
    """Edit (``active`` false: deactivated — no new sessions; its planned ones stay)."""
    data = load(DepartmentChange(), payload)
    if "team_id" in data and data["team_id"] is None:
        refuse({"team_id": [_("a department keeps a team")]})
    missing, taken = _check(data, department)
    refuse(missing=missing, taken=taken)
    check_version(department, expected_version)
    return save(Department, department, data, actor)


def staff(department: Department, role: str | None = None) -> list[User]:
    """The department's active doctors and nurses (``role``: one of them)."""
    if department.team_id is None:
        return []
    roles = (role,) if role else (DOCTOR, NURSE)
    return list(
        db.session.scalars(
            select(User)
            .join(Role, Role.id == User.role_id)
            .where(
                User.team_id == department.team_id,
                User.active.is_(True),
                User.deleted_at.is_(None),
                Role.name.in_(roles),
            )
            .order_by(User.name, User.id)
        )
    )


def doctors(department: Department) -> list[User]:
    return staff(department, DOCTOR)
