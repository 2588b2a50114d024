"""The settings the booking rules read, the clock they run on and the
masked names the queue board shows.

Settings (``[plugins_settings.his]``; defaults here while the plugin has no
settings schema): ``cancel_cutoff_hours`` (2: a booking may be cancelled up
to this many hours before its period starts), ``no_show_limit`` (3),
``no_show_period_days`` (90) and ``suspension_days`` (30): that many
no-shows within the period suspend online booking for that many days;
``booking_number_pattern`` (core's numbering)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.api import instance_timezone, plugin_settings, utcnow

DEFAULTS = {
    "cancel_cutoff_hours": 2,
    "no_show_limit": 3,
    "no_show_period_days": 90,
    "suspension_days": 30,
    "booking_number_pattern": "GH{yyyy}{mm}{dd}-{seq:04}",
}
#: when each period of a day starts, in the instance's time zone
PERIOD_STARTS = {"morning": time(8, 0), "afternoon": time(13, 30), "evening": time(18, 0)}


def setting(name: str):
    """A booking setting: the instance's value, else the default."""
    return plugin_settings("his").get(name, DEFAULTS[name])


def zone() -> ZoneInfo:
    return ZoneInfo(instance_timezone())


def local_now() -> datetime:
    """Now in the instance's time zone."""
    return utcnow().astimezone(zone())


def local_today() -> date:
    return local_now().date()


def period_start(day: date, period: str) -> datetime:
    """When a session's period starts (aware, in the instance's time zone)."""
    return datetime.combine(day, PERIOD_STARTS[period], tzinfo=zone())


def cancel_deadline(day: date, period: str) -> datetime:
    """The last moment a booking of this session may be cancelled."""
    return period_start(day, period) - timedelta(hours=float(setting("cancel_cutoff_hours")))


def masked_name(name: str) -> str:
    """A name the waiting room may read: "王*英" for 王小英, "王*" for 王英,
    "M. H****" for Mei Huang."""
    name = " ".join((name or "").split())
    if not name:
        return "*"
    if not name.isascii() and " " not in name:
        if len(name) <= 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]
    words = name.split(" ")
    if len(words) == 1:
        return words[0][0] + "*" * max(1, len(words[0]) - 1)
    return f"{words[0][0]}. {words[-1][0]}{'*' * max(1, len(words[-1]) - 1)}"
