"""Every text the insurance demo stores, in each demo language: names of
the carrier, its products and covers, the household and its members, the
claims' descriptions and the reasons and notes the story's moves carry."""

from __future__ import annotations

TEXT: dict[str, dict] = {
    "en": {
        "currency": "USD",
        "carrier": "Evergreen Mutual",
        "motor": "Private motor",
        "life": "Term life",
        "home": "Home and contents",
        "health": "Outpatient health",
        "covers": {
            "OPD": "Outpatient medical expenses",
            "TPL": "Third-party liability",
            "OD": "Own damage",
            "DEATH": "Death benefit",
            "BLDG": "Buildings and contents",
        },
        # the premium table: TPL by vehicle class, OD per mille, life per mille by age band
        "tpl": {"car": "620.00", "truck": "1450.00"},
        "od": {"car": "11", "truck": "8"},
        "deductible": "250",
        "home_premium": "540.00",
        # outpatient cover: premium, co-payment %, deductible and limit a policy year
        "health_premium": "380.00",
        "outpatient": ("20", "100.00", "3000.00"),
        "cooling_off_fee": "10.00",
        "head_customer": "Robert Smith",
        "household": "Smith household",
        "members": [
            ("Robert Smith", "m", (1982, 4, 16)),
            ("Linda Smith", "f", (1984, 9, 2)),
            ("Emily Smith", "f", None),  # the child: nine years old
            ("Margaret Smith", "f", (1956, 11, 23)),
        ],
        "car": ("Family car, Toyota Corolla", "7KLM204"),
        "van": ("Delivery van, Ford Transit", "4TRK{n:03d}"),
        "sums": {"car": "18000.00", "van": "32000.00", "life": "250000.00", "parent": "50000.00"},
        "paid_claim": "Rear-ended at traffic lights on Main Street; bumper and boot lid replaced.",
        "open_claim": "Delivery van hit a loading-bay post while reversing; rear doors dented.",
        "cancel_reason": "Changed her mind within the cooling-off period",
        "callback_note": (
            "Policyholder confirmed the cover, the premium and the cooling-off period."
        ),
        "approve_note": "Repair invoice checked against the assessor's estimate.",
        "phone": "+1 212 555 {n:04d}",
    },
    "zh_CN": {
        "currency": "CNY",
        "carrier": "长青人寿保险",
        "motor": "家庭自用车险",
        "life": "定期寿险",
        "home": "家庭财产险",
        "health": "门诊医疗保险",
        "covers": {
            "OPD": "门诊医疗费用",
            "TPL": "第三者责任险",
            "OD": "车辆损失险",
            "DEATH": "身故保险金",
            "BLDG": "房屋及室内财产",
        },
        "tpl": {"car": "950.00", "truck": "2400.00"},
        "od": {"car": "12", "truck": "9"},
        "deductible": "500",
        "home_premium": "880.00",
        "health_premium": "1280.00",
        "outpatient": ("20", "300.00", "10000.00"),
        "cooling_off_fee": "10.00",
        "head_customer": "王建国",
        "household": "王建国家庭",
        "members": [
            ("王建国", "m", (1982, 4, 16)),
            ("李梅", "f", (1984, 9, 2)),
            ("王小宇", "m", None),  # 孩子：九岁
            ("王秀英", "f", (1956, 11, 23)),
        ],
        "car": ("家用轿车 丰田卡罗拉", "沪A·6K204"),
        "van": ("厢式货车 江铃全顺", "沪B·T{n:04d}"),
        "sums": {
            "car": "120000.00",
            "van": "210000.00",
            "life": "1000000.00",
            "parent": "200000.00",
        },
        "paid_claim": "在中山路红绿灯处被追尾，后保险杠和后备箱盖更换。",
        "open_claim": "货车倒车时撞上装卸平台立柱，后车门凹陷。",
        "cancel_reason": "犹豫期内改变主意，申请退保",
        "callback_note": "投保人确认已了解保障内容、保费及犹豫期。",
        "approve_note": "维修发票与查勘定损金额核对一致。",
        "phone": "+86 139 1000 {n:04d}",
    },
}
