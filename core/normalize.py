"""Phones and e-mails: normalised on write, so duplicates can be found, and
phones shown as people in the instance's country write them.

Neither is checked by a pattern of ours. Phone numbers are read, validated,
typed and formatted by ``phonenumbers`` (Google's libphonenumber data, kept
up to date by its maintainers as countries change their numbering plans);
e-mail addresses by ``email-validator`` (RFC 5321/6531 syntax, international
domain names). A phone is stored in E.164 (``+8613800138000``), an e-mail
lower-cased, so lookups and duplicate checks compare like with like.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import has_app_context
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from core.i18n import _, _l, instance_region

#: the home region outside an app (scripts, unit tests): the default instance's
FALLBACK_REGION = "CN"

#: the number types worth a word next to a number; others get none
PHONE_TYPE_LABELS = {
    PhoneNumberType.MOBILE: _l("Mobile"),
    PhoneNumberType.FIXED_LINE: _l("Fixed line"),
    PhoneNumberType.FIXED_LINE_OR_MOBILE: _l("Fixed line or mobile"),
    PhoneNumberType.TOLL_FREE: _l("Toll free"),
    PhoneNumberType.VOIP: _l("VoIP"),
}


def home_region() -> str:
    """The country a number without a country code belongs to:
    ``TRELLIS_REGION`` inside an app, else :data:`FALLBACK_REGION`."""
    return instance_region() if has_app_context() else FALLBACK_REGION


def normalize_email(value: str) -> str:
    """The address as stored: trimmed, checked and lower-cased (so a lookup
    ignores case); an international domain is kept in Unicode. Raises
    ``ValueError`` with a translated message if it is not an address."""
    typed = value.strip()
    try:
        checked = validate_email(typed, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.", value=typed)) from None
    return checked.normalized.lower()


def normalize_phone(value: str, region: str | None = None) -> str:
    """The number in E.164, e.g. ``+8613800138000``.

    Accepts the forms people type (spaces, dashes, brackets, ``+`` or the
    international call prefix, a trunk ``0``). A number without a country
    code is read as ``region``'s (default: the instance's ``TRELLIS_REGION``,
    or China outside an app). Raises ``ValueError`` with a translated
    message if libphonenumber does not know it as a valid number, or if it
    has an extension, which E.164 cannot hold.
    """
    number = _parse(value, region or home_region())
    if number is None:
        raise ValueError(_("“%(value)s” is not a valid phone number.", value=value.strip()))
    if number.extension:
        raise ValueError(
            _("“%(value)s” has an extension; enter the number without it.", value=value.strip())
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(value: str | None) -> str:
    """A stored number as people read it: in national format when it is in
    the instance's country (``138 0013 8000``), international otherwise
    (``+1 415-555-2671``); text that is not a valid number is shown as it is."""
    region = home_region()
    number = _parse(value or "", region)
    if number is None:
        return value or ""
    home = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    )


def phone_type_label(value: str | None) -> str:
    """What kind of number it is, translated ("Mobile", "Fixed line" …), or
    ``""`` when the kind is unknown, rare, or the text is not a number."""
    number = _parse(value or "", home_region())
    if number is None:
        return ""
    label = PHONE_TYPE_LABELS.get(phonenumbers.number_type(number))
    return str(label) if label is not None else ""


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number libphonenumber reads in ``value``, if it is a valid one."""
    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_list(values, normalizer: Callable[[str], str]) -> list[str]:
    """Normalise one text or a list of them, dropping duplicates, keeping
    order. Raises ``ValueError`` with a translated message."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        raise ValueError(_("Each entry must be text."))
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(_("Each entry must be text."))
        clean = normalizer(value)
        if clean not in out:
            out.append(clean)
    return out


def clean_contact_points(data: dict, errors: dict[str, list[str]]) -> None:
    """Normalise ``data["phones"]`` and ``data["emails"]`` in place; record
    the message under the field's name in ``errors`` instead of raising."""
    for key, normalizer in (("phones", normalize_phone), ("emails", normalize_email)):
        if key in data:
            try:
                data[key] = normalize_list(data[key], normalizer)
            except ValueError as exc:
                errors[key] = [str(exc)]


#: why stdnum refused a resident identity card number, said to the user
_ID_PROBLEMS = {
    "InvalidLength": _l("a resident identity card number has 18 characters"),
    "InvalidFormat": _l("a resident identity card number is 17 digits and a digit or X"),
    "InvalidChecksum": _l("the last character (the check digit) does not match"),
    "InvalidComponent": _l("the birth date or region in it is not valid"),
}


def normalize_national_id(value: str) -> str:
    """A Chinese resident identity card number (居民身份证号码) as stored:
    compact, upper-case X. Checked by ``python-stdnum`` (length, region
    and birth date, the ISO 7064 MOD 11-2 check digit). Raises
    ``ValueError`` with a translated reason that does not repeat the number
    (it is personal data, kept encrypted: :mod:`core.pii`)."""
    from stdnum import exceptions
    from stdnum.cn import ric

    try:
        return str(ric.validate(value.strip().upper()))
    except exceptions.ValidationError as exc:
        reason = _ID_PROBLEMS.get(type(exc).__name__, _ID_PROBLEMS["InvalidFormat"])
        raise ValueError(
            _("Not a valid resident identity card number: %(reason)s.", reason=reason)
        ) from None


def normalize_tax_number(value: str | None) -> str | None:
    """纳税人识别号 as stored: on an instance in China (``TRELLIS_REGION`` CN)
    a unified social credit code (统一社会信用代码) with a valid check
    character, in capitals (python-stdnum ``cn.uscc``); elsewhere the text
    given. :class:`ValueError` with the message to show."""
    if not value or instance_region() != "CN":
        return value
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    try:
        return str(uscc.validate(value))
    except ValidationError:
        raise ValueError(
            _(
                "not a valid unified social credit code: 18 letters and digits, "
                "the last a check character"
            )
        ) from None
