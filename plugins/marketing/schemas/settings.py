"""The marketing plugin's settings (``[plugins_settings.marketing]`` in
``trellis.toml``): one schema, made of each feature's own settings."""

from __future__ import annotations

from .rfm import RfmSettings


class MarketingSettings(RfmSettings):
    """Every setting of the plugin: add a feature's settings as a base class."""
