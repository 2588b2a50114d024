"""RFM and churn risk: the plugin's settings for them, and what the
``/api/v1/marketing/rfm`` and ``/churn`` endpoints read and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs, plugin_settings

from ..models.rfm import SEGMENT_CODES

#: how far back frequency and monetary count, in days
WINDOW_DAYS = 365
#: churn risk counts "no contact" from this many days without one
NO_CONTACT_DAYS = 90
#: how many runs' segment snapshots are kept (one a day)
RUNS_KEPT = 13
#: the churn score from which the churn list counts a customer at risk
CHURN_HIGH = 50


def rfm_settings() -> dict[str, int]:
    """The plugin's RFM settings as a run reads them, defaults filled in."""
    given = plugin_settings("marketing")
    return {
        "window_days": given.get("rfm_window_days", WINDOW_DAYS),
        "no_contact_days": given.get("churn_no_contact_days", NO_CONTACT_DAYS),
        "runs_kept": given.get("rfm_runs_kept", RUNS_KEPT),
    }


class RfmSettings(Schema):
    """``[plugins_settings.marketing]`` keys of RFM and churn risk. Readers
    take the defaults themselves as well, so the plugin scores without
    settings."""

    rfm_window_days = fields.Integer(
        load_default=WINDOW_DAYS,
        validate=validate.Range(30, 3650),
        metadata={"description": "days back that frequency and monetary count"},
    )
    churn_no_contact_days = fields.Integer(
        load_default=NO_CONTACT_DAYS,
        validate=validate.Range(1, 3650),
        metadata={"description": "days without contact after which churn risk rises"},
    )
    rfm_runs_kept = fields.Integer(
        load_default=RUNS_KEPT,
        validate=validate.Range(2, 400),
        metadata={"description": "runs whose segment snapshots are kept for movement"},
    )


class MarketingRfmArgs(Schema):
    """``segment_id``: only the members of this marketing segment."""

    segment_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))


class MarketingRfmCountOut(Schema):
    segment = fields.String()
    label = fields.String()
    count = fields.Integer()


class MarketingRfmRunOut(Schema):
    """A run of the log: its state, what it read, how far it got."""

    id = fields.Integer()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    as_of = fields.DateTime()
    window_days = fields.Integer()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    customers = fields.Integer()
    events = fields.Integer()
    done = fields.Integer()
    total = fields.Integer()
    error = fields.String(allow_none=True)
    kept = fields.Boolean(metadata={"description": "its segment snapshot is kept: movement"})


class MarketingRfmSummaryOut(Schema):
    """The latest finished run and its segments' counts, as the caller sees them."""

    run = fields.Nested(MarketingRfmRunOut, allow_none=True)
    segments = fields.List(fields.Nested(MarketingRfmCountOut))
    total = fields.Integer()


class MarketingRfmCustomerArgs(ListArgs):
    """``rfm_segment``: one RFM segment's customers; ``q``: part of the name."""

    rfm_segment = fields.String(validate=validate.OneOf(SEGMENT_CODES))


class MarketingRfmCustomerOut(Schema):
    """A customer's figures of the latest run."""

    customer_id = fields.Integer()
    name = fields.String()
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    recency_days = fields.Integer()
    frequency = fields.Integer()
    monetary = fields.Decimal(as_string=True)
    r = fields.Integer()
    f = fields.Integer()
    m = fields.Integer()
    segment = fields.String()
    segment_label = fields.String()
    churn_score = fields.Integer()
    reasons = fields.List(fields.String(), metadata={"description": "churn risk, in words"})


class MarketingRfmMovementArgs(Schema):
    from_run = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    to_run = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class MarketingRfmMoveOut(Schema):
    """Customers in ``from_segment`` at the first run and ``to_segment`` at
    the second (``none``: not scored at that run)."""

    from_segment = fields.String()
    to_segment = fields.String()
    count = fields.Integer()


class MarketingRfmMovementOut(Schema):
    from_run = fields.Integer()
    to_run = fields.Integer()
    moves = fields.List(fields.Nested(MarketingRfmMoveOut))


class MarketingChurnArgs(ListArgs):
    """``owner_id``: one account manager's customers; ``min_score``: the
    churn score from which a customer counts as at risk (default 50)."""

    owner_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    min_score = fields.Integer(
        strict=False, load_default=CHURN_HIGH, validate=validate.Range(0, 100)
    )
