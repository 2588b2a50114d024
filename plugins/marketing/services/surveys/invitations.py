"""Invitations: one customer asked to answer one survey, once per occasion.

An invitation goes out by e-mail or SMS through core's outbox, in the
customer's language, only to a customer who agreed to be contacted on that
channel for **research** (``may_contact(ids, channel, "research")``): a
survey is neither about the customer's own order (``service``) nor selling
(``marketing``), so — with nothing recorded — a customer is not surveyed
until they opt in. A customer nobody may reach (``not_to_contact``: a
deceased patient) is never invited, not even for a link to copy.

The link's token is made here and given out once — in the message, or in
the answer of the request that made a ``link`` invitation; only its hash is
kept. Core keeps no language per customer: the invitation's is the one the
sender asks for, else the customer's custom field ``language`` (``en`` or
``zh_CN``) when an instance defines one, else the instance's locale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import Select, select, update

from core.api import (
    Customer,
    StateError,
    User,
    ValidationError,
    db,
    delete_rows,
    load,
    may_contact,
    new_tracking_token,
    not_to_contact,
    repoint,
    scoped,
    send_message,
    transaction,
    translator,
    utcnow,
    visible_records,
)

from ...models.survey import LANGUAGES, Survey, SurveyInvitation, SurveyResponse
from ...schemas.survey import MarketingSurveySendInput
from .. import segments

_, _l = translator("marketing")

#: the consent purpose a survey invitation asks for
PURPOSE = "research"
#: the most customers one send from the survey page invites (a campaign sends more)
MAX_SEND = 2000


@dataclass
class Sent:
    """What a send did: the invitations made, each with its link (given out
    this once), and the customers left out, counted by reason (``consent``,
    ``not_to_contact``, ``no_address``, ``already``)."""

    created: list[tuple[SurveyInvitation, str]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


def survey_link(token: str) -> str:
    """The public page of an invitation, as a full address when a request
    (or ``SERVER_NAME``) tells the host; the path otherwise."""
    try:
        return url_for("marketing_public.survey", token=token, _external=True)
    except RuntimeError:
        return f"/m/s/{token}"


def instance_language() -> str:
    return "zh_CN" if str(current_app.config["TRELLIS_LOCALE"]).startswith("zh") else "en"


def customer_language(customer: Customer, asked: str | None = None) -> str:
    """The language to ask ``customer`` in (see the module's note)."""
    if asked in LANGUAGES:
        return asked
    kept = (customer.custom_fields or {}).get("language")
    return kept if kept in LANGUAGES else instance_language()


def address_of(customer: Customer, channel: str) -> str | None:
    """The customer's first e-mail or phone, else their primary contact's."""
    attr = "emails" if channel == "email" else "phones"
    found = list(getattr(customer, attr) or [])
    for contact in customer.contacts:
        if contact.deleted_at is None:
            found += list(getattr(contact, attr) or [])
    return found[0] if found else None


def visible_invitations(user: User | None, query: Select | None = None) -> Select:
    """``query`` (default: every invitation) restricted to those of the
    customers ``user`` may see, by core's scope over the owner and team the
    invitation copied from its customer."""
    return visible_records(SurveyInvitation, user, query)


def invite(
    survey: Survey,
    customers: Iterable[Customer],
    occasion: str,
    actor: User | None,
    channel: str | None = None,
    language: str | None = None,
) -> Sent:
    """Invite each of ``customers`` to ``survey`` for ``occasion``, in one
    transaction: by ``channel`` (default the survey's) to whoever consented,
    or as a link to copy. A closed survey invites nobody (409)."""
    if survey.status != "active" or survey.deleted_at is not None:
        raise StateError({"status": [_("This survey is closed.")]})
    channel = channel or survey.channel
    customers = list({c.id: c for c in customers}.values())
    ids = [c.id for c in customers]
    sent = Sent()
    barred = not_to_contact(ids)
    allowed = set(ids) - barred if channel == "link" else may_contact(ids, channel, PURPOSE)
    asked_before = set(
        db.session.scalars(
            select(SurveyInvitation.customer_id).where(
                SurveyInvitation.survey_id == survey.id,
                SurveyInvitation.occasion == occasion,
                SurveyInvitation.customer_id.in_(ids),
            )
        )
    )
    with transaction():
        for customer in customers:
            if customer.id in barred:
                sent.skip("not_to_contact")
            elif customer.id not in allowed:
                sent.skip("consent")
            elif customer.id in asked_before:
                sent.skip("already")
            else:
                _invite_one(survey, customer, occasion, actor, channel, language, sent)
    return sent


def _invite_one(
    survey: Survey,
    customer: Customer,
    occasion: str,
    actor: User | None,
    channel: str,
    language: str | None,
    sent: Sent,
) -> None:
    token, token_hash = new_tracking_token()
    link = survey_link(token)
    lang = customer_language(customer, language)
    to = None if channel == "link" else address_of(customer, channel)
    if channel != "link":
        if to is None:
            sent.skip("no_address")
            return
        try:
            _send(survey, customer, channel, to, lang, link)
        except ValidationError:  # a stored address the outbox cannot read
            sent.skip("no_address")
            return
    invitation = SurveyInvitation(
        survey_id=survey.id,
        customer_id=customer.id,
        occasion=occasion,
        owner_id=customer.owner_id,
        team_id=customer.team_id,
        token_hash=token_hash,
        language=lang,
        channel=channel,
        sent_to=to,
        sent_at=utcnow(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(invitation)
    db.session.flush()
    sent.created.append((invitation, link))


def _send(survey: Survey, customer: Customer, channel: str, to: str, lang: str, link: str) -> None:
    with force_locale(lang):
        if channel == "email":
            body = _(
                "Hello %(name)s,\n\nWe would value your opinion. Please answer our short "
                "survey \u201c%(survey)s\u201d — it takes a minute:\n%(link)s\n\nThank you!",
                name=customer.name,
                survey=survey.name,
                link=link,
            )
        else:
            body = _(
                "%(survey)s: tell us what you think, it takes a minute: %(link)s",
                survey=survey.name,
                link=link,
            )
        subject = _("Your opinion: %(survey)s", survey=survey.name)
    send_message(
        channel,
        to,
        body,
        purpose="survey",
        subject=subject if channel == "email" else None,
        customer_id=customer.id,
        source="marketing",
    )


def send(survey: Survey, payload: dict, actor: User | None) -> Sent:
    """A send from the survey page or ``POST /surveys/{id}/invitations``: to
    a marketing segment's members or to customers, as ``actor`` sees them
    (a customer the actor may not see is a 422 naming ``customer_ids``)."""
    data = load(MarketingSurveySendInput(), payload)
    if (data["segment_id"] is None) == (not data["customer_ids"]):
        message = _("Name a segment or customers, one of the two.")
        raise ValidationError({"segment_id": [message]})
    if data["segment_id"] is not None:
        segment = segments.visible_segment(data["segment_id"], actor)
        query = segments.members_query(segment, actor).order_by(Customer.id)
    else:
        query = scoped(select(Customer), Customer, actor).where(
            Customer.id.in_(data["customer_ids"])
        )
    customers = list(db.session.scalars(query.limit(MAX_SEND + 1)))
    if len(customers) > MAX_SEND:
        message = _(
            "This segment has more than %(max)d members: send to it by campaign.", max=MAX_SEND
        )
        raise ValidationError({"segment_id": [message]})
    if data["customer_ids"] and len(customers) != len(set(data["customer_ids"])):
        raise ValidationError({"customer_ids": [_("Unknown customer.")]})
    occasion = data["occasion"] or f"send:{utcnow().date().isoformat()}"
    return invite(survey, customers, occasion, actor, data["channel"], data["language"])


def invite_after(trigger: str, customer_id: int | None, occasion: str) -> list[SurveyInvitation]:
    """After another plugin's event (``trigger``, e.g. ``sales.deal_won``):
    invite its customer to every active survey that answers that trigger,
    once per ``occasion`` (``deal:12``) — by the survey's channel, so only
    with the customer's consent."""
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.deleted_at is not None:
        return []
    surveys = db.session.scalars(
        select(Survey).where(
            Survey.trigger == trigger, Survey.status == "active", Survey.deleted_at.is_(None)
        )
    ).all()
    made: list[SurveyInvitation] = []
    for survey in surveys:
        made += [i for i, _link in invite(survey, [customer], occasion, None).created]
    return made


def merge_customer(survivor_id: int, merged_id: int) -> int:
    """Move a merged customer's invitations and answers to the survivor (in
    the merge's transaction). An invitation for an occasion the survivor was
    invited for too keeps its own, marked with the merged customer's id, so
    neither invitation is lost. How many rows moved."""
    taken = select(SurveyInvitation.occasion).where(SurveyInvitation.customer_id == survivor_id)
    both = db.session.scalars(
        select(SurveyInvitation).where(
            SurveyInvitation.customer_id == merged_id, SurveyInvitation.occasion.in_(taken)
        )
    ).all()
    for invitation in both:
        asked = select(SurveyInvitation.id).where(
            SurveyInvitation.customer_id == survivor_id,
            SurveyInvitation.survey_id == invitation.survey_id,
            SurveyInvitation.occasion == invitation.occasion,
        )
        if db.session.scalar(asked) is not None:
            invitation.occasion = f"{invitation.occasion[:60]}:merged:{merged_id}"
    db.session.flush()
    moved = repoint(SurveyInvitation, "customer_id", merged_id, survivor_id)
    return moved + repoint(SurveyResponse, "customer_id", merged_id, survivor_id)


def purge_customer(customer_id: int) -> None:
    """A purged customer's answers and invitations go with it."""
    delete_rows(SurveyResponse, "customer_id", customer_id)
    delete_rows(SurveyInvitation, "customer_id", customer_id)


def follow_owner(customer: Customer) -> None:
    """A customer changed hands: their invitations and answers follow, so
    the new owner sees them and the previous one no longer does."""
    with transaction():
        for model in (SurveyInvitation, SurveyResponse):
            db.session.execute(
                update(model)
                .where(model.customer_id == customer.id)
                .values(owner_id=customer.owner_id, team_id=customer.team_id)
            )
