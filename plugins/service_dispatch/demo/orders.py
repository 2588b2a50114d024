"""Demo work orders: a few orders in every state and the engineer they go
to, in English or Chinese."""

from datetime import timedelta

from core.api import db, utcnow

from ..models import Engineer, WorkOrder, WorkOrderEvent

JOBS = {
    "en": [
        ("Air conditioner not cooling", "repair"),
        ("Water purifier filter change", "maintenance"),
        ("Install new unit", "installation"),
        ("Strange noise from compressor", "repair"),
    ],
    "zh_CN": [
        ("空调不制冷", "维修"),
        ("净水器更换滤芯", "保养"),
        ("新机安装", "安装"),
        ("压缩机异响", "维修"),
    ],
}


def load_demo(locale, customers, users) -> None:
    now = utcnow()
    engineer = users[-1]
    db.session.add(
        Engineer(
            user_id=engineer.id,
            skills=sorted({c for _t, c in JOBS[locale]}),
            regions=sorted({c.region for c in customers if c.region}),
        )
    )
    for i, customer in enumerate(customers[:8]):
        title, category = JOBS[locale][i % len(JOBS[locale])]
        status = ("completed", "new", "assigned", "on_site")[i % 4]
        done, assigned = status == "completed", status != "new"
        order = WorkOrder(
            number=f"WO-{now:%Y%m%d}-{i + 1:04d}",
            title=title,
            category=category,
            customer_id=customer.id,
            priority=("normal", "high", "urgent", "low")[i % 4],
            status=status,
            address=customer.address,
            engineer_id=engineer.id if assigned else None,
            team_id=engineer.team_id,
            respond_by=now + timedelta(hours=4 + i),
            appointment_at=now + timedelta(hours=1 + i) if assigned else None,
            assigned_at=now - timedelta(days=4) if assigned else None,
            checked_in_at=now - timedelta(days=3 + i, hours=1)
            if status != "assigned" and assigned
            else None,
            checked_out_at=now - timedelta(days=3 + i) if done else None,
            completed_at=now - timedelta(days=3 + i) if done else None,
        )
        db.session.add(order)
        db.session.flush()
        db.session.add(
            WorkOrderEvent(
                work_order_id=order.id, action="create", to_status="new", at=now - timedelta(days=5)
            )
        )
