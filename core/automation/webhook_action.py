"""The ``call_webhook`` action: POST the event's record to a URL, signed.

It reuses :mod:`core.webhooks` — the SSRF rule (:mod:`~core.webhooks.addresses`,
checked when the rule is saved and again at send time), the payload of a
record (:mod:`~core.webhooks.payloads`), the ``Trellis-Signature`` header
(:mod:`~core.webhooks.signing`) and the one HTTP attempt
(:mod:`~core.webhooks.sending`) — so a receiver verifies it as it verifies a
webhook (``docs/webhooks.md``). ``Trellis-Delivery`` is the run's key: the
same on every retry of the run, so a receiver drops a repeat. An answer
other than 2xx fails the run, which is retried.
"""

from __future__ import annotations

import time
from typing import Any

from core import __version__
from core.automation.base import ActionParam, AutomationAction, RunContext
from core.i18n import _, _l
from core.webhooks.addresses import RefusedAddress, resolve
from core.webhooks.payloads import build
from core.webhooks.sending import post
from core.webhooks.signing import body_of, new_secret, signature
from core.webhooks.subscriptions import INTERNAL


def run_key(context: RunContext) -> str:
    return f"automation-run-{context.run.id}"


class CallWebhook(AutomationAction):
    """POST ``{"id", "event", "created_at", "data": {"record", "rule"}}`` to ``url``."""

    code = "call_webhook"
    label = _l("Call a webhook")
    params = (
        ActionParam("url", _l("URL"), kind="url"),
        ActionParam("secret", _l("Signing secret (made if empty)"), required=False),
        ActionParam("allow_internal", _l("Allow an internal host"), required=False, kind="flag"),
    )

    def check(self, params, entity, actor):
        errors: dict[str, list[str]] = {}
        internal = bool(params.get("allow_internal"))
        if internal and actor is not None and not actor.can(INTERNAL):
            errors["allow_internal"] = [
                _("Only an administrator who manages settings may allow an internal host.")
            ]
        try:
            resolve(str(params["url"]), internal)
        except RefusedAddress as exc:
            errors["url"] = [str(exc)]
        secret = params.get("secret")
        if secret not in (None, "") and not 16 <= len(str(secret)) <= 200:
            errors["secret"] = [_("from 16 to 200 characters")]
        return errors

    @staticmethod
    def completed(params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with a secret made when none was given (on saving the rule)."""
        return params if params.get("secret") else {**params, "secret": new_secret()}

    def preview(self, params, record, rule):
        return _("POST the record to %(url)s", url=params["url"])

    def run(self, params, record, context):
        key = run_key(context)
        kwargs: dict[str, Any] = {"rule": context.rule.name}
        if record is not None:
            kwargs["record"] = record
        body = body_of(build(context.run.event, kwargs, key, context.rule.created_by))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"Trellis-Automation/{__version__}",
            "Trellis-Event": context.run.event,
            "Trellis-Delivery": key,
            "Trellis-Signature": signature(str(params["secret"]), int(time.time()), body),
        }
        answer = post(
            str(params["url"]), body, headers, allow_internal=bool(params.get("allow_internal"))
        )
        if not answer.delivered:
            raise ValueError(answer.error or f"HTTP {answer.status_code}")
        return f"HTTP {answer.status_code}, {answer.latency_ms} ms"
