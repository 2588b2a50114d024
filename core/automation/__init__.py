"""Automation rules: when something happens, check the record, do the work.

An admin defines a rule — a trigger, conditions and actions — in Settings →
Automation or under ``/api/v1/automation``; it runs on the job queue after
the change that triggered it commits, and each run is logged.

- :mod:`.triggers`: the events one may name (core's and every plugin's),
  the record each is about and its fields; ``field_changed`` triggers
- :mod:`.conditions`: all of ``{field, op, value}`` on the record
- :mod:`.actions`: the action interface and ``trellis_automation_actions``;
  :mod:`.record_actions` (task, owner, field, tag) and
  :mod:`.webhook_action` (a signed POST) are core's
- :mod:`.rules`: saving a rule, every part checked
- :mod:`.runs`: a run written with the change, run after it, retried, the
  loop guard; :mod:`.dry_run`: trying a rule on one record, writing nothing

- :mod:`.schedules`: ``schedule`` (cron) and ``date`` (N days before or
  after a date, a custom field's too) triggers, staged by
  ``core.run_schedules`` every minute; missed slots and days caught up
- :mod:`.message_actions`: e-mail and SMS through core's outbox
- :mod:`.territory`: ``assign_owner`` by territory (value → team lines)
"""

from core.automation.actions import all_actions
from core.automation.base import ActionParam, AutomationAction, RunContext
from core.automation.dry_run import try_rule
from core.automation.rules import MANAGE, AutomationRuleInput, delete_rule, save_rule
from core.automation.runs import RETRY, RUN, execute, retry_due, retry_run, run_job, stage
from core.automation.schedules import RUN_SCHEDULES, record_types, run_schedules
from core.automation.triggers import events
from core.declarations import Job
from core.i18n import _l

#: the jobs of automation (the app factory registers them with core's)
AUTOMATION_JOBS = [
    Job(RUN, _l("Run automation rules"), run_job),
    Job(RETRY, _l("Run the automation rules due for a retry"), retry_due, every_minutes=1),
    Job(
        RUN_SCHEDULES,
        _l("Run the scheduled and date automation rules"),
        run_schedules,
        every_minutes=1,
    ),
]

__all__ = [
    "AUTOMATION_JOBS",
    "MANAGE",
    "ActionParam",
    "AutomationAction",
    "AutomationRuleInput",
    "RunContext",
    "all_actions",
    "delete_rule",
    "events",
    "execute",
    "record_types",
    "retry_due",
    "retry_run",
    "run_job",
    "run_schedules",
    "save_rule",
    "stage",
    "try_rule",
]
