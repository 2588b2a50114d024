"""Exceptions that carry a message meant for a person, not a traceback."""

from typing import Any

from flask_babel import lazy_gettext


class TrellisError(Exception):
    """Base class for errors whose message is shown to the user as one line."""


class ConfigError(TrellisError):
    """A setting is wrong; start-up stops. The message names the setting."""


class PluginError(TrellisError):
    """A plugin cannot be loaded; start-up stops. The message names the plugin."""


class ValidationError(TrellisError):
    """Input was rejected. ``errors`` maps each field name to its messages.

    HTTP 422: a value is malformed or breaks a rule of the record. The
    subclasses below name input that is well formed but refused by what is
    stored — 404 and 409 — (``refuse`` picks the one to raise)."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        fields = ", ".join(f"{name}: {'; '.join(msgs)}" for name, msgs in errors.items())
        super().__init__(f"invalid input — {fields}")

    @property
    def summary(self) -> str:
        """Every message on one line, for a page that shows them in one place."""
        return "; ".join(m for msgs in self.errors.values() for m in msgs)


class MissingReferenceError(ValidationError):
    """An id in the input names no record the caller may see (HTTP 404, as
    JSON:API answers a reference to a related resource that does not exist;
    ``errors`` names the field)."""

    status = 404


class StateError(ValidationError):
    """A well-formed value what is stored does not allow now: more than the
    stock holds, a limit already reached (HTTP 409; ``errors`` names the
    field, so a page shows it there as it shows any invalid value)."""

    status = 409


class TakenError(StateError):
    """A well-formed value another record already holds: a name, a code, a
    day in the calendar (HTTP 409; ``errors`` names the field)."""


def refuse(
    invalid: dict[str, list[str]] | None = None,
    *,
    missing: dict[str, list[str]] | None = None,
    taken: dict[str, list[str]] | None = None,
    state: dict[str, list[str]] | None = None,
) -> None:
    """Raise the one error that says what is wrong with an input, by field:
    422 when any value is malformed (every message included), else 404 when
    a referenced record is missing, else 409 when a value is taken or the
    stored records do not allow it (``state``); return when all are empty."""
    invalid, missing = invalid or {}, missing or {}
    taken, state = taken or {}, state or {}
    if invalid:
        raise ValidationError({**state, **taken, **missing, **invalid})
    if missing:
        raise MissingReferenceError({**state, **taken, **missing})
    if taken:
        raise TakenError({**state, **taken})
    if state:
        raise StateError(state)


class StaleVersionError(TrellisError):
    """Someone else changed the record since the caller read it (HTTP 409)."""

    def __init__(
        self, entity: str, entity_id: int | None, expected: int | None, actual: int | None
    ):
        self.entity, self.entity_id = entity, entity_id
        self.expected, self.actual = expected, actual
        if expected is None:  # two writers met in the database itself
            super().__init__(
                lazy_gettext(
                    "This record was saved by someone else at the same moment; read it again "
                    "and retry."
                )
            )
            return
        super().__init__(
            lazy_gettext(
                "This record was changed by someone else (you had version %(expected)s, it is "
                "now %(actual)s); read it again and retry.",
                expected=expected,
                actual=actual,
            )
        )


class ConflictError(TrellisError):
    """The request cannot be done in the record's current state (HTTP 409),
    e.g. an illegal step of a plugin's state machine. ``kind`` and ``title``
    name the problem; ``details`` (what is allowed instead) go into the
    problem document as they are."""

    def __init__(
        self, message: str, *, kind: str = "conflict", title: str | None = None, **details: Any
    ):
        self.kind, self.title, self.details = kind, title, details
        super().__init__(message)


class ForbiddenError(TrellisError):
    """The user may see the record but not make this change (HTTP 403); the
    message names what they lack, e.g. the permission to transfer it."""


class NotFoundError(TrellisError):
    """The record does not exist, or the caller may not know it exists."""


class UnavailableError(TrellisError):
    """This server cannot do it: a library or service it needs is missing
    (HTTP 503), e.g. printing a PDF without WeasyPrint. The message names
    what is missing, for the admin who can install it."""
