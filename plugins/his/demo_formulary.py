"""The formulary's demo drugs (药品目录): a dozen common outpatient drugs,
each with its international generic name and its Chinese name (the
prescription shows both in either language), priced in the instance's
currency."""

from __future__ import annotations

from core.api import instance_currency

from .services import orders

#: code | generic name | Chinese name | form | strength | unit | pack size | price |
#: category | allergen class (what an allergy may name)
DRUGS = """
AMOX500|Amoxicillin|阿莫西林胶囊|capsule|500 mg|box|24|18.50|rx|penicillin; 青霉素
CEFU250|Cefuroxime axetil|头孢呋辛酯片|tablet|250 mg|box|12|32.00|rx|cephalosporin; 头孢
AZI250|Azithromycin|阿奇霉素片|tablet|250 mg|box|6|26.40|rx|macrolide; 大环内酯
IBU300|Ibuprofen|布洛芬缓释胶囊|capsule|300 mg|box|20|12.80|otc|NSAID; 非甾体抗炎药
PARA500|Paracetamol|对乙酰氨基酚片|tablet|500 mg|box|20|6.50|otc|
AMLO5|Amlodipine|苯磺酸氨氯地平片|tablet|5 mg|box|28|28.60|rx|
METF500|Metformin|盐酸二甲双胍片|tablet|0.5 g|box|48|15.80|rx|
ATOR20|Atorvastatin|阿托伐他汀钙片|tablet|20 mg|box|7|36.90|rx|
OMEP20|Omeprazole|奥美拉唑肠溶胶囊|capsule|20 mg|box|14|19.60|rx|
LORA10|Loratadine|氯雷他定片|tablet|10 mg|box|6|14.20|otc|
SALB100|Salbutamol|沙丁胺醇气雾剂|inhaler|100 µg/puff|canister|200|22.50|rx|
ASP100|Aspirin|阿司匹林肠溶片|tablet|100 mg|box|30|15.00|rx|NSAID; salicylate; 水杨酸
"""


def load_formulary(admin) -> None:
    currency = instance_currency()
    for row in DRUGS.strip().splitlines():
        code, generic, name_zh, form, strength, unit, pack, price, category, allergen = row.split(
            "|"
        )
        payload: dict[str, object] = {
            "code": code,
            "generic_name": generic,
            "name_zh": name_zh,
            "form": form,
        }
        payload |= {"strength": strength, "unit": unit, "pack_size": int(pack), "price": price}
        payload |= {"category": category, "allergen_class": allergen or None}
        orders.create_drug(payload | {"currency": currency}, admin)
