"""Follow-up visits (随访): templates, the plans a closed visit starts, the
calls with their answers, red flags and the lost to follow-up (失访).

- :mod:`.inputs`: what the API's bodies and the forms read
- :mod:`.templates`: create and edit templates; which ones a visit matches
- :mod:`.plans`: start a plan after a visit, stop one, the scope, the due list
- :mod:`.attempts`: a contact attempt, its answers, red flags, lost to follow-up
- :mod:`.rule`: the ``his_followup`` rule core's follow-up engine runs
- :mod:`.figures`: completed, due and lost counts for a period
- :mod:`.records`: a patient's plans on a merge or a purge
"""

from .attempts import ATTEMPT_KIND, STEP, Attempted, attempt, attempts_of, is_red_flag, task_of
from .figures import FollowupFigures, followup_figures
from .inputs import (
    FollowupAttemptInput,
    FollowupPlanInput,
    FollowupStopInput,
    FollowupTemplateChange,
    FollowupTemplateInput,
    parse_questions,
    questions_text,
)
from .plans import (
    DECEASED,
    add_months,
    due_steps,
    get_plan,
    local_day,
    patient_plans,
    plan_after_visit,
    run_deceased_job,
    start_plan,
    stop_plan,
    stop_plans_of_deceased,
    visible_plans,
)
from .rule import rule_due, rule_params
from .templates import (
    RULE,
    create_template,
    get_template,
    matching_templates,
    templates_query,
    update_template,
)

__all__ = [
    "ATTEMPT_KIND",
    "DECEASED",
    "add_months",
    "RULE",
    "STEP",
    "FollowupAttemptInput",
    "Attempted",
    "FollowupFigures",
    "FollowupPlanInput",
    "FollowupStopInput",
    "FollowupTemplateChange",
    "FollowupTemplateInput",
    "attempt",
    "attempts_of",
    "create_template",
    "due_steps",
    "followup_figures",
    "get_plan",
    "get_template",
    "is_red_flag",
    "local_day",
    "matching_templates",
    "parse_questions",
    "patient_plans",
    "plan_after_visit",
    "questions_text",
    "rule_due",
    "rule_params",
    "start_plan",
    "stop_plan",
    "run_deceased_job",
    "stop_plans_of_deceased",
    "task_of",
    "templates_query",
    "update_template",
    "visible_plans",
]
