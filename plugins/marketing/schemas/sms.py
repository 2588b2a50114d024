"""SMS campaigns: the plugin's settings for them (the opt-out line)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import plugin_settings


def configured_opt_out(language: str) -> str | None:
    """The opt-out line set for ``language`` in ``trellis.toml``, if any."""
    return plugin_settings("marketing").get(f"sms_opt_out_{language}") or None


class SmsSettings(Schema):
    """``[plugins_settings.marketing]`` keys of SMS campaigns: the line
    appended to every text, per language (default: "Reply TD to
    unsubscribe", translated)."""

    sms_opt_out_en = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "the opt-out line of English texts"},
    )
    sms_opt_out_zh_CN = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "the opt-out line of Chinese texts"},
    )
