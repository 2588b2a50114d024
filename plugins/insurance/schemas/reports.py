"""The reports' query arguments (period in whole months, grouping,
currency) and each report's answer: its rows (one per group and currency)
and its totals (per currency for money, one row for counts). Money is a
string of the amount; rates are fractions as strings (``"0.2500"`` = 25 %),
``null`` where the basis is 0."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from core.api import add_months, translator

from ..services.reports.period import GROUPS, MAX_MONTHS, Period, default_period

_, _l = translator("insurance")

MONTH = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$")  # a month: YYYY-MM


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class ReportArgs(Schema):
    """``from``/``to``: the first and last month (YYYY-MM, both included;
    default the last twelve months); ``group_by``: month (default), carrier,
    product, line or agent; ``currency``: only this currency's figures."""

    start = fields.String(data_key="from", validate=MONTH, metadata={"example": "2026-01"})
    end = fields.String(data_key="to", validate=MONTH, metadata={"example": "2026-12"})
    group_by = fields.String(load_default="month", validate=validate.OneOf(GROUPS))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))

    @validates_schema
    def _forward(self, data, **kwargs):
        if "start" in data and "end" in data:
            first, last = _month(data["start"]), _month(data["end"])
            if last < first:
                raise ValidationError({"to": [_("to is before from")]})
            if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
                raise ValidationError(
                    {"to": [_("at most %(n)s months in one report", n=MAX_MONTHS)]}
                )

    @post_load
    def _period(self, data, **kwargs):
        """Twelve months when one end is missing; the last twelve when both are."""
        if "start" in data:
            start = _month(data["start"])
            end = _month(data["end"]) if "end" in data else add_months(start, 11)
        elif "end" in data:
            end = _month(data["end"])
            start = add_months(end, -11)
        else:
            return {**self._rest(data), "period": default_period()}
        return {**self._rest(data), "period": Period.of_months(start, end)}

    @staticmethod
    def _rest(data: dict) -> dict:
        return {"group_by": data["group_by"], "currency": data.get("currency")}


def _report(name: str, row: dict, total: dict, *, monthly: bool = False) -> type[Schema]:
    """The answer schema ``<name>Out``: ``period``, ``group_by``, ``rows``, ``totals``."""
    row_fields = {
        "group": fields.String(metadata={"description": "YYYY-MM, an id, or a line code"}),
        "label": fields.String(),
        **({"month": fields.String()} if monthly else {}),
        **row,
    }
    row_schema = Schema.from_dict(row_fields, name=f"{name}Row")
    total_schema = Schema.from_dict(total, name=f"{name}Total")
    return Schema.from_dict(
        {
            "first": fields.Date(),
            "last": fields.Date(),
            "group_by": fields.String(),
            "currency": fields.String(allow_none=True),
            "rows": fields.List(fields.Nested(row_schema)),
            "totals": fields.List(fields.Nested(total_schema)),
        },
        name=f"{name}Out",
    )


def _cur() -> dict:
    return {"currency": fields.String()}


def _money(*names: str) -> dict:
    return {n: fields.Decimal(as_string=True) for n in names}


def _counts(*names: str) -> dict:
    return {n: fields.Integer() for n in names}


def _rates(*names: str) -> dict:
    return {n: fields.Decimal(as_string=True, allow_none=True) for n in names}


_PERSISTENCY = {
    **{
        f"p{n}_{m}": f
        for n in (13, 25)
        for m, f in (
            ("count", fields.Integer()),
            ("kept", fields.Integer()),
            ("pending", fields.Integer()),
            ("ape", fields.Decimal(as_string=True)),
            ("kept_ape", fields.Decimal(as_string=True)),
            ("rate", fields.Decimal(as_string=True, allow_none=True)),
            ("count_rate", fields.Decimal(as_string=True, allow_none=True)),
        )
    }
}
_CYCLE = {
    **_counts("claims", "paid", "rejected"),
    **{
        n: fields.Decimal(as_string=True, allow_none=True)
        for n in ("mean_days", "paid_mean_days", "rejected_mean_days")
    },
}

#: each report's answer schema, by its path
OUTPUTS: dict[str, type[Schema]] = {
    "premium": _report(
        "InsurancePremiumReport",
        {**_cur(), **_money("written", "earned")},
        {**_cur(), **_money("written", "earned")},
    ),
    "in-force": _report("InsuranceInForceReport", _counts("count"), _counts("now"), monthly=True),
    "new-business": _report(
        "InsuranceNewBusinessReport",
        {**_cur(), **_counts("count"), **_money("ape")},
        {**_cur(), **_counts("count"), **_money("ape")},
    ),
    "lapse-rate": _report(
        "InsuranceLapseReport",
        {**_counts("lapses", "in_force_start", "in_force_end"), **_rates("rate")},
        {**_counts("lapses", "in_force_start", "in_force_end"), **_rates("rate")},
    ),
    "persistency": _report(
        "InsurancePersistencyReport", {**_cur(), **_PERSISTENCY}, {**_cur(), **_PERSISTENCY}
    ),
    "renewal-rate": _report(
        "InsuranceRenewalReport",
        {**_counts("renewed", "lost", "expired", "open"), **_rates("rate")},
        {**_counts("renewed", "lost", "expired", "open"), **_rates("rate")},
    ),
    "loss-ratio": _report(
        "InsuranceLossRatioReport",
        {**_cur(), **_money("incurred", "earned"), **_rates("ratio")},
        {**_cur(), **_money("incurred", "earned"), **_rates("ratio")},
    ),
    "claim-cycle": _report("InsuranceClaimCycleReport", _CYCLE, _CYCLE),
    "quote-to-bind": _report(
        "InsuranceQuoteToBindReport",
        {**_counts("quotes", "bound"), **_rates("rate")},
        {**_counts("quotes", "bound"), **_rates("rate")},
    ),
    "callback-compliance": _report(
        "InsuranceCallbackReport",
        {**_counts("due", "in_time"), **_rates("rate")},
        {**_counts("due", "in_time"), **_rates("rate")},
    ),
}
