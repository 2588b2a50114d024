"""Contact attempts on a follow-up step, the answers and the red flags.

Every attempt is core's ``record_attempt`` on the step's task, so it lands
on the patient's timeline with its outcome (``reached``, ``not_reached``,
``refused``). A reached attempt records the answers to the template's
questions and completes the step (a chronic plan gets its next one; a plan
whose steps are all done is completed). A red-flag answer gives the visit's
doctor a task due now, and marks the step. After the template's number of
failed attempts the step is lost and the plan with it (失访)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from core.api import (
    Activity,
    User,
    audit,
    complete_task,
    db,
    load,
    log_activity,
    record_attempt,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import FollowupAnswer, FollowupPlan, FollowupStep, Patient
from .inputs import SCALE, YES_NO, FollowupAttemptInput
from .plans import add_months, end_plan, local_day

_, _l = translator("his")

#: the link type of a step's tasks (the rule's and the red flags')
STEP = FollowupStep.__tablename__
#: the timeline kind of an attempt by each channel
ATTEMPT_KIND = {"phone": "call", "sms": "sms", "visit": "visit"}
FAILED = ("not_reached", "refused")
#: a step's task closed because the patient was lost to follow-up
LOST = "lost"


@dataclass
class Attempted:
    """What one attempt did: the timeline entry, the step, the doctor's red-flag task."""

    attempt: Activity
    step: FollowupStep
    answers: list[FollowupAnswer] = field(default_factory=list)
    red_flags: list[FollowupAnswer] = field(default_factory=list)
    doctor_task: Activity | None = None


def step_subject(step: FollowupStep) -> str:
    plan = step.plan
    return _(
        "Follow-up visit: %(template)s (step %(number)d)",
        template=plan.template.name,
        number=step.number,
    )


def _engine_tasks(step: FollowupStep):
    """The step's tasks made for its core plan (not the red-flag ones)."""
    return select(Activity).where(
        Activity.link_type == STEP, Activity.link_id == step.id, Activity.plan_id.is_not(None)
    )


def task_of(step: FollowupStep, actor: User | None) -> Activity:
    """The step's core task: the one the engine made, or — when the due job
    has not run yet — one made now with the engine's key, so the job will
    not make a second."""
    if step.task_id is not None:
        task = db.session.get(Activity, step.task_id)
        if task is not None:
            return task
    task = db.session.scalar(_engine_tasks(step).order_by(Activity.id).limit(1))
    if task is None:
        plan = step.plan
        task = log_activity(
            {
                "kind": "task",
                "subject": step_subject(step),
                "due_at": utcnow(),
                "customer_id": plan.customer_id,
                "owner_id": plan.owner_id or (actor.id if actor else None),
                "link_type": STEP,
                "link_id": step.id,
            },
            actor,
        )
        task.plan_id, task.dedupe_key = plan.template.plan_id, due_key(step.id)
    step.task_id = task.id
    return task


def due_key(step_id: int) -> str:
    """A step's key in its core plan (``DueTask.key``)."""
    return f"step:{step_id}"


def close_task(step: FollowupStep, actor: User | None, outcome: str) -> None:
    """Complete the step's open task, if it has one."""
    task = db.session.scalar(
        _engine_tasks(step)
        .where(Activity.done_at.is_(None), Activity.deleted_at.is_(None))
        .limit(1)
    )
    if task is not None:
        complete_task(task, actor, outcome=outcome[:32])


def _answers(step: FollowupStep, given: dict[str, Any]) -> list[tuple[dict, str]]:
    """(question, answer) for each answer given, checked against its kind;
    a wrong one is refused naming ``answers``."""
    questions = {q["key"]: q for q in step.plan.template.questions}
    out, errors = [], []
    for key, raw in given.items():
        question = questions.get(key)
        if question is None:
            errors.append(_("%(key)s: no such question", key=key))
            continue
        value = _value(question, raw)
        if value is None:
            errors.append(_("%(key)s: not an answer to this question", key=key))
        elif value != "":
            out.append((question, value))
    if errors:
        refuse({"answers": errors})
    return out


def _value(question: dict, raw: Any) -> str | None:
    """The answer as stored ("" when left empty), None when it cannot be one."""
    if raw is None or raw == "":
        return ""
    kind = question["kind"]
    if kind == "yes_no":
        value = {True: "yes", False: "no"}.get(raw, raw) if isinstance(raw, bool) else raw
        return value if value in YES_NO else None
    if kind == "scale":
        text = str(raw).strip()
        ok = not isinstance(raw, bool) and text.isdigit() and SCALE[0] <= int(text) <= SCALE[1]
        return str(int(text)) if ok else None
    if kind == "choice":
        return raw if raw in question.get("choices", []) else None
    return raw.strip()[:2000] if isinstance(raw, str) else None


def is_red_flag(question: dict, value: str) -> bool:
    flag = question.get("red_flag") or {}
    if "equals" in flag:
        return value == flag["equals"]
    if "at_least" in flag:
        return int(value) >= flag["at_least"]
    if "at_most" in flag:
        return int(value) <= flag["at_most"]
    return False


def _step(plan: FollowupPlan, step_id: int | None) -> FollowupStep:
    due = [s for s in plan.steps if s.status == "due"]
    step = next((s for s in due if s.id == step_id), None) if step_id else next(iter(due), None)
    if step is None:
        refuse(state={"step_id": [_("no follow-up step of this plan is due")]})
    assert step is not None
    return step


def attempt(plan: FollowupPlan, payload: dict, actor: User | None) -> Attempted:
    """Record one contact attempt on the plan's due step (``step_id``, or the
    first), with its answers when the patient was reached."""
    data = load(FollowupAttemptInput(), payload)
    if plan.status != "active":
        refuse(state={"status": [_("this follow-up has ended")]})
    patient = db.session.scalar(select(Patient).where(Patient.customer_id == plan.customer_id))
    if patient is not None and patient.deceased:
        refuse(state={"customer_id": [_("the patient is deceased: no follow-up")]})
    step = _step(plan, data["step_id"])
    reached = data["outcome"] == "reached"
    if data["answers"] and not reached:
        refuse({"answers": [_("answers are recorded only when the patient was reached")]})
    answers = _answers(step, data["answers"]) if reached else []
    with transaction():
        before = snapshot(step)
        task = task_of(step, actor)
        entry = record_attempt(
            task,
            {
                "kind": ATTEMPT_KIND[plan.template.channel],
                "direction": "out",
                "subject": step_subject(step),
                "body": data["note"],
                "outcome": data["outcome"],
                "link_type": STEP,
                "link_id": step.id,
            },
            actor,
            done=reached,
        )
        step.attempts += 1
        done = Attempted(entry, step)
        if reached:
            _reached(plan, step, entry, answers, actor, done)
        else:
            step.failed_attempts += 1
            if step.failed_attempts >= plan.template.attempts_before_lost:
                step.status, step.ended_at = "lost", utcnow()
                close_task(step, actor, LOST)
                end_plan(plan, "lost", None, actor)
        audit(actor, step, "attempt", before, snapshot(step))
    return done


def _reached(
    plan: FollowupPlan,
    step: FollowupStep,
    entry: Activity,
    answers: list[tuple[dict, str]],
    actor: User | None,
    done: Attempted,
) -> None:
    step.status, step.ended_at = "done", utcnow()
    for question, value in answers:
        answer = FollowupAnswer(
            step_id=step.id,
            attempt_id=entry.id,
            key=question["key"],
            question=question["text"][:200],
            value=value,
            red_flag=is_red_flag(question, value),
        )
        db.session.add(answer)
        done.answers.append(answer)
        if answer.red_flag:
            done.red_flags.append(answer)
    if done.red_flags:
        step.red_flag = True
        done.doctor_task = _red_flag_task(plan, step, done.red_flags, actor)
    template = plan.template
    if template.chronic and template.repeat_months:
        nxt = add_months(max(step.due_on, local_day(utcnow())), template.repeat_months)
        db.session.add(FollowupStep(plan_id=plan.id, number=step.number + 1, due_on=nxt))
    elif all(s.status == "done" for s in plan.steps):
        before = snapshot(plan)
        plan.status, plan.ended_at = "completed", utcnow()
        audit(actor, plan, "completed", before, snapshot(plan))
    db.session.flush()


def _red_flag_task(
    plan: FollowupPlan, step: FollowupStep, flags: list[FollowupAnswer], actor: User | None
) -> Activity:
    """A task for the visit's doctor, due now: the alarming answers."""
    first = flags[0]
    return log_activity(
        {
            "kind": "task",
            "subject": _(
                "Red flag in a follow-up visit: %(question)s — %(answer)s",
                question=first.question,
                answer=first.value,
            )[:200],
            "body": "\n".join(f"{a.question}: {a.value}" for a in flags),
            "due_at": utcnow(),
            "customer_id": plan.customer_id,
            "owner_id": plan.owner_id,
            "link_type": STEP,
            "link_id": step.id,
        },
        actor,
    )


def attempts_of(plan: FollowupPlan) -> list[tuple[Activity, list[FollowupAnswer]]]:
    """The plan's contact attempts, oldest first, each with its answers."""
    step_ids = [s.id for s in plan.steps]
    if not step_ids:
        return []
    entries = db.session.scalars(
        select(Activity)
        .where(
            Activity.link_type == STEP,
            Activity.link_id.in_(step_ids),
            Activity.due_at.is_(None),
            Activity.deleted_at.is_(None),
        )
        .order_by(Activity.occurred_at, Activity.id)
    ).all()
    answers: dict[int, list[FollowupAnswer]] = {}
    found = db.session.scalars(
        select(FollowupAnswer)
        .where(FollowupAnswer.attempt_id.in_([e.id for e in entries] or [0]))
        .order_by(FollowupAnswer.id)
    )
    for answer in found:
        answers.setdefault(answer.attempt_id, []).append(answer)
    return [(entry, answers.get(entry.id, [])) for entry in entries]
