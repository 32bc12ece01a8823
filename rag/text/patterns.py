"""The character classes and patterns several layers share, written once.

* ``CJK_RANGE`` / ``CJK`` / ``is_cjk``: CJK ideographs (the unified block, extension A, the
  compatibility block and the supplementary planes' extensions), the characters Chinese sentences
  are made of.
* ``YEAR``: a four-digit year 1900-2099 that is not part of a longer number (2019年, 2019—2021).
* ``ORG_SUFFIXES``: the endings of organisation names (省总工会, 市人民政府, 人社厅);
  ``ADMIN_SUFFIXES``: the endings of administrative divisions (哈尔滨市, 黑龙江省).
"""

from __future__ import annotations

import re

#: Inside a character class: ``[{CJK_RANGE}]``.
CJK_RANGE = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f"
#: One CJK ideograph.
CJK = re.compile(f"[{CJK_RANGE}]")


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph: the characters Chinese sentences are made of."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


#: A year (1900-2099) not inside a longer number; ``findall`` returns the four digits.
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
#: What follows a four-digit figure that is an amount, not a year (每户不超过2000元, 1990亩, 2010.5).
_AMOUNT_AFTER = re.compile(
    r"\s*(?:[.．]\d|(?:多|余)?(?:万|亿|千|百|元|亩|人|户|个|家|吨|斤|公斤|米|平方|立方|%|％|名|只|头|套|台|辆|株|张|件|项|所))"
)


def years_named(text: str) -> list[str]:
    """The years ``text`` names, in order and without repeats; a four-digit amount (2000万元) is none."""
    return list(dict.fromkeys(m.group(0) for m in YEAR.finditer(text) if not _AMOUNT_AFTER.match(text, m.end())))


#: A year range (2019—2021, 2019至2021): the two years are groups 1 and 2.
YEAR_RANGE = re.compile(rf"({YEAR.pattern})\s*(?:—|-|－|~|～|至|到)\s*({YEAR.pattern})")

#: Endings of organisation names, longest alternatives first where one contains another.
ORG_SUFFIXES: tuple[str, ...] = (
    "总工会", "工会", "集团", "公司", "委员会", "协调小组", "领导小组", "办公室", "办公厅",
    "人民政府", "政府", "部门", "部", "厅", "局", "学院", "大学", "中心", "基地", "协会", "管委会", "文化馆",
)
#: Endings of administrative divisions: 哈尔滨市 is also written 哈尔滨.
ADMIN_SUFFIXES: tuple[str, ...] = ("省", "市", "县", "区", "州")
#: Either ending, as a regex alternation.
ORG_SUFFIX_ALTERNATION = "|".join(ORG_SUFFIXES)

#: What joins the items of an enumeration (甲、乙和丙, 甲以及乙), with the spaces around it.
ENUMERATION_JOINT = re.compile(r"\s*(?:、|以及|和|与|及)\s*")

#: A line that opens with a field's label (「补助对象:…」「投资:500万元」「资金规模:206.7万元。」): the
#: label is group 1. Notices print their fields so, one a line.
FIELD_LABEL = re.compile(rf"^\s*([{CJK_RANGE}]{{2,8}})\s*[：:]")

#: Tiers of government and of recognition, and the urban/rural split: 省级 and 国家级 awards, 城市
#: and 农村 allowances, 中央 and 省级 funds are different figures of one sentence, as different as two cities.
TIER = re.compile(r"(?:国家|省|市|县|区|乡镇)级|中央(?=财政|资金|预算|补助|专项|奖补|投资)|城市|城镇|农村")
#: The same tiers in English, with the Chinese tiers they stand for ("urban" is either 城市 or 城镇).
_ENGLISH_TIERS = (
    (re.compile(r"\brural\b", re.I), ("农村",)),
    (re.compile(r"\burban\b", re.I), ("城市", "城镇")),
    (re.compile(r"\bnational[- ]level\b", re.I), ("国家级",)),
    (re.compile(r"\bprovincial[- ]level\b", re.I), ("省级",)),
    (re.compile(r"\b(?:municipal|city)[- ]level\b", re.I), ("市级",)),
    (re.compile(r"\bcounty[- ]level\b", re.I), ("县级",)),
)


def tiers_named(text: str) -> set[str]:
    """The tiers ``text`` names, in Chinese (省级, 农村) or in English (rural -> 农村): an English
    question about the rural allowance asks the 农村 figure as 「农村低保标准」 does."""
    named = set(TIER.findall(text))
    for pattern, tiers in _ENGLISH_TIERS:
        if pattern.search(text):
            named.update(tiers)
    return named

#: A document number (发文字号): 机关代字, year in 〔〕 (or [] ［］ () （）) and a serial number:
#: 渝高技办〔2024〕3号, 东府办[2005]42号, 汉政办发〔2016 〕2 号. The 机关代字 holds none of the
#: characters of the words a sentence leads up to a number with (「请你们严格按照舟财农〔2018〕18号文件」).
_NOT_ISSUER_CODE = "按照据依参你们我严格执贯彻落实的"
DOCUMENT_NUMBER = re.compile(
    rf"(?:(?![{_NOT_ISSUER_CODE}])[{CJK_RANGE}]){{1,10}}\s*[〔\[［(（]\s*(?:19|20)\d{{2}}\s*[〕\]］)）]\s*\d+\s*号"
)

#: Titles and roles that make a name someone's (副主席陈刚, 县长田兴国, 联系人:方玉婷, 首席技能专家郭锐):
#: a question naming one asks for a person, and a name beside one is a person.
PERSON_TITLES = (
    "主席|副主席|书记|副书记|主任|副主任|部长|厅长|局长|处长|科长|院长|校长|经理|董事长|厂长|总裁|"
    "省长|市长|州长|县长|区长|镇长|乡长|村长|主任委员|组长|队长|负责人|联系人|代表|劳模|工匠|技师|同志|教授|委员|"
    "获得者|总经理|会长|秘书长|主持人|发言人|委员长|专家|大师|工程师|馆长|站长|所长|行长|社长|理事长|"
    "总监|专员|调研员|主编|政委|检察长|庭长|法官|医师|教师|老师|旗长|盟长|园长|总工"
)

#: Nouns that name an official document (a question asking 「什么文件」「哪份实施意见」 is answered
#: by a title in 《》).
DOCUMENT_NOUNS = "文件|意见|方案|办法|通知|规定|条例|规划|细则|决定|纲要|政策"

#: The name of a newspaper, magazine or site (大众日报): a question quoting it names where a
#: document appeared, which the document's header states, not each of its sentences.
PUBLICATION = re.compile(r"(?:报|日报|晚报|杂志|周刊|网)$")
