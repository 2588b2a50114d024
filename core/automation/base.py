"""The action interface a plugin implements (``trellis_automation_actions``):
:class:`AutomationAction`, its :class:`ActionParam` and the
:class:`RunContext` its ``run`` gets.

It imports only the models and the record types (:mod:`.records`), so the
hookspecs may name it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from core.automation.records import Entity
from core.models import AutomationRule, AutomationRun, User


@dataclass(frozen=True)
class ActionParam:
    """A parameter of an action: its name, what users read, whether it
    must be given, and its kind (``text``, ``longtext``, ``number``,
    ``user``, ``team``, ``field``, ``url``, ``flag``) — what the rule form
    offers for it; ``choices`` (value, label) make it a choice of those."""

    name: str
    label: Any
    required: bool = True
    kind: str = "text"
    choices: tuple[tuple[str, Any], ...] = ()


@dataclass
class RunContext:
    """What an action's ``run`` knows besides its parameters and record:
    the rule, its run (``run.id`` makes an idempotency key) and the actor
    the rule acts as (None: the system)."""

    rule: AutomationRule
    run: AutomationRun
    actor: User | None = None


class AutomationAction:
    """An action a rule may run. Subclass, set ``code``, ``label`` and
    ``params``, and write ``run`` (and ``check``/``preview`` as needed).

    ``run`` works inside the run's transaction (through services, so the
    audit log and events follow) and returns a short text for the run log;
    raising makes the run fail and be retried, every action of it undone.
    """

    code: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    params: ClassVar[tuple[ActionParam, ...]] = ()

    def check(
        self, params: dict[str, Any], entity: Entity | None, actor: User | None
    ) -> dict[str, list[str]]:
        """Errors by parameter name beyond the required ones (none: sound);
        under ``""`` what is wrong with the action itself (a record it cannot
        work on)."""
        return {}

    def preview(self, params: dict[str, Any], record: Any, rule: AutomationRule) -> str:
        """What ``run`` would do to ``record``, in words; writes nothing."""
        return f"{self.code}: {params}"

    def run(self, params: dict[str, Any], record: Any, context: RunContext) -> str:
        raise NotImplementedError
