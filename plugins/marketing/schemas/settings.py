"""The marketing plugin's settings (``[plugins_settings.marketing]`` in
``trellis.toml``): one schema, made of each feature's own settings."""

from __future__ import annotations

from .attribution import AttributionSettings
from .rfm import RfmSettings
from .sms import SmsSettings


class MarketingSettings(RfmSettings, AttributionSettings, SmsSettings):
    """Every setting of the plugin: add a feature's settings as a base class."""
