"""Demo work orders: a few orders in every state and the engineer they go
to, in English or Chinese."""

import struct
import zlib
from datetime import timedelta

from core.api import db, utcnow

from ..models import Engineer, WorkOrder, WorkOrderEvent
from ..services.attachments import Upload, store

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
        # opened days ago, and every step after the one before it
        opened = now - timedelta(days=6 + i)
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
            created_at=opened,
            respond_by=opened + timedelta(hours=4) if done else now + timedelta(hours=4 + i),
            appointment_at=(
                now + timedelta(hours=1 + i)
                if status == "assigned"
                else opened + timedelta(hours=20)
            )
            if assigned
            else None,
            assigned_at=opened + timedelta(hours=2) if assigned else None,
            checked_in_at=opened + timedelta(days=1)
            if status in ("on_site", "completed")
            else None,
            checked_out_at=opened + timedelta(days=1, hours=3) if done else None,
            completed_at=opened + timedelta(days=1, hours=3) if done else None,
        )
        db.session.add(order)
        db.session.flush()
        db.session.add(
            WorkOrderEvent(work_order_id=order.id, action="create", to_status="new", at=opened)
        )
        if done:  # the engineer's photo of the finished job
            store(order, [Upload(f"{order.number}.png", "image/png", _photo(i))], engineer)


def _photo(seed: int, width: int = 96, height: int = 64) -> bytes:
    """A small PNG of soft stripes: a stand-in for a site photo."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((90 + (x + y + seed * 9) % 40, 140, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
