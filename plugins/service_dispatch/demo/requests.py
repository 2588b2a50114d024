"""Demo of the public side: the request link a company puts on its website."""

import secrets

from core.api import db

from ..models import RequestLink

NAMES = {"en": "Website", "zh_CN": "官网报修"}


def load_demo(locale, customers, users) -> None:
    team_id = users[-1].team_id if users else None
    db.session.add(
        RequestLink(
            name=NAMES.get(locale, NAMES["en"]),
            key=secrets.token_urlsafe(24),
            active=True,
            team_id=team_id,
        )
    )
