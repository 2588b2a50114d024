"""Core's web pages: server-rendered Flask blueprints, one module per concern.

- :mod:`core.web.auth` — signing in and out, the CSRF check (blueprint ``auth``)
- :mod:`core.web.base` — the page frame, the dashboard (blueprint ``core``)
- :mod:`core.web.health` — ``/healthz``, ``/readyz`` (``health``) and ``/metrics``
- :mod:`core.web.customers` — customer list, forms and 360° page (``customers``),
  whose tabs' panels :mod:`core.web.customer_tabs` renders
- :mod:`core.web.contacts` — contact list, page and forms (``contacts``)
- :mod:`core.web.activities` — the customer page's quick actions and my tasks
  (``activities``, ``tasks``)
- :mod:`core.web.pool` — the customer pool (``pool``)
- :mod:`core.web.account` — the user's own preferences (``account``)
- :mod:`core.web.admin` — administration: plugins, recycle bin, audit, settings,
  follow-up plans, merging (``admin``)
- :mod:`core.web.directory` — users, teams, roles, custom fields, tags (``directory``)
- :mod:`core.web.pool_rules` — the customer pool's rules (``pool_rules``)
- :mod:`core.web.approvals` — approvals: inbox, a request, flows, the dashboard card
  (``approvals``)
- :mod:`core.web.attachments` — a file attached to a record, as a download
  (``attachments``)
- :mod:`core.web.outbox` — Settings → Outbox: the messages sent (``outbox``)
- :mod:`core.web.webhooks` — Settings → Webhooks: subscriptions, deliveries (``webhooks``)
- :mod:`core.web.imports` — Customers → Import: upload, mapping, preview, progress, undo
  (``imports``)
- :mod:`core.web.automation` — Settings → Automation: rules, their run log (``automation``)
- :mod:`core.web.consents` — the customer page's Consent tab and its form (``consents``)
- :mod:`core.web.consent_public` — the public page of a consent confirmation link
  (``consent_public``)

Pages call the same schemas and service functions as the JSON API
(:mod:`core.rest`); the form ↔ schema glue is :mod:`core.forms`, HTTP error
pages are :func:`core.rest.problems.error_page`. The app factory registers
:data:`BLUEPRINTS`, in this order.
"""

from core.web import (
    account,
    activities,
    admin,
    approvals,
    attachments,
    auth,
    automation,
    base,
    consent_public,
    consents,
    contacts,
    customers,
    directory,
    health,
    imports,
    outbox,
    pool,
    pool_rules,
    search,
    webhooks,
)

BLUEPRINTS = (
    auth.bp,
    base.bp,
    health.bp,
    customers.bp,
    contacts.bp,
    activities.bp,
    activities.tasks_bp,
    pool.bp,
    account.bp,
    admin.bp,
    directory.bp,
    pool_rules.bp,
    search.bp,
    approvals.bp,
    attachments.bp,
    consents.bp,
    consent_public.bp,
    outbox.bp,
    imports.bp,
    webhooks.bp,
    automation.bp,
)

__all__ = ["BLUEPRINTS"]
