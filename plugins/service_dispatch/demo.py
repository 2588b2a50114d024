"""A few work orders, in English or Chinese."""

from datetime import timedelta

from core.api import db, utcnow

from .models import WorkOrder

JOBS = {
    "en": [("Air conditioner not cooling", "repair"), ("Water purifier filter change", "maintenance"),
           ("Install new unit", "installation"), ("Strange noise from compressor", "repair")],
    "zh_CN": [("空调不制冷", "维修"), ("净水器更换滤芯", "保养"), ("新机安装", "安装"),
              ("压缩机异响", "维修")],
}


def load_demo(locale, customers, users) -> None:
    now = utcnow()
    engineer = users[-1]
    for i, customer in enumerate(customers[:8]):
        title, category = JOBS[locale][i % len(JOBS[locale])]
        done = i % 3 == 0
        db.session.add(WorkOrder(
            number=f"WO-{now:%Y%m}-{i + 1:04d}", title=title, category=category,
            customer_id=customer.id, priority=("normal", "high", "urgent", "low")[i % 4],
            status="completed" if done else ("new", "assigned", "on_site")[i % 3],
            engineer_id=None if i % 3 == 1 else engineer.id, team_id=engineer.team_id,
            respond_by=now + timedelta(hours=4 + i),
            completed_at=now - timedelta(days=3 + i) if done else None,
        ))
