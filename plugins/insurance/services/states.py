"""The lives of a policy term and of a claim, as core's state tables
(``core.api.StateMachine``): which action may start from which state and
where it leads. The services that move a policy or a claim ask these
tables and nothing else; a refused move is core's 409
``illegal-transition`` naming what is allowed instead.

"Reinstated" is not a state of its own: reinstating puts a lapsed term back
in force (the page says "Reinstated on …" from its last transaction), so
every "in force" query stays one state. Actions marked *system* are taken
by the nightly job or the payment service, never through the API
(:data:`SYSTEM_POLICY_ACTIONS`); ``renew`` is taken on the predecessor when
its successor is issued."""

from __future__ import annotations

from core.api import StateMachine, translator

_, _l = translator("insurance")

POLICY_STATE_LABELS = {
    "draft": _l("Draft"),
    "quoted": _l("Quoted"),
    "bound": _l("Bound"),
    "in_force": _l("In force"),
    "grace": _l("In grace period"),
    "lapsed": _l("Lapsed"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
    "renewed": _l("Renewed"),
}
POLICY_ACTION_LABELS = {
    "quote": _l("Quote"),
    "revise": _l("Revise"),
    "bind": _l("Bind"),
    "issue": _l("Issue"),
    "endorse": _l("Endorse"),
    "enter_grace": _l("Enter grace period"),
    "settle": _l("Settle arrears"),
    "lapse": _l("Lapse"),
    "reinstate": _l("Reinstate"),
    "cancel": _l("Cancel"),
    "expire": _l("Expire"),
    "renew": _l("Renew"),
}
POLICY = StateMachine(
    _l("policy"),
    {
        "quote": (("draft", "quoted"), "quoted"),
        "revise": (("quoted", "bound"), "draft"),
        "bind": (("quoted",), "bound"),
        "issue": (("bound",), "in_force"),
        "endorse": (("in_force", "grace"), None),  # a term in grace stays in grace
        "enter_grace": (("in_force",), "grace"),
        "settle": (("grace",), "in_force"),
        "lapse": (("grace",), "lapsed"),
        "reinstate": (("lapsed",), "in_force"),
        "cancel": (("draft", "quoted", "bound", "in_force", "grace", "lapsed"), "cancelled"),
        "expire": (("in_force",), "expired"),
        "renew": (("in_force", "expired"), "renewed"),
    },
    states=POLICY_STATE_LABELS,
    actions=POLICY_ACTION_LABELS,
)
#: taken by the jobs and the payment service, refused through the API (422 ``action``)
SYSTEM_POLICY_ACTIONS = frozenset({"enter_grace", "settle", "lapse", "expire", "renew"})

CLAIM_STATE_LABELS = {
    "reported": _l("Reported"),
    "documents_pending": _l("Documents pending"),
    "submitted": _l("Submitted"),
    "assessing": _l("Assessing"),
    "approved": _l("Approved"),
    "partially_approved": _l("Partially approved"),
    "rejected": _l("Rejected"),
    "paid": _l("Paid"),
    "closed": _l("Closed"),
}
CLAIM_ACTION_LABELS = {
    "request_documents": _l("Request documents"),
    "submit": _l("Submit"),
    "assess": _l("Start assessing"),
    "approve": _l("Approve"),
    "approve_partially": _l("Approve in part"),
    "reject": _l("Reject"),
    "pay": _l("Pay"),
    "close": _l("Close"),
    "appeal": _l("Appeal"),
    "reopen": _l("Reopen"),
    "withdraw": _l("Withdraw"),
    # a step the hospital's refund writes on an outpatient claim, no move of the page
    "hospital_refund": _l("Hospital refund"),
}
CLAIM = StateMachine(
    _l("claim"),
    {
        "request_documents": (("reported", "submitted", "assessing"), "documents_pending"),
        "submit": (("reported", "documents_pending"), "submitted"),
        "assess": (("submitted",), "assessing"),
        "approve": (("assessing",), "approved"),
        "approve_partially": (("assessing",), "partially_approved"),
        "reject": (("assessing",), "rejected"),
        "pay": (("approved", "partially_approved"), "paid"),
        "close": (("rejected", "paid"), "closed"),
        "appeal": (("partially_approved", "rejected"), "assessing"),
        "reopen": (("closed",), "assessing"),
        "withdraw": (("reported", "documents_pending", "submitted"), "closed"),
    },
    states=CLAIM_STATE_LABELS,
    actions=CLAIM_ACTION_LABELS,
)
