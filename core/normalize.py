"""Phones and e-mails normalised on write, so duplicates can be found."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    """Lower-case and trimmed; raises ``ValueError`` if it is not an address."""
    email = value.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValueError(f"not a valid e-mail address: {value!r}")
    return email


def normalize_phone(value: str, default_country: str = "86") -> str:
    """Digits with a leading ``+`` and country code, e.g. ``+8613800138000``.

    Accepts the forms people type: spaces, dashes, brackets, ``00`` or ``+``
    prefixes. A number without a country code gets ``default_country``
    (China, +86, unless configured otherwise); a leading trunk ``0`` is
    dropped. Raises ``ValueError`` if fewer than 5 or more than 15 digits
    remain (E.164's maximum).
    """
    raw = value.strip()
    if not raw or re.search(r"[^\d\s()+.\-/]", raw):
        raise ValueError(f"not a phone number: {value!r}")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    else:
        digits = default_country + digits.lstrip("0")
    if not 5 <= len(digits) <= 15:
        raise ValueError(f"not a phone number: {value!r}")
    return "+" + digits


def normalize_list(values, normalizer, field: str) -> list[str]:
    """Normalise a list, dropping duplicates, keeping order; errors name the field."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"{field}: expected text, got {type(value).__name__}")
        clean = normalizer(value)
        if clean not in out:
            out.append(clean)
    return out


def clean_contact_points(data: dict, errors: dict[str, list[str]]) -> None:
    """Normalise ``data["phones"]`` and ``data["emails"]`` in place; record
    a message per field in ``errors`` instead of raising."""
    for key, normalizer in (("phones", normalize_phone), ("emails", normalize_email)):
        if key in data:
            try:
                data[key] = normalize_list(data[key], normalizer, key)
            except ValueError as exc:
                errors[key] = [str(exc)]
