"""What the commission API tests share: the API's root, a carrier
statement's CSV header, counting rows, uploading a statement and
:func:`january`'s payments (on the book of :mod:`.commission_fixtures`)."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from core.api import db

from .commission_fixtures import first_instalment, pay

API = "/api/v1/insurance"
HEADER = (
    "policy_number,term_no,transaction_type,effective_date,premium,commission_rate,"
    "commission_amount,insured_name,producer_code\n"
)


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def upload(client, carrier_id, text: str, month="2026-01", name="jan.csv"):
    return client.post(
        f"{API}/commission-statements",
        data={
            "carrier_id": str(carrier_id),
            "month": month,
            "file": (io.BytesIO(text.encode("utf-8")), name),
        },
        content_type="multipart/form-data",
    )


def january(book):
    """Ann: 1,000.00 on P-ANN-1 (expected 200.00: Ann 150.00, Lee 20.00) and
    1,000.00 on Home cover P-ANN-H (carrier-wide 10 %: 100.00, all Ann's);
    Bob: 1,000.00 on P-BOB-1 (200.00 expected, Bob 150.00)."""
    pay(book.ann1, "1000.00", date(2026, 1, 12), first_instalment(book.ann1))
    pay(book.house, "1000.00", date(2026, 1, 15))
    pay(book.bob1, "1000.00", date(2026, 1, 20))
