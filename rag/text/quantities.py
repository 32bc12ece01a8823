"""Figures in Chinese text, typed and normalised: money, counts, percentages, dates, durations, measures.

Every figure an official asks about has a unit that says what kind of thing it counts: 5万元 is
money, 50人 and 15484名 are people, 120家 enterprises, 30% a share, 3年 and 6个月 durations,
2024年12月31日 a date. A question says which kind it wants (多少钱, 多少人, 几年, 何时), so typing
each figure by its unit is what lets the answer be the figure that fits the question rather than the
first figure of the sentence. Values are normalised (5万元 -> 50000 元; 二〇二三年 -> 2023) so that
comparisons and totals are computed, not guessed. Chinese numerals are read by ``cn2an``, a
maintained converter, instead of a parser of our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import cn2an

QuantityKind = Literal["amount", "count", "percent", "date", "duration", "measure", "ordinal"]

#: Unit classes: what a figure counts. People counted as 人, 名 or 位 are one class.
PEOPLE_UNITS = ("人", "名", "位")
#: The universal classifier 个 stands for most others; these are the ones it may answer for.
GENERIC_COUNTERS = ("个", "家", "项", "所", "户", "座", "处", "件", "条", "类", "种", "支")
_COUNTERS = (
    "人次|家次|户次|场次|批次|班次|车次|架次|余人|人|名|位|个|家|项|所|次|批|条|份|户|座|期|届|类|支|场|门|"
    "种|部|件|张|篇|套|台|辆|处|栋|间|艘|架|棵|株|头|只|本|册|块|宗|起|例|对|组|队|幅|首|档|轮|节|课时|学时|"
    "床|章|款|股|轮|级|倍|周岁|岁"  # an age (30周岁以下) is no length of time
)
#: Every counter and unit of measure, as regex alternations (a question's 几轮, 多少张 names one).
COUNTER_WORDS = _COUNTERS
#: A counter followed by one of these characters is the first half of a word (五部门, 三个人,
#: 两项目, 名单, 家庭, 条件): not a figure.
_NOT_AFTER_COUNTER = "门人目单庭属件例数准置有在属得类型间限阶账理置长署委分级称额誉乡子植养复序体性事别"
_MEASURES = "平方公里|平方米|公顷|亩|公里|千米|千瓦时|千瓦|兆瓦|万千瓦|吨|千克|公斤|立方米|标准箱|米|斤|棒|株"
MEASURE_WORDS = _MEASURES
_DIGITS = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CN_NUMBER = rf"[{_CN_DIGITS}]+(?:点[零〇一二三四五六七八九]+)?"
_NUMBER = rf"(?:{_DIGITS}|{_CN_NUMBER})"
_MAGNITUDE = r"(?:万亿|亿|万|千|百)"
_APPROX = r"(?:多|余|左右|以上|以下)"
_RANGE_SEP = r"(?:~|～|-|—|－|至|到)"
#: Digits of a date written in Chinese; 公文 often write zero as ○ (a circle), Ｏ or a Latin O instead of 〇.
_CN_DATE_DIGITS = "〇零○ＯO一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
#: Words that make 一 before a unit of time a length (工作满一年, 为期一个月, 不超过一年), not an article.
_SPAN_BEFORE = re.compile(r"(?:满|为期|期限为?|超过|不超过|不满|不足|连续)$")

_DATE = re.compile(
    rf"(?:19|20)\d{{2}}年(?:\d{{1,2}}月(?:\d{{1,2}}[日号])?|度)?"  # 2019年度: the year as a period
    rf"|[二][{_CN_DATE_DIGITS}]{{3}}年(?:[{_CN_SMALL}]{{1,2}}月(?:[{_CN_SMALL}]{{1,3}}日)?)?"
    rf"|(?<![\d.])\d{{1,2}}月\d{{1,2}}[日号]"
    rf"|(?<![\d.])\d{{1,2}}月(?:份)?(?![\d日号])"
    rf"|(?:19|20)\d{{2}}[-./]\d{{1,2}}[-./]\d{{1,2}}"
)
#: A span of days (2011年8月9日—8月12日, 8月9日至12日): one date answer, not its first day.
_DAY_RANGE = re.compile(
    r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}[日号]\s*(?:—|－|-|~|～|至|到)\s*"
    r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?\d{1,2}[日号]"
)
_YEAR_RANGE = re.compile(r"(?:19|20)\d{2}(?:年)?\s*(?:—|-|－|~|～|至|到)\s*(?:19|20)\d{2}年")
_ORDINAL = re.compile(rf"第[{_CN_DIGITS}\d]+(?:批|届|次|期|名|位|轮|条|章|款|项)")
#: A rank without a counter after a ranking word (居全市第一, 位列全国百强县第4, 位居第二).
_RANK = re.compile(
    rf"(?:居|列|排名|排|名列|位居|位列)[^，,。；;第]{{0,8}}?(第[{_CN_DIGITS}\d]+)"
    rf"(?![{_CN_DIGITS}\d]|批|届|次|期|名|位|轮|条|章|款|项|年|月|日|季|个|家|天|步)"
)
#: A negative rate keeps its sign (规上工业增加值增速-7.8%): without it the figure says the opposite.
_PERCENT = re.compile(
    rf"(?:(?<![\d.])[-－−](?=\d))?(?:{_DIGITS}{_RANGE_SEP})?{_DIGITS}\s*(?:%|％|‰)|百分之{_CN_NUMBER}|{_NUMBER}个百分点"
)
#: Shares written as ratios or fractions: 「市县按1:1比例承担」, 「补贴购置费的1/6」, 「三分之一」.
_RATIO = re.compile(
    r"(?<![\d:：/])\d+\s*[:：]\s*\d+(?![\d:：])(?=\s*(?:的)?(?:比例|配套|分担|承担|匹配))"
    r"|(?<=按)\d+\s*[:：]\s*\d+(?![\d:：])"
    r"|(?<![\d/.])\d{1,2}/\d{1,2}(?![\d/])"
    rf"|[{_CN_SMALL}]{{1,3}}分之[{_CN_SMALL}]{{1,3}}"
)
#: A rate per unit belongs to the figure: 500元/月, 5000元/个, 50元/亩, 829元/月/人.
_PER_UNIT = r"(?:/(?:人|月|年|亩|个|户|家|天|日|次|吨|平方米|人次|人·月|人月|项|台|套|头|只|公斤|斤|小时)){0,2}"
_MONEY = re.compile(
    rf"(?:{_NUMBER}{_MAGNITUDE}?(?:元)?{_APPROX}?{_RANGE_SEP})?{_NUMBER}{_MAGNITUDE}?(?:多|余)?{_MAGNITUDE}?(?:元|美元|欧元|港元){_PER_UNIT}"
)
_DURATION = re.compile(
    rf"{_NUMBER}(?:多|余)?(?:个工作日|个自然日|个月|年(?!代)|天|周(?!年|岁)|小时|分钟|工作日)"
    rf"|{_NUMBER}(?:多|余)?日(?=内|以内|之内|后|前)"
)
_COUNT = re.compile(
    rf"(?:{_NUMBER}{_MAGNITUDE}?(?:{_COUNTERS})?{_RANGE_SEP})?{_NUMBER}{_MAGNITUDE}?(?:多|余)?{_MAGNITUDE}?(?:{_COUNTERS})"
    rf"(?![{_NOT_AFTER_COUNTER}])"
)
#: A small Chinese number right before a noun that 公文 count without a counter (人社部等七部门,
#: 三部委, 两省份): a count of that noun, answering 几个部门 like 七个部门 would.
_BARE_NOUN_COUNT = re.compile(
    rf"(?<![{_CN_DIGITS}\d第])[两二三四五六七八九十]{{1,2}}(?=部门|部委|省份|省市|城市|单位)"
)
_BARE_COUNTED_NOUNS = re.compile(r"部门|部委|省份|省市|城市|单位")
#: A figure in 万 or 亿 followed straight by a noun (37万中小学校师生): a count without a counter.
_BARE_MAGNITUDE_COUNT = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?[万亿](?![\d.万亿多余])"
    r"(?!资金|经费|投资|资产|补助|补贴|奖励|奖金|专款|债券|贷款)(?=[\u4e00-\u9fff])"  # 4000万资金 is money
)
#: A yield per unit of land is one figure too: 461.74公斤/亩 (measured in 公斤, per 亩).
_PER_MEASURE = r"/(?:亩|公顷|平方米|人|户)"
_MEASURE = re.compile(
    rf"(?:{_NUMBER}{_MAGNITUDE}?{_RANGE_SEP})?{_NUMBER}{_MAGNITUDE}?(?:多|余)?(?:{_MEASURES})(?:{_PER_MEASURE})?"
)
_MAGNITUDES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}
_ONLY_ONE = re.compile(r"^[一]$")
_LEADING_NUMBER = re.compile(rf"^{_NUMBER}")


@dataclass(frozen=True)
class Quantity:
    """A typed figure inside a text (offsets relative to that text)."""

    text: str
    start: int
    end: int
    kind: QuantityKind
    unit: str  # the surface unit: 元, 人, 名, 个, %, 年, 个月, 亩 ... ('' for dates)
    value: float | None  # normalised: yuan, people, percent points, years; None when unparsable
    approx: bool = False  # 多/余/左右/以上: "more than", not an exact figure


def parse_number(text: str) -> float | None:
    """A number written in digits or Chinese numerals (1,234.5 / 一百二十 / 两 / 3.5万 / 二〇二三)."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(cleaned, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _scaled_value(text: str) -> float | None:
    """The value of ``3.5万`` / ``300余万`` / ``1.2亿`` with magnitude characters applied."""
    match = _LEADING_NUMBER.match(text)
    if not match:
        return None
    value = parse_number(match.group(0))
    if value is None:
        return None
    for char in text[match.end() :]:
        if char in "多余":
            continue
        if text[match.end() :].startswith("万亿"):
            return value * 1e12
        if char in _MAGNITUDES:
            value *= _MAGNITUDES[char]
            continue
        break
    return value


def _range_upper(text: str) -> str:
    """The last figure of a range (3万元-5万元 -> 5万元): ranges are compared by their upper end."""
    parts = re.split(_RANGE_SEP, text)
    return parts[-1] if parts else text


def _date_value(text: str) -> float | None:
    year = re.match(r"((?:19|20)\d{2})", text)
    if year:
        return float(year.group(1))
    chinese = re.match(rf"([{_CN_DATE_DIGITS}]{{4}})年", text)
    if chinese:
        numerals = "〇一二三四五六七八九"
        digits = "".join(str(numerals.index(c)) if c in numerals else "0" for c in chinese.group(1))  # ○, 零: 0
        return float(digits)
    return None


def date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a date figure ``find_quantities`` typed as a date and that names its
    year (2024年3月1日, 二○○五年六月二十八日, 2024-03-01); None for a date without a year (3月1日)."""
    year = _date_value(text)
    if year is None:
        return None
    rest = re.sub(r"^[^年\-./]+[年\-./]", "", text, count=1)
    numbers = re.findall(rf"\d{{1,2}}|[{_CN_SMALL}]{{1,3}}", rest)[:2]
    values = [parse_number(n) for n in numbers]
    month = int(values[0]) if values and values[0] else None
    day = int(values[1]) if len(values) > 1 and values[1] else None
    if month is not None and not 1 <= month <= 12:
        month = day = None
    if day is not None and not 1 <= day <= 31:
        day = None
    return int(year), month, day


def _ratio_value(text: str) -> float | None:
    """A ratio or fraction as a percentage: 1:1 -> 50, 1/6 -> 16.67, 三分之一 -> 33.33."""
    if "分之" in text:
        denominator, numerator = (parse_number(part) for part in text.split("分之", 1))
    else:
        left, right = re.split(r"[:：/]", text.replace(" ", ""), maxsplit=1)
        numerator, denominator = parse_number(left), parse_number(right)
        if ":" in text or "：" in text:  # a:b shares a whole: a / (a + b)
            denominator = (numerator or 0) + (denominator or 0)
    if not numerator or not denominator:
        return None
    return round(numerator / denominator * 100, 2)


def _unit_of(text: str, units: str) -> str:
    match = re.search(rf"(?:{units})$", text)
    return match.group(0) if match else ""


def find_quantities(text: str) -> list[Quantity]:
    """Every typed figure in ``text``, in order, never overlapping.

    Priority where patterns overlap: dates and year ranges, ordinals (第二批 is a name, not a count
    of 2), percentages, money, durations, measures, then counts. A bare 一 before a counter (一批,
    一项) is an article, not a figure, and is skipped.
    """
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(match: re.Match[str], kind: QuantityKind, unit: str, value: float | None) -> None:
        text_ = match.group(0)
        approx = bool(re.search(_APPROX, text_)) or bool(re.match(r"左右|以上", text[match.end() : match.end() + 2]))
        found.append(Quantity(text_, match.start(), match.end(), kind, unit, value, approx))
        taken.append((match.start(), match.end()))

    for match in _DAY_RANGE.finditer(text):
        add(match, "date", "", _date_value(match.group(0)))
    for match in _YEAR_RANGE.finditer(text):
        if free(match.start(), match.end()):
            add(match, "date", "", _date_value(match.group(0)))
    for match in _DATE.finditer(text):
        if free(match.start(), match.end()):
            add(match, "date", "", _date_value(match.group(0)))
    for match in _ORDINAL.finditer(text):
        if free(match.start(), match.end()):
            add(match, "ordinal", match.group(0)[-1], parse_number(match.group(0)[1:-1]))
    for match in _RANK.finditer(text):
        rank = match.start(1), match.end(1)
        if free(*rank):
            found.append(Quantity(match.group(1), rank[0], rank[1], "ordinal", "名", parse_number(match.group(1)[1:])))
            taken.append(rank)
    for match in _PERCENT.finditer(text):
        if free(match.start(), match.end()):
            surface = match.group(0)
            if surface.startswith("百分之"):
                value = parse_number(surface[3:])
                unit = "%"
            elif surface.endswith("个百分点"):
                value = parse_number(surface[: -len("个百分点")])
                unit = "个百分点"
            else:
                negative = surface[0] in "-－−"
                value = parse_number(re.sub(r"\s*[%％‰]$", "", _range_upper(surface.lstrip("-－−"))))
                if negative and value is not None:
                    value = -value
                unit = "%"
            add(match, "percent", unit, value)
    for match in _RATIO.finditer(text):
        if free(match.start(), match.end()):
            add(match, "percent", "ratio", _ratio_value(match.group(0)))
    for pattern, kind, units in (
        (_MONEY, "amount", r"(?:元|美元|欧元|港元)(?:/\S{1,3})?"),
        (_DURATION, "duration", "个工作日|个自然日|个月|年|天|周|小时|分钟|工作日|日"),
        (_MEASURE, "measure", _MEASURES),
        (_COUNT, "count", _COUNTERS),
    ):
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            surface = match.group(0)
            number = _LEADING_NUMBER.match(surface)
            if number and _ONLY_ONE.match(number.group(0)) and not (
                kind == "duration" and _SPAN_BEFORE.search(text, 0, match.start())
            ):
                continue  # 一批, 一项: an article — but 满一年, 为期一个月 are a length of time
            if match.start() and text[match.start() - 1] in "第":
                continue
            if kind == "duration" and surface.endswith("年") and re.match(r"(?:19|20)\d{2}年", surface):
                continue
            # 461.74公斤/亩 is measured in 公斤 (its class), per 亩
            unit = _unit_of(re.sub(rf"{_PER_MEASURE}$", "", surface) if kind == "measure" else surface, units)
            if unit == "余人":
                unit = "人"
            add(match, kind, unit, _scaled_value(_range_upper(surface)))  # type: ignore[arg-type]
    for match in _BARE_NOUN_COUNT.finditer(text):
        noun = _BARE_COUNTED_NOUNS.match(text, match.end())
        if noun is not None and free(match.start(), noun.end()):
            found.append(Quantity(
                text[match.start() : noun.end()], match.start(), noun.end(), "count", "个",
                parse_number(match.group(0)),
            ))
            taken.append((match.start(), noun.end()))
    for match in _BARE_MAGNITUDE_COUNT.finditer(text):
        # 「共有37万中小学校师生参加」: a figure in 万 right before the noun it counts, no counter
        if free(match.start(), match.end()):
            value = _scaled_value(match.group(0))
            found.append(Quantity(match.group(0), match.start(), match.end(), "count", "", value))
            taken.append((match.start(), match.end()))
    found.sort(key=lambda q: q.start)
    return found


def is_date_line(text: str) -> bool:
    """A line that is only a full date (2024年4月9日, 二○○五年六月二十八日), maybe in brackets: how a
    公文 states when it was issued (its 成文日期)."""
    text = text.strip().strip("（()）").strip()
    found = find_quantities(text)
    return (
        len(found) == 1 and found[0].kind == "date" and found[0].text == text
        and found[0].value is not None and text.endswith("日")
    )


def unit_class(quantity: Quantity) -> str:
    """What a figure counts, as one comparable label: money, people, percent, date, duration, or
    the counter / measure word itself (家, 项, 亩)."""
    if quantity.kind == "amount":
        return "money"
    if quantity.kind in ("percent", "date", "duration", "ordinal"):
        return quantity.kind
    if quantity.unit in PEOPLE_UNITS:
        return "people"
    return quantity.unit


def format_value(value: float, unit: str, like: str = "") -> str:
    """A computed figure written as the documents write them: in 万/亿 when ``like`` (an input
    figure) used that magnitude, without trailing zeros (5万元 + 3万元 -> 8万元)."""
    magnitude = ""
    for name in ("亿", "万"):
        if name in like:
            magnitude = name
            break
    scaled = value / _MAGNITUDES[magnitude] if magnitude else value
    number = f"{scaled:.4f}".rstrip("0").rstrip(".")
    return f"{number}{magnitude}{unit}"
