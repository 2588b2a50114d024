"""The approval engine (审批): one for every plugin, as the follow-up engine is.

A plugin declares which of its records can require approval
(``trellis_approvables``); an admin defines flows for each record type
(:mod:`~core.approvals.flows`); a record is submitted, locked while it waits
and withdrawn (:mod:`~core.approvals.requests`); approvers decide or
delegate (:mod:`~core.approvals.decisions`); each step lands on the
customer's timeline and in the audit log (:mod:`~core.approvals.journal`);
approvers are reminded through a follow-up rule (:mod:`~core.approvals.reminders`).

Plugins use it through ``core.api`` only.
"""

from core.approvals.decisions import approve, delegate, reject
from core.approvals.flows import FlowInput, choose_flow, delete_flow, save_flow
from core.approvals.requests import (
    MANAGE,
    ensure_unlocked,
    get_request,
    is_locked,
    submit,
    visible_requests,
    withdraw,
)

__all__ = [
    "MANAGE",
    "FlowInput",
    "approve",
    "choose_flow",
    "delegate",
    "delete_flow",
    "ensure_unlocked",
    "get_request",
    "is_locked",
    "reject",
    "save_flow",
    "submit",
    "visible_requests",
    "withdraw",
]
