"""A demo survey, in the demo's language: the NPS a company asks after a
won deal, already answered by a few customers — promoters, a passive and a
detractor, whose owner finds a follow-up task about it."""

from __future__ import annotations

from core.api import Customer, User

from ..services.surveys import answer, create_survey, invite

NAME = {"en": "Would you recommend us?", "zh_CN": "您会推荐我们吗？"}
#: the open question after the score, in both languages (a survey's text is its data)
SAY = ("What should we do better?", "我们哪里可以做得更好？")
#: (score, comment) of the first customers' answers
ANSWERS = {
    "en": [(10, "Quick and friendly."), (9, ""), (8, ""), (4, "The delivery was late.")],
    "zh_CN": [(10, "又快又热情。"), (9, ""), (8, ""), (4, "送货太晚了。")],
}


def load_survey_demo(locale: str, customers: list[Customer], users: list[User]) -> None:
    lang = "zh_CN" if locale.startswith("zh") else "en"
    manager = next((u for u in users if u.role and u.role.name == "manager"), None)
    survey = create_survey(
        {
            "name": NAME[lang],
            "kind": "nps",
            "channel": "email",
            "trigger": "sales.deal_won",
            "questions": [
                {
                    "key": "say",
                    "type": "text",
                    "text_en": SAY[0],
                    "text_zh_CN": SAY[1],
                    "required": False,
                }
            ],
        },
        manager,
    )
    answered = customers[: len(ANSWERS[lang])]
    sent = invite(survey, answered, "demo", manager, "link", lang)
    for (invitation, _link), (score, say) in zip(sent.created, ANSWERS[lang], strict=False):
        answer(invitation, {"score": score, "say": say})
