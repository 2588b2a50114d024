"""Demo spare parts: a central warehouse, the demo engineer's van and a
handful of parts with stock, received and partly moved to the van, in
English or Chinese; the first completed demo order used a capacitor."""

from decimal import Decimal

from sqlalchemy import select

from core.api import db, utcnow

from ..models import Part, Stock, StockLocation, StockMove, WorkOrder

#: sku → (English name, Chinese name, unit, price, in the warehouse, in the van)
PARTS = {
    "CAP-35UF": ("Compressor capacitor 35 µF", "压缩机电容 35µF", "pcs", "42.50", "40", "4"),
    "R32-1KG": ("R32 refrigerant (1 kg)", "R32 冷媒（1 公斤）", "kg", "85.00", "25", "2"),
    "CU-PIPE-1/4": (
        'Copper pipe 1/4" (per metre)',
        "铜管 1/4 英寸（按米）",
        "m",
        "18.00",
        "120",
        "15.5",
    ),
    "FLT-RO-01": ("Filter cartridge", "净水器滤芯", "pcs", "35.00", "60", "6"),
}
#: the units as a Chinese stockroom writes them
UNITS_ZH = {"pcs": "个", "kg": "千克", "m": "米"}
PLACES = {"en": ("Central warehouse", "Van {name}"), "zh_CN": ("中心仓库", "{name} 的工具车")}


def load_demo(locale, customers, users) -> None:
    now = utcnow()
    engineer = users[-1]
    warehouse_name, van_name = PLACES.get(locale, PLACES["en"])
    warehouse = StockLocation(name=warehouse_name, kind="warehouse")
    van = StockLocation(
        name=van_name.format(name=engineer.name), kind="van", engineer_id=engineer.id
    )
    db.session.add_all([warehouse, van])
    db.session.flush()
    used = db.session.scalar(
        select(WorkOrder)
        .where(WorkOrder.status == "completed", WorkOrder.engineer_id == engineer.id)
        .order_by(WorkOrder.id)
    )
    for sku, (en, zh, unit, price, stocked, loaded) in PARTS.items():
        chinese = locale == "zh_CN"
        part = Part(
            sku=sku,
            name=zh if chinese else en,
            unit=UNITS_ZH.get(unit, unit) if chinese else unit,
            price=Decimal(price),
        )
        db.session.add(part)
        db.session.flush()
        stocked, loaded = Decimal(stocked), Decimal(loaded)
        taken = Decimal(1) if used is not None and sku == "CAP-35UF" else Decimal(0)
        db.session.add_all(
            [
                Stock(part_id=part.id, location_id=warehouse.id, quantity=stocked - loaded),
                Stock(part_id=part.id, location_id=van.id, quantity=loaded - taken),
                StockMove(
                    part_id=part.id,
                    location_id=warehouse.id,
                    quantity=stocked,
                    reason="receive",
                    at=now,
                ),
                StockMove(
                    part_id=part.id,
                    location_id=warehouse.id,
                    quantity=-loaded,
                    reason="transfer",
                    at=now,
                ),
                StockMove(
                    part_id=part.id, location_id=van.id, quantity=loaded, reason="transfer", at=now
                ),
            ]
        )
        if taken:
            db.session.add(
                StockMove(
                    part_id=part.id,
                    location_id=van.id,
                    quantity=-taken,
                    reason="use",
                    work_order_id=used.id,
                    at=now,
                    user_id=engineer.id,
                    note=used.number,
                )
            )
