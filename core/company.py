"""公司信息: the company profile an admin fills in once under the site
settings, printed on the letterhead of every document a plugin prints (a
quote's PDF, an invoice): name, address, phone, e-mail, website, taxpayer
number, bank and account, an accent colour and a logo.

Each value is one :class:`~core.models.SiteSetting` row (``company.<field>``),
audited like the site theme. The logo is a file under the instance's
``uploads/core/company/`` folder and the row keeps its name: a setting holds
at most 200 characters (a logo as a ``data:`` URI would need a wider column
and a migration), and ``trellis backup`` already carries the uploads folder
with the database.

Plugins read the profile with :func:`company_profile` (``core.api``).
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from marshmallow import Schema, fields, validate, validates
from marshmallow import ValidationError as FieldError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.attachments.files import sniff
from core.errors import ValidationError
from core.events import transaction
from core.extensions import db
from core.i18n import _, _l
from core.models import SiteSetting, User
from core.normalize import normalize_email, normalize_tax_number
from core.services.base import audit, load

PREFIX = "company."
#: the profile's fields, in the order the settings page shows them
FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "tax_number",
    "bank_name",
    "bank_account",
    "accent_color",
)
#: each stored value (``company.<field>``) as the settings page and the audit log name it
LABELS = {
    "name": _l("Company name"),
    "address": _l("Address"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "website": _l("Website"),
    "tax_number": _l("Taxpayer number"),
    "bank_name": _l("Bank"),
    "bank_account": _l("Bank account"),
    "accent_color": _l("Accent colour"),
    "logo": _l("Logo"),
}
DEFAULT_NAME = "Trellis"
DEFAULT_ACCENT = "#2f6f4f"
COLOR = re.compile(r"^#[0-9a-f]{6}$")
ACCOUNT = re.compile(r"^[0-9]+( [0-9]+)*$")
MAX_LOGO_BYTES = 512 * 1024
#: where the logo is kept, in the instance folder
LOGO_FOLDER = ("uploads", "core", "company")
#: a logo's type by its first bytes → (media type, extension)
#: the logo types a letterhead accepts, by the type their first bytes prove
LOGO_TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class CompanyProfile:
    """The company as its printed documents show it; empty text where the
    admin gave nothing. ``logo`` is a ``data:`` URI (an ``<img src>`` that
    WeasyPrint and browsers read alike) or None."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    tax_number: str = ""
    bank_name: str = ""
    bank_account: str = ""
    accent_color: str = DEFAULT_ACCENT
    logo: str | None = None


class CompanyInput(Schema):
    """The profile as the settings form sends it, spaces collapsed; empty
    text is no value."""

    name = fields.String(load_default="", validate=validate.Length(max=200))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    email = fields.String(load_default="", validate=validate.Length(max=200))
    website = fields.String(load_default="", validate=validate.Length(max=200))
    tax_number = fields.String(load_default="", validate=validate.Length(max=40))
    bank_name = fields.String(load_default="", validate=validate.Length(max=120))
    bank_account = fields.String(load_default="", validate=validate.Length(max=60))
    accent_color = fields.String(load_default="")

    @validates("bank_account")
    def _account(self, value: str, **kwargs) -> None:
        if value and not ACCOUNT.match(value):
            raise FieldError(_("a bank account number has digits and spaces only"))

    @validates("accent_color")
    def _color(self, value: str, **kwargs) -> None:
        if value and not COLOR.match(value.lower()):
            raise FieldError(_("a colour is # and six hexadecimal digits, e.g. #2f6f4f"))

    @validates("website")
    def _website(self, value: str, **kwargs) -> None:
        if value and (" " in value or "." not in value):
            raise FieldError(_("give the website's address, e.g. www.example.com"))


def logo_type(data: bytes) -> tuple[str, str] | None:
    """(media type, extension) of a PNG or JPEG told by its first bytes, else None."""
    kind = sniff(data[:16])
    return (kind, LOGO_TYPES[kind]) if kind in LOGO_TYPES else None


def logo_folder(create: bool = True) -> Path:
    """``uploads/core/company/`` in the instance folder (a folder of its own,
    apart from the files attached to records), created owner-only (0700)."""
    folder = Path(current_app.instance_path)
    for part in LOGO_FOLDER:
        folder = folder / part
        if create:
            folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def stored_values() -> dict[str, str]:
    """The profile's stored values by field (a field never saved is left out)."""
    rows = db.session.execute(
        select(SiteSetting.key, SiteSetting.value).where(SiteSetting.key.startswith(PREFIX))
    ).all()
    return {key[len(PREFIX) :]: value for key, value in rows}


def _logo_uri(name: str | None) -> str | None:
    """The stored logo as a ``data:`` URI; None when there is none (or its file is gone)."""
    if not name or "/" in name or name.startswith("."):
        return None
    try:
        data = (logo_folder(create=False) / name).read_bytes()
    except OSError:
        return None
    kind = logo_type(data)
    if kind is None:
        return None
    return f"data:{kind[0]};base64,{base64.b64encode(data).decode('ascii')}"


def company_profile() -> CompanyProfile:
    """The company profile as saved under the site settings; the name is
    ``Trellis`` until the admin gives one, the accent colour Trellis green."""
    values = stored_values()
    text = {field: values.get(field) or "" for field in FIELDS}
    color = text["accent_color"].lower()
    text["accent_color"] = color if COLOR.match(color) else DEFAULT_ACCENT
    text["name"] = text["name"] or DEFAULT_NAME
    return CompanyProfile(**text, logo=_logo_uri(values.get("logo")))


def _checked(form: dict[str, str], logo: FileStorage | None) -> tuple[dict[str, str], bytes]:
    """The form's values as stored and the new logo's bytes (empty: none
    sent); one :class:`ValidationError` naming every bad field."""
    errors: dict[str, list[str]] = {}
    data = {k: " ".join(str(form.get(k) or "").split()) for k in FIELDS}
    try:
        data = load(CompanyInput(), data)
    except ValidationError as exc:
        errors.update(exc.errors)
    for field, clean in (("email", normalize_email), ("tax_number", normalize_tax_number)):
        if data.get(field) and field not in errors:
            try:
                data[field] = clean(data[field]) or ""
            except ValueError as exc:
                errors[field] = [str(exc)]
    if data.get("accent_color"):
        data["accent_color"] = data["accent_color"].lower()
    content = logo.read(MAX_LOGO_BYTES + 1) if logo is not None and logo.filename else b""
    if len(content) > MAX_LOGO_BYTES:
        errors["logo"] = [_("the logo may be at most 512 KB")]
    elif content and logo_type(content) is None:
        errors["logo"] = [_("the logo must be a PNG or JPEG image")]
    if errors:
        raise ValidationError(errors)
    return data, content


def _write_logo(content: bytes) -> str:
    """Store a checked logo under a new random name (0600); its name."""
    name = uuid.uuid4().hex + (logo_type(content) or ("", ".png"))[1]
    path = logo_folder() / name
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(content)
    return name


def _store(data: dict[str, str], actor: User | None) -> None:
    """Write each changed value to its setting row, audited (in the caller's transaction)."""
    rows = {
        row.key: row
        for row in db.session.scalars(select(SiteSetting).where(SiteSetting.key.startswith(PREFIX)))
    }
    for field, value in data.items():
        key = PREFIX + field
        row = rows.get(key)
        before = row.value if row is not None else None
        if before == value or (row is None and not value):
            continue
        if row is None:
            row = SiteSetting(key=key, value=value)
            db.session.add(row)
        row.value = value
        db.session.flush()
        audit(actor, row, "update" if before is not None else "create", {key: before}, {key: value})


def save_company_profile(
    form: dict[str, str], logo: FileStorage | None, remove_logo: bool, actor: User | None
) -> CompanyProfile:
    """Check and save the profile in one transaction, each changed value
    audited; a bad value raises :class:`ValidationError` (422) naming its
    field and nothing is saved. A new logo replaces the old one; with
    ``remove_logo`` (and no new one) the logo is taken away."""
    data, content = _checked(form, logo)
    old_logo = stored_values().get("logo") or ""
    new_logo = _write_logo(content) if content else ("" if remove_logo else old_logo)
    data["logo"] = new_logo
    try:
        with transaction():
            _store(data, actor)
    except Exception:
        if content:
            (logo_folder() / new_logo).unlink(missing_ok=True)
        raise
    if old_logo and old_logo != new_logo:
        (logo_folder() / old_logo).unlink(missing_ok=True)
    return company_profile()
