"""Typed facts of a sentence, and choosing the one that answers a question.

The extractive backend usually finds the right sentence; what went wrong was *which span of it*
became the bold answer. Official sentences hold several figures: enumerations (「培养1000名省级工匠、
200名首席技师」), before/after changes (「由1万元提高到5万元」), a count beside an amount, parallel
lists with 分别. So every figure of a sentence becomes a :class:`Fact` with

* its type and unit class (money, people, percent, date, duration, a counter such as 家 or 项),
* its *attribute*: the words it quantifies -- the text of its own clause between the neighbouring
  figures and delimiters, the item 分别 pairs it with, and for the new value of a change the words
  of the old value,
* its role in a change (``before`` / ``after``).

A question is parsed into what it asks for (:class:`AskedFor`: kind, acceptable unit classes, and
whether it asks for the old value). The answer is the fact of a compatible unit whose attribute
holds the most (IDF-weighted) question words; it is *confident* only when it wins clearly. A
sentence with no compatible fact answers nothing, whatever else it holds: a question asking 多少年
never gets a count of 名.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rag.text.numbers import chinese_number, english_ranks
from rag.text.patterns import CJK_RANGE, ENUMERATION_JOINT, TIER, YEAR, tiers_named
from rag.text.quantities import COUNTER_WORDS, GENERIC_COUNTERS, MEASURE_WORDS, Quantity, find_quantities, unit_class
from rag.text.shapes import asked_shape

Role = Literal["before", "after", "none"]

#: Where a figure's clause ends: the words between two of these belong to the figures inside.
_DELIMITERS = "，,；;。：:、（）()！？!?\n"
#: Where a clause ends when an enumeration (、) or brackets inside it do not count.
_CLAUSE_MARKS = "，,；;。：:"
_CHANGE_VERB = re.compile(
    r"(?:提高|增加|增长|提升|扩大|上调|调高|降低|下降|减少|缩减|压缩|下调|调整|缩短|延长|增至|升至|降至)"
    r"(?:了)?(?:到|至|为)?\s*(?:每人|每年|每户|每家)?\s*$"
)
#: 「由4名发展到82名」「从10人到50人」: a figure after 由/从 and one after 到/至 are old and new values.
_FROM_TO_CHANGE = re.compile(r"(?:由|从)[^，,；;。|]{0,12}\|[^，,；;。]{0,12}?(?:到|至|为)\s*$")
#: Words that pair the items before them with the figures after them, in order.
#: What stands between a figure and its own growth rate (、增长 / ，同比增长 / ,比上年下降).
#: (「GDP总量迈上500亿元台阶、增长8.5%」: the words closing a milestone phrase may come between.)
_RATE_AFTER_FIGURE = re.compile(
    r"\s*(?:台阶|大关|关口|左右|以上)?\s*[、，,]?\s*(?:同比|比上年|较上年)?(?:增长|下降|增加|减少|提高|降低|回落|上升)\s*"
)
_RESPECTIVELY = re.compile(r"分别|先后|依次|分获|分得")
_CHINESE_DIGITS = "零一二三四五六七八九十"
#: 「前三名获得者分获3000元、2000元、1000元」: a top-N range whose places pair with the figures.
_TOP_RANGE = re.compile(r"前([一二三四五六七八九十\d]{1,2})(名|位)")
_ITEM_SPLIT = re.compile(r"、|以及|及|和|与|，|,")
_ENUMERATION_ITEM_SPLIT = re.compile(r"、|以及|及|和|与")
#: Words before a figure in its clause that make it a limit (不少于60%, 不少于企业职工人选的60%,
#: 不得低于35%, 最高5万元, 至少3人).
_BOUND_BEFORE = re.compile(
    r"(?:不少于|不低于|不得低于|不得少于|不高于|不超过|不得超过|不大于|不小于|至少|最少|最低|最高|最多|上限为?|下限为?|"
    r"控制在|限额为?)[^，,；;。]{0,12}$"
)
#: Question words that ask for a limit.
_ASKS_BOUND = re.compile(
    r"至少|最少|最低|最高|最多|不少于|不低于|不高于|不超过|上限|下限|限额|起码|"
    r"at least|minimum|at most|maximum|no less than|no more than|\bcap\b|\blimit\b|ceiling|floor",
    re.I,
)
#: How much a fact of the asked year (or a limit when one is asked for) gains over the others.
_SCOPE_WEIGHT = 0.6
#: Question words that say the old value of a change is wanted.
_ASKS_BEFORE = re.compile(r"原来|原先|此前|之前|以前|调整前|提高前|增加前|原有|由多少|从多少"
    r"|previously|before the (?:increase|change)|originally|used to", re.I)
#: How much a winning attribute score must beat the best fact of another value by.
CONFIDENCE_MARGIN = 0.2
#: How much a figure's lead (the words since the previous figure of its kind) counts beside its
#: own words.
LEAD_WEIGHT = 0.5
#: What a figure the question itself singles out (its threshold, its tier) gains: more than any
#: match of words can give, with room for the confidence margin.
DECIDING_BONUS = 1.0 + 2 * CONFIDENCE_MARGIN


@dataclass(frozen=True)
class Fact:
    """One figure of a sentence with what it describes (offsets relative to the sentence)."""

    quantity: Quantity
    unit_class: str
    attribute: str
    role: Role = "none"
    #: The years the figure belongs to, when its own clause or the item 分别 pairs it with names
    #: them (「2020年招生160万人」, 「2019年、2020年分别为…」): the time a year question is about.
    years: tuple[str, ...] = ()
    #: A limit rather than a value (「不少于60%」「不得低于35%」「最高5万元」): the answer to a question
    #: about a minimum or a maximum, not to one about what was achieved.
    bound: bool = False
    #: The words right after the figure in its clause (「10个责任单位」 -> 责任单位): what it counts.
    follows: str = ""
    #: For a part of a breakdown (「其中柯城区承担0.15万元」): its own words, without those of the
    #: total's clause that its attribute also holds.
    own: str = ""
    #: A figure that names an item 分别 pairs with another figure (「首次突破500亿元的…分别奖励…300万元」):
    #: a condition of the answer, never the answer itself.
    key: bool = False
    #: The words since the previous figure of the same kind, before the figure's own clause
    #: (「获得绿色产品认证奖补的企业共3家,累计奖补资金30万元」 -> 获得绿色产品认证奖补的企业共3家): what the
    #: record the figure closes is about. They break a tie of the figure's own words.
    lead: str = ""
    #: The tier 分别 pairs the figure with (「按照国家级、省级、市级…分别给予10万元、8万元、5万元」 ->
    #: 市级 for 5万元): a question naming that tier asks for this figure.
    tier: str = ""
    #: The words right before the figure in its clause, with nothing between (「皮山县」 of
    #: 「,皮山县58.97万元」): a key the figure is listed under.
    before: str = ""

    @property
    def text(self) -> str:
        return self.quantity.text


@dataclass(frozen=True)
class AskedFor:
    """What a question wants: a kind of figure, the unit classes that fit, and which value of a
    change. ``classes`` empty means any class of that kind."""

    kind: str  # amount, count, percent, date, duration, measure
    classes: tuple[str, ...] = ()
    before: bool = False
    also_dates: bool = False  # 期限 / 有效期 / deadline: a duration or an end date
    precision: str = ""  # for dates: 'day' (哪天), 'month' (几月) or '' (any date, a year will do)
    bound: bool = False  # asks for a minimum or maximum (至少, 不低于, 上限, at least)
    currency: str = ""  # a currency the question names (多少美元): the figure must be in it


@dataclass
class FactChoice:
    """The fact chosen in one sentence, whether it won clearly, and all compatible facts."""

    best: Fact | None
    confident: bool
    score: float = 0.0
    compatible: list[Fact] = field(default_factory=list)


# ----- what the question asks for -----
#: Currencies other than 元 a question may ask a figure in.
_CURRENCIES = ("美元", "欧元", "港元", "英镑", "日元")
_EXPLICIT_UNIT = re.compile(
    r"(?:多少|几|多大)(万|亿)?(美元|欧元|港元|英镑|日元|元|钱|个工作日|个月|年|天|日|周|小时|个百分点|%|"
    rf"{MEASURE_WORDS}|{COUNTER_WORDS}|股)"
)
#: What makes a figure of the question a threshold that selects a tier (300亩以上, 50人以下).
THRESHOLD_AFTER = re.compile(r"(?:及)?(?:以上|以下|以内|不足|不满)")
#: 「首次突破500亿元」「超过1000人」: a figure the question reaches is a threshold too.
_THRESHOLD_BEFORE = re.compile(r"(?:突破|超过|达到|满)$")
#: A counter word after 几个 / 多少个 (几个批次, 多少个场次): the figure is counted in it.
_COUNTER_AFTER_GE = re.compile(r"人次|场次|批次|班次|车次|架次|家次|户次|轮次|届|批|期|轮")
_MONEY_WORDS = re.compile(
    r"多少钱|金额|资金|经费|奖金|奖励|奖补|补贴|补助|资助|投资|投入|产值|收入|增加值|生产总值|GDP|营业额|营收|"
    r"税收|利润|销售额|零售总额|总额|预算|费用|成本|工资|薪酬|价格|效益|收益|标准|费|how much|"
    # a verb of paying before 多少 (每人每月补多少, 奖多少), unless a counter follows it
    r"(?:补|奖|拨|资助)(?:了|给)?多少(?![个名家项人次张件户套台批所条])"
    # English words whole ("migrant" holds no grant, "sewage" no wage), their plurals and forms kept
    r"|\b(?:GDP|gross domestic product|output|fund\w*|money|subsid\w*|allowances?|bonus(?:es)?|rewards?|"
    r"awards?|grants?|invest\w*|revenues?|incomes?|salar(?:y|ies)|wages?|costs?|prices?|budgets?|yuan)\b",
    re.I,
)
#: A measured quantity the question asks for (面积是多少, 产量有多少): a figure of 亩, 吨, 公里…
_MEASURED_NOUN = re.compile(r"面积|长度|里程|产量|重量|体积|容量|用地|供水量|用水量|发电量|吞吐量")
_MEASURED = re.compile(rf"({_MEASURED_NOUN.pattern})(?:共计|合计|总计|一共|共|总共)?(?:是|为|有|达到?)?多少")
#: The unit classes a measured noun is given in (an area in 亩, not in 吨); nouns not listed take any.
_AREA_UNITS = ("亩", "公顷", "平方米", "平方公里", "平方千米")
_LENGTH_UNITS = ("公里", "千米", "米", "km")
_WEIGHT_UNITS = ("吨", "公斤", "千克", "斤", "克")
_MEASURE_CLASSES: dict[str, tuple[str, ...]] = {
    "面积": _AREA_UNITS,
    "用地": _AREA_UNITS,
    "长度": _LENGTH_UNITS,
    "里程": _LENGTH_UNITS,
    "产量": (*_WEIGHT_UNITS, "千瓦时", "度", "立方米", "辆", "台", "件", "头", "只", "套", "箱", "枚"),
    "重量": _WEIGHT_UNITS,
}
#: The same in English: how much grain was produced, the output, the area (not "output value", money).
_ENGLISH_MEASURED = re.compile(
    r"\b(?:output|production|produce[ds]?|yield|harvest(?:ed)?|acreage|area|length)\b", re.I
)
_ENGLISH_VALUE = re.compile(r"\bvalue\b|\brevenue\b|\bincome\b|\byuan\b|\bfund|\binvest", re.I)
_PERCENT_WORDS = re.compile(
    r"百分之|百分比|比例|几分之几|占比|比重|增长率|增速|增幅|降幅|幅度|(?<!生产)率[^，,；;？?多每]{0,6}多少|多少%|\b(?:percent|percentage|proportion|share|rate)s?\b",
    re.I,
)
#: 'When' asking for a time: opening the question or before its verb ("when did…"); a 'when'
#: that opens a condition ("what award … when the enterprise's tax reaches…") asks for no date.
ENGLISH_WHEN = r"^\s*when\b|\bwhen (?:did|was|is|were|will|does|do|are)\b"
_DATE_WORDS = re.compile(
    r"什么时候|何时|哪一年|哪年|哪天|哪一天|几月|几号|日期|时间是|什么时间|截止"
    rf"|起止|{ENGLISH_WHEN}|what year|which year|what date|which date|what day|deadline",
    re.I,
)
_DURATION_WORDS = re.compile(
    r"多少年|几年|多长时间|多长|多久|期限|有效期|公示期|几个月|多少个月|多少天|几天"
    r"|多少个工作日|几个工作日|how long|how many (?:years|months|days|working days)",
    re.I,
)
#: 增长多少 without a unit asks for a rate in official statistics (增长8.5%); prices rise and fall
#: by a share too (居民消费价格比上年上涨1.3%), though 价格 is a money word.
_GROWTH_BY_HOW_MUCH = re.compile(r"(?:增长|比增|比降|下降|增幅|降幅|增速|上升|回落|上涨|下跌)(?:了)?(?:多少"
    r"|几)(?![万亿]?[元人个家项名])|(?:比上年|比去年|较上年|同比)变化(?:了)?(?:多少|几)"
    r"|grow(?:th)? by how much|by what (?:percentage|rate)"
    r"|by how much (?:[\w'’()（）-]+ ){0,14}?(?:grow|grew|increase|rise|rose|fall|fell|decline|drop|decrease)"
    r"|how fast (?:[\w'’-]+ ){0,8}?(?:grow|grew|increase|rise|rose)"
    # "How much did the secondary industry's value added grow in 2021?": its growth rate
    r"|how much (?:did|does|has|have|had) (?:[\w'’()（）-]+ ){1,14}?(?:grow|grown|decline|declined|fall|fallen)\b"
    # "What was Suining's fixed-asset investment growth in 2021?": the growth is a rate
    r"|^\s*what (?:was|were|is|are) [^?]{0,80}?\bgrowth\b(?! (?:of|in) (?:the )?number)", re.I)
_DAY_WORDS = re.compile(r"哪天|哪一天|几号|几月几日|日期|具体时间|什么时间"
    r"|on what (?:date|day)|what date|which date|which day", re.I)
_MONTH_WORDS = re.compile(r"几月|哪个月|哪月|几月份|which month|what month", re.I)
_DEADLINE_WORDS = re.compile(r"期限|有效期|截止|deadline|valid", re.I)
_ENGLISH_COUNT = re.compile(r"how many|number of|what number", re.I)
_ENGLISH_PEOPLE = re.compile(
    r"how many (?:[\w-]+ ){0,3}(?:people|persons|workers|employees|craftsmen|talents|staff|members|students|"
    r"participants|trainees|recipients|individuals|households|families|residents|technicians|winners|"
    r"talents|talent|craftspeople|farmers|teachers|doctors|volunteers|cadres|officials|graduates|retirees)"
    # a possessor is not what is counted: "how many model workers' homes" counts homes
    r"(?!['’]s?\s|['’]s?$)\b",
    re.I,
)
_ENGLISH_COUNTER = {
    "enterprises": "家", "companies": "家", "firms": "家", "businesses": "家", "households": "户",
    "projects": "项", "items": "项", "measures": "条", "articles": "条", "schools": "所",
    "times": "次", "batches": "批", "sessions": "场", "events": "场", "acres": "亩", "mu": "亩",
    "attendances": "人次", "person-times": "人次", "trips": "人次", "classes": "期", "studios": "家",
}
_CN_QUESTION_COUNT = re.compile(r"多少|几|多大")
#: 多少 followed by a noun counts that noun (资助多少农民工, 多少企业): the figure is a count even when
#: the question also speaks of money.
_COUNTED_NOUN = re.compile(rf"(?:多少|几)(?!钱|元|万|亿|倍|%|个百分点|是|呢|吗|？|\?)([{CJK_RANGE}]{{1,4}})")
_PEOPLE_CLASSES = ("people",)
#: An enterprise's name (县农业投资有限公司): the money words inside it (投资) ask for nothing.
_ENTERPRISE_NAME = re.compile(rf"[{CJK_RANGE}]{{2,20}}?(?:有限责任公司|股份有限公司|有限公司|公司|集团)")
#: A noun phrase after 多少 that ends with one of these names money (多少困难残疾人生活补贴, 多少报名费).
_MONEY_PHRASE_END = re.compile(r"(?:补贴|补助|资金|奖金|奖励金|经费|救助金|抚恤金|工资|费用|费)$")
#: Nouns for people: a question that counts them (「高技能人才有多少」「多少农民工」) asks for people,
#: not for the 培训基地98个 of the same sentence.
_PEOPLE_WORDS = (
    r"(?:人才|人员|工人|职工|员工|农民工|劳模|工匠|代表|学生|学员|党员|会员|志愿者|技师|选手|干部|居民|群众|人口)"
)
_PEOPLE_NOUN = re.compile(_PEOPLE_WORDS + r"$")
_PEOPLE_SUBJECT = re.compile(
    _PEOPLE_WORDS + r"(?:总数|总量|人数|数量)?(?:是|有|达到|达|为|共)?(?:多少|几)(?![万亿]?[元%])"
)


def compatible_classes(asked_unit: str) -> tuple[str, ...]:
    """The unit classes that answer a question asking for ``asked_unit`` (the word after 多少)."""
    if asked_unit in ("元", "钱"):
        return ("money",)
    if asked_unit in ("人", "名", "位"):
        return _PEOPLE_CLASSES
    if asked_unit in ("%", "个百分点"):
        return ("percent",)
    if asked_unit in ("年", "个月", "天", "日", "周", "小时", "个工作日"):
        return ("duration",)
    if asked_unit in ("岁", "周岁"):
        return ("岁", "周岁")  # an age, however written
    if asked_unit == "个":
        return GENERIC_COUNTERS
    if asked_unit in GENERIC_COUNTERS:
        return (asked_unit, "个")
    return (asked_unit,)


def asked_for(question: str) -> AskedFor | None:
    """What figure ``question`` asks for, or None when it does not ask for a figure.

    An explicit unit after 多少/几 decides (多少家 asks for a count of 家 even in a question about
    补贴); otherwise the question's words do (金额 -> money, 比例 -> percent, 何时 -> date,
    期限 -> a duration or an end date), and a bare 多少 asks for any count. Whether a limit is asked
    for (至少, 不低于, minimum) is recorded too.
    """
    if "哪几" in question:
        return None  # 「哪几位当选」「哪几个部门」: which ones, a list, not a count
    if asked_shape(question):
        return None  # 「监督电话是多少」「三次产业结构是多少」: a telephone number, a ratio, not a figure
    asked = _asked_figure(question)
    if asked is not None and _ASKS_BOUND.search(question):
        asked = replace(asked, bound=True)
    return asked


def _asked_figure(question: str) -> AskedFor | None:
    before = bool(_ASKS_BEFORE.search(question))
    explicit = _EXPLICIT_UNIT.search(question)
    if explicit and not re.match(r"(?:多少|几)年(?:级|度)", question[explicit.start() :]):
        unit = explicit.group(2)
        counter = _COUNTER_AFTER_GE.match(question, explicit.end()) if unit == "个" else None
        if counter:
            unit = counter.group(0)  # 几个批次 counts 批次, not 个
        elif unit == "个" and re.match(r"人(?!次)", question[explicit.end() :]):
            unit = "人"  # 几个人 counts people
        if unit in _CURRENCIES:
            return AskedFor("amount", ("money",), before, currency=unit)  # 折合多少美元: not the 元 figure
        classes = compatible_classes(unit)
        if classes == ("money",):
            return AskedFor("amount", classes, before)
        if classes == ("percent",):
            return AskedFor("percent", classes, before)
        if classes == ("duration",):
            return AskedFor("duration", classes, before, bool(_DEADLINE_WORDS.search(question)))
        return AskedFor("count", classes, before)
    if _ENGLISH_PEOPLE.search(question):
        return AskedFor("count", _PEOPLE_CLASSES, before)
    english_counter = re.search(r"how many (?:[\w-]+ ){0,3}?(" + "|".join(_ENGLISH_COUNTER) + r")\b", question, re.I)
    if english_counter:
        return AskedFor("count", compatible_classes(_ENGLISH_COUNTER[english_counter.group(1).lower()]), before)
    if re.search(r"\bhow many\b", question, re.I) and not _DURATION_WORDS.search(question):
        return AskedFor("count", (), before)
    if _DATE_WORDS.search(question) and not _DURATION_WORDS.search(question):
        precision = "day" if _DAY_WORDS.search(question) else "month" if _MONTH_WORDS.search(question) else ""
        return AskedFor("date", ("date",), before, precision=precision)
    if _DURATION_WORDS.search(question):
        return AskedFor("duration", ("duration",), before, bool(_DEADLINE_WORDS.search(question)))
    if _PERCENT_WORDS.search(question) or _GROWTH_BY_HOW_MUCH.search(question):
        return AskedFor("percent", ("percent",), before)
    measured = _MEASURED.search(question)
    if measured or (_ENGLISH_MEASURED.search(question) and not _ENGLISH_VALUE.search(question)):
        # 补贴面积是多少: an area in 亩, not the subsidy's 元; 棉花产量: a weight, not the 万亩 sown
        # the last measured noun (a follow-up 「…面积是多少，它的总产量？」 asks about its own)
        nouns = _MEASURED_NOUN.findall(question) if measured else []
        classes = _MEASURE_CLASSES.get(nouns[-1], ()) if nouns else ()
        return AskedFor("measure", classes, before)
    counted = _COUNTED_NOUN.search(question)
    phrase = re.match(rf"[{CJK_RANGE}]*", question[counted.start(1) :]) if counted else None
    if phrase is not None and _MONEY_PHRASE_END.search(phrase.group(0)):
        return AskedFor("amount", ("money",), before)  # 发了多少困难残疾人生活补贴: the noun is money
    if counted and not _MONEY_WORDS.match(counted.group(1)):
        # 资助多少农民工: a number of people, not money
        return AskedFor("count", _PEOPLE_CLASSES if _PEOPLE_NOUN.match(counted.group(1)) else (), before)
    if _PEOPLE_SUBJECT.search(question) and not _MONEY_WORDS.search(question):
        return AskedFor("count", _PEOPLE_CLASSES, before)  # 高技能人才有多少: a number of people
    asks_how_much = _CN_QUESTION_COUNT.search(question) or re.search(r"how much|^\s*what\b", question, re.I)
    if _MONEY_WORDS.search(_ENTERPRISE_NAME.sub("", question)) and asks_how_much:
        return AskedFor("amount", ("money",), before)
    if _ENGLISH_COUNT.search(question) or _CN_QUESTION_COUNT.search(question):
        return AskedFor("count", (), before)
    return None


#: An English question that names a figure by a noun phrase alone ("What were X's total retail sales
#: of consumer goods in 2022?"): what it asks for is what its Chinese renderings name.
_WHAT_FIGURE_EN = re.compile(r"^\s*what (?:was|were|is|are)\b(?!.*\b(?:which|who|whom|name|title)\b)", re.I)


def asked_through_renderings(question: str, renderings: Sequence[str]) -> AskedFor | None:
    """An amount, for an English "what was …" question whose Chinese renderings name money
    (社会消费品零售总额, 地区生产总值): the Chinese question 「…零售总额是多少」 asks the same.
    None for any other question."""
    chinese = "".join(r for r in renderings if re.fullmatch(rf"[{CJK_RANGE}]+", r))
    if _WHAT_FIGURE_EN.match(question) and _MONEY_WORDS.search(chinese):
        return AskedFor("amount", ("money",), False)
    return None


#: A date written in figures (发布日期:2022-07-29, 2022/7): it names its day, or its month.
_NUMERIC_DAY = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$")
_NUMERIC_MONTH = re.compile(r"\d{4}[-/.]\d{1,2}")


def is_compatible(asked: AskedFor, fact: Fact) -> bool:
    """Whether ``fact`` is the kind of figure ``asked`` wants."""
    if asked.also_dates and fact.unit_class == "date":
        return "月" in fact.quantity.text  # an end date names its month at least; 2024年 is no deadline
    if asked.kind == "date" and fact.unit_class == "date":
        text = fact.quantity.text
        if asked.precision == "day":
            return bool(re.search(r"[日号]$", text) or _NUMERIC_DAY.search(text))
        if asked.precision == "month":
            return "月" in text or bool(_NUMERIC_MONTH.search(text))
        return True
    if asked.currency and not fact.quantity.unit.endswith(asked.currency):
        return False
    if asked.classes:
        return fact.unit_class in asked.classes
    if asked.kind == "count":
        # A bare 多少 ("提高到多少", "how many or how much") takes any figure that is not a date,
        # a share or a duration; the fact's own words then decide which.
        return fact.quantity.kind in ("count", "measure", "amount")
    return fact.quantity.kind == asked.kind


# ----- facts of a sentence -----
def _clause_start(sentence: str, position: int, marks: str = _DELIMITERS) -> int:
    """Where the clause holding ``position`` starts: just after the last of ``marks`` before it."""
    return max(sentence.rfind(mark, 0, position) for mark in marks) + 1


def _clause_end(sentence: str, position: int, marks: str = _DELIMITERS) -> int:
    """Where the clause holding ``position`` ends: at the first of ``marks`` after it."""
    ends = [i for i in (sentence.find(mark, position) for mark in marks) if i >= 0]
    return min(ends, default=len(sentence))


#: A bracketed aside without figures (「17个省(区、市)的省委副书记」): its 、 and brackets end no clause.
_ASIDE = re.compile(r"[（(][^（()）\d]{1,12}[)）]")
#: 「共计14.5万元,其中市本级承担0.35万元,柯城区承担0.15万元」: the figures after 其中 break down the
#: total before it, so the words of the total's clause describe each part too.
_BREAKDOWN = re.compile(r"其中")
#: A value's label right before it (「新种任务：」, 「补助标准:」), and a row sentence's first cell.
_LABEL_BEFORE = re.compile(r"([^，,；;。：:\s]{1,12})[：:]\s*$")
_ROW_KEY = re.compile(r"^[^，,；;。：:]{1,10}[：:]([^，,；;。：:]{1,20})[，,]")
#: Words that make a figure a total; a part does not inherit them from the total's clause.
TOTAL_WORDS = re.compile(r"共计|合计|总计|累计|总共|一共|共有|共")
#: The total words a question asks a total by and a total figure is led by (not the bare 共 of 公共).
_ASKS_TOTAL = re.compile(r"共计|合计|总计|总共|一共")
#: A clause after its figure that is only a noun phrase (个省(区、市)的省委副书记): no predicate.
_NOUN_PHRASE_ONLY = re.compile(r"[^，,；;。]{0,12}的[^，,；;。的]{1,8}")


def _without_asides(sentence: str) -> str:
    """``sentence`` with every bracketed aside blanked out (same length, so offsets still hold)."""
    return _ASIDE.sub(lambda m: "·" * len(m.group(0)), sentence)


def sentence_facts(sentence: str) -> list[Fact]:
    """Every figure of ``sentence`` as a fact with its attribute words and change role."""
    quantities = [q for q in find_quantities(sentence) if q.kind != "ordinal"]
    plain = _without_asides(sentence)
    facts: list[Fact] = []
    for number, quantity in enumerate(quantities):
        previous = quantities[number - 1] if number else None
        # A measure or count of another class just before is a condition that describes this figure
        # (「600亩以上的补助2万元」): its text belongs to this figure's words. A figure of the same
        # class is a rival, and a date is a scope; their words are their own.
        if previous is None:
            previous_end = 0
        elif unit_class(previous) != unit_class(quantity) and (
            previous.kind in ("measure", "count")
            or (previous.kind == "amount" and quantity.kind == "count" and previous.end == quantity.start)
        ):
            # 「面额50元600张」: a price right before a count says which ones are counted
            previous_end = previous.start
        else:
            previous_end = previous.end
        next_start = quantities[number + 1].start if number + 1 < len(quantities) else len(sentence)
        left = max(_clause_start(plain, quantity.start), previous_end)
        right = min(_clause_end(plain, quantity.end), next_start)
        attribute = sentence[left : quantity.start] + " " + sentence[quantity.end : right]
        label = _LABEL_BEFORE.search(sentence, 0, quantity.start)
        if label is not None:
            # a labelled value (「新种任务：2150亩」, a table row's cell): the label is what it counts,
            # and the row's first cell (「乡镇：长安镇」) whose row it is
            key = _ROW_KEY.match(sentence)
            attribute = f"{label.group(1)} {key.group(1) if key else ''} {attribute}"
        bound = bool(_BOUND_BEFORE.search(sentence[left : quantity.start]))
        same_class_before = [q for q in quantities[:number] if q.kind == quantity.kind]
        # the sentence's first figure has no lead: the words opening the sentence govern them all
        lead_start = same_class_before[-1].end if same_class_before else 0 if number else left
        facts.append(Fact(quantity, unit_class(quantity), attribute, bound=bound,
                          years=_clause_years(sentence, quantities, number),
                          follows=sentence[quantity.end : right],
                          lead=sentence[lead_start:left] if lead_start < left else "",
                          before=sentence[max(_clause_start(plain, quantity.start), previous_end) : quantity.start]))
    facts = _scope_of_since(sentence, facts)
    facts = _one_year_for_all(facts)
    facts = _rates_of_amounts(sentence, facts)
    facts = _share_breakdown_heads(sentence, plain, facts)
    facts = _share_verbless_predicates(plain, facts)
    facts = _share_enumeration_heads(sentence, facts)
    facts = _share_parallel_heads(sentence, facts)
    facts = _link_changes(sentence, facts)
    facts = _share_counted_noun(sentence, facts)
    return _pair_respectively(sentence, facts)


#: What a count of an enumeration may be followed by when its noun is written after a later one.
_JOINT_ONLY = re.compile(r"[、和及与共计合总左右以上余多\s]*")
#: The joint words a name of an enumeration's item may end with (北坞镇18个共75个: 北坞镇 共).
_JOINT_END = re.compile(r"[\s共计合总和及与]+$")
#: What may stand between the counts of one enumeration (「南岩镇22个、北坞镇18个共75个行政村」).
_ENUMERATION_GAP = re.compile(rf"[、和及与共计合总{CJK_RANGE}]{{0,12}}")


def _share_counted_noun(sentence: str, facts: list[Fact]) -> list[Fact]:
    """Counts of an enumeration whose noun is written once, after the last (「原则同意东庄街道4个、
    南岩镇22个、北坞镇18个共75个行政村」): each count counts 行政村 too, so the noun tells none apart;
    the item's own name does (南岩镇), and an item the question names none of the words of is not
    what it asks (the total is). The words before the first item's name (原则同意) lead them all.
    A count takes the noun of the next count in the same unit when nothing but the enumeration's
    names and joints stands between them."""
    shared = list(facts)
    linked = [False] * len(shared)
    for number in range(len(shared) - 2, -1, -1):
        fact, following = shared[number], shared[number + 1]
        if fact.quantity.kind != "count" or not _JOINT_ONLY.fullmatch(fact.follows) or not following.follows:
            continue
        if following.quantity.unit != fact.quantity.unit:
            continue
        between = sentence[fact.quantity.end : following.quantity.start]
        if (_ENUMERATION_GAP.fullmatch(between) and "、" in between) or between.startswith(("共", "合计", "总计")):
            linked[number] = True
            shared[number] = replace(fact, follows=following.follows)
    number = 0
    while number < len(shared):
        if not linked[number]:
            number += 1
            continue
        last = number
        while linked[last]:
            last += 1  # the run's last count holds the noun (the total, or the last item)
        names = [_JOINT_END.sub("", shared[k].attribute.split("、")[-1]).strip() for k in range(number, last)]
        if not all(names):
            # 「14项、48项工作分别获省政府和长沙市政府…」: figures without names of their own are
            # paired by 分别 (``_pair_respectively``), not told apart here
            shared[number:last] = facts[number:last]
            number = last + 1
            continue
        size = max((len(name) for name in names[1:]), default=len(names[0])) + 1
        first_name = names[0][-size:] if "、" not in shared[number].attribute else names[0]
        lead = names[0][: len(names[0]) - len(first_name)]
        names[0] = first_name
        noun = shared[last].follows
        for k in range(number, last):
            fact = shared[k]
            shared[k] = replace(fact, attribute=f"{lead} {names[k - number]} {noun}", own=fact.own or names[k - number])
        shared[last] = replace(shared[last], attribute=f"{lead} {shared[last].attribute}")
        number = last + 1
    return shared


def _clause_years(sentence: str, quantities: list[Quantity], number: int) -> tuple[str, ...]:
    """The years of the dates in a figure's own clause before it (「2020年招生160万人」 -> 2020);
    a date's own years for a date."""
    quantity = quantities[number]
    if quantity.kind == "date":
        return tuple(YEAR.findall(quantity.text))
    start = _clause_start(sentence, quantity.start, _CLAUSE_MARKS)
    years = [
        year for q in quantities[:number]
        if q.kind == "date" and q.start >= start for year in YEAR.findall(q.text)
    ]
    return tuple(dict.fromkeys(years))


#: 「自2018年起，…」 opening a sentence: the time every figure of the sentence holds from.
_SINCE_OPENING = re.compile(r"(?:^|[，,；;])(?:自|从)?((?:19|20)\d{2})年(?:起|以来|开始)[，,]")


def _scope_of_since(sentence: str, facts: list[Fact]) -> list[Fact]:
    """「自2018年起，…要求不得低于35%」「…，2020年以来，全省各级工会共举办竞赛3.4万场」: a figure
    with no year of its own after a since-clause holds from that year, so a question "since 2018"
    is about it as much as about a dated figure, and it is not the figure of another time."""
    scoped = list(facts)
    for opening in _SINCE_OPENING.finditer(sentence):
        year = opening.group(1)
        scoped = [
            replace(f, years=(year,))
            if not f.years and f.unit_class != "date" and f.quantity.start > opening.end() else f
            for f in scoped
        ]
    return scoped


def _one_year_for_all(facts: list[Fact]) -> list[Fact]:
    """「《2025年县政府工作报告任务分解》明确133项具体任务,涉及34个牵头单位」: when the dated figures of
    a sentence all hold one year, its undated figures hold it too; a sentence of two years
    (2019年招生142万人，2020年招生160万人) leaves them undated."""
    years = {f.years for f in facts if f.years}
    if len(years) != 1:
        return facts
    (year,) = years
    return [replace(f, years=year) if not f.years and f.unit_class != "date" else f for f in facts]


def _rates_of_amounts(sentence: str, facts: list[Fact]) -> list[Fact]:
    """「地区生产总值77.41亿元、增长7.9%」: a growth rate right after a figure is that figure's rate,
    so it is described by the same words (地区生产总值), not only by 增长."""
    described = list(facts)
    for number in range(1, len(described)):
        rate, figure = described[number], described[number - 1]
        if rate.unit_class != "percent" or figure.unit_class in ("percent", "date"):
            continue
        between = sentence[figure.quantity.end : rate.quantity.start]
        if _RATE_AFTER_FIGURE.fullmatch(between):
            described[number] = replace(rate, attribute=figure.attribute + " " + rate.attribute)
    return described


def _share_breakdown_heads(sentence: str, plain: str, facts: list[Fact]) -> list[Fact]:
    """「下达认证奖补资金共计14.5万元,其中市本级承担0.35万元,柯城区承担0.15万元」: the clause before
    其中 (less its figures and total words) describes every part after it, so its words no longer
    tell the parts from each other or from the total; the parts' own words (柯城区) do. Only a
    clause-initial 其中 after a total of the parts' unit class breaks it down (not 「占其中的71.1%」).
    ``plain`` is the sentence without its bracketed asides (:func:`_without_asides`)."""
    shared = list(facts)
    for marker in _BREAKDOWN.finditer(sentence):
        if marker.start() == 0 or sentence[marker.start() - 1] not in _CLAUSE_MARKS:
            continue
        end = _clause_end(sentence, marker.end(), "；;。")
        totals = [f for f in facts if f.quantity.end < marker.start()]
        if not totals:
            continue
        total = totals[-1]
        # the total's own clause (「下达…资金共计14.5万元」), not the whole sentence before it
        start = _clause_start(plain, total.quantity.start, _CLAUSE_MARKS)
        head = sentence[start : marker.start()].replace(total.text, " ")
        head = TOTAL_WORDS.sub(" ", head)
        for number, fact in enumerate(shared):
            if fact is total:
                shared[number] = replace(fact, attribute=head + " " + fact.attribute)
            elif marker.end() <= fact.quantity.start < end and fact.unit_class == total.unit_class:
                shared[number] = replace(fact, attribute=head + " " + fact.attribute, own=fact.attribute)
    return shared


def _share_verbless_predicates(plain: str, facts: list[Fact]) -> list[Fact]:
    """「17个省(区、市)的省委副书记，9个省(市)的省委常委担任协调小组组长」: a figure's clause that is only
    a noun phrase (N个X的Y) shares the predicate of the next figure's clause (担任…组长). ``plain``
    is the sentence without its bracketed asides."""
    shared = list(facts)
    for number in range(len(shared) - 1):
        fact, following = shared[number], shared[number + 1]
        clause_end = _clause_end(plain, fact.quantity.end, _CLAUSE_MARKS)
        tail = plain[fact.quantity.end : clause_end]
        between = plain[clause_end : following.quantity.start]
        if (
            fact.unit_class != following.unit_class
            or not _NOUN_PHRASE_ONLY.fullmatch(tail)
            or not re.fullmatch(r"[，,]\s*", between)
        ):
            continue
        predicate = following.follows
        noun_end = predicate.find("的")
        predicate = predicate[noun_end + 1 :] if noun_end >= 0 else predicate
        shared[number] = replace(fact, attribute=fact.attribute + " " + predicate)
    return shared


def _share_enumeration_heads(sentence: str, facts: list[Fact]) -> list[Fact]:
    """「培养1000名甲、200名乙」: the words before the first item (培养) govern every item of the
    enumeration, so they describe all of them and single out none. Items that carry their own label
    before their figure (「减税降费2.08亿元、惠企奖励46.7万元」) share nothing: the first label is
    the first item's own."""
    shared = list(facts)
    start = 0
    while start < len(shared):
        end = start
        while end + 1 < len(shared):
            between = sentence[shared[end].quantity.end : shared[end + 1].quantity.start]
            if shared[end + 1].unit_class != shared[start].unit_class or not re.search(r"、|和|及|与", between):
                break
            if any(mark in between for mark in "，,；;。"):
                break
            label = re.split(r"、|和|及|与", between)[-1]
            if len(re.findall(rf"[{CJK_RANGE}]", label)) >= 2:
                break  # 「减税降费2.08亿元、惠企奖励46.7万元」: each item has its own label before it
            end += 1
        if end > start:
            first = shared[start].quantity
            head = sentence[_clause_start(sentence, first.start) : first.start]
            for number in range(start + 1, end + 1):
                fact = shared[number]
                shared[number] = replace(fact, attribute=head + " " + fact.attribute)
        start = end + 1
    return shared


def _share_parallel_heads(sentence: str, facts: list[Fact]) -> list[Fact]:
    """「实际使用内资30.2亿元、外资381万美元」: a labelled item parallel to the end of the first item's
    words (外资 to 内资: as long, the same last character) shares the words before that end (实际使用),
    so a question about 实际使用外资 finds 381万美元 by its verb too. Labels that are not parallel
    (「减税降费2.08亿元、惠企奖励46.7万元」, 「城镇居民…4万元、农村居民2万元」) share nothing."""
    shared = list(facts)
    for number in range(1, len(shared)):
        first, second = shared[number - 1], shared[number]
        if first.unit_class != second.unit_class:
            continue
        between = sentence[first.quantity.end : second.quantity.start]
        joint = ENUMERATION_JOINT.match(between)
        label = between[joint.end() :] if joint else ""
        if not joint or not _CJK_LABEL.fullmatch(label):
            continue
        own = sentence[_clause_start(sentence, first.quantity.start) : first.quantity.start]
        end_word = own[-len(label) :]
        if len(own) > len(label) and end_word != label and end_word[-1] == label[-1]:
            head = own[: -len(label)]
            shared[number] = replace(second, attribute=head + " " + second.attribute)
    return shared


#: A label of CJK characters after an enumeration's joint.
_CJK_LABEL = re.compile(rf"[{CJK_RANGE}]{{2,6}}")


def _link_changes(sentence: str, facts: list[Fact]) -> list[Fact]:
    """由1万元提高到5万元: the second figure is the new value of the first one's attribute."""
    linked = list(facts)
    for number in range(1, len(linked)):
        new, old = linked[number], linked[number - 1]
        between = sentence[old.quantity.end : new.quantity.start]
        if new.unit_class != old.unit_class or any(mark in between for mark in "，,；;。"):
            continue
        from_to = sentence[: old.quantity.start] + "|" + between
        if not _CHANGE_VERB.search(between) and not _FROM_TO_CHANGE.search(from_to):
            continue
        linked[number - 1] = replace(old, role="before")
        linked[number] = replace(new, attribute=old.attribute + " " + new.attribute, role="after")
    return linked


#: The indicator that ends the last item of a 分别 list and is each item's (「金融业、…、非营利性服务业
#: 增加值分别增长…」: 金融业's figure is a 增加值 too).
_INDICATOR_HEAD = re.compile(r"(?:增加值|总额|总量|收入|产量|产值|面积|人数|人次|支出|投资|总数)$")
#: The fewest items of a 、-list whose names may hold 和 (批发和零售业、住宿和餐饮业、金融业).
MIN_COMMA_ITEMS = 3
#: The shortest item of a 分别 list that names a thing in full (城镇 of 「城镇和农村居民…」 does not).
WHOLE_ITEM_CHARS = 3


def _pair_respectively(sentence: str, facts: list[Fact]) -> list[Fact]:
    """「A、B分别为X、Y」: X describes A and Y describes B. 「2019年、2020年先后培训26.9万人、53.8万人」:
    each run of figures after the marker pairs with the items before it, in order; a year item
    becomes the figure's year."""
    marker = _RESPECTIVELY.search(sentence)
    if marker is None:
        return facts
    position = marker.start()
    after = [f for f in facts if f.quantity.start > position]
    clause_start = _clause_start(sentence, position, "；;。")
    listed = [item.strip() for item in _ITEM_SPLIT.split(sentence[clause_start:position]) if item.strip()]
    item_lists = [
        _shared_noun(_framed(listed)),
        _shared_noun(_framed(_enumeration_before(sentence, position))),
    ]
    comma_items = _comma_items(sentence[clause_start:position])
    if len(comma_items) >= MIN_COMMA_ITEMS and len(listed) > len(comma_items):
        item_lists.append(comma_items)  # names holding 和 (批发和零售业) split apart at every 和
    paired: dict[int, str] = {}
    used: list[str] = []
    for items in item_lists:
        with_figures = sum(bool(find_quantities(item)) for item in items)
        if len(items) < 2 or 0 < with_figures < len(items):
            continue  # 「固定资产投资增长31.1%,城乡居民…分别」: a clause of its own, not an item
        groups = [after] if len(after) == len(items) else _figure_runs(sentence, after)
        for group in groups:
            if len(group) == len(items):
                paired.update({id(f): item for f, item in zip(group, items, strict=True)})
                used = items
        if paired:
            break
    if paired:
        # 「突破100亿元、300亿元…的，分别奖励100万元、200万元…」: figures of the paired figures' class
        # that the items name are conditions, not answers
        classes = {f.unit_class for f in facts if id(f) in paired}
        facts = [
            replace(f, key=True)
            if f.quantity.start < position and f.unit_class in classes and any(f.text in item for item in used)
            else f
            for f in facts
        ]
    tier_of: dict[int, str] = {}
    if not paired:
        # 「国家级及省级甲、乙，分别给予50万元、20万元」: the items do not pair with the figures one to
        # one, but the tiers do (国家级 -> 50万元, 省级 -> 20万元, for 甲 and for 乙 alike).
        # the tiers' own stretch: after the last figure before the marker (「…满10年以上，在办理退休
        # 手续时，按照国家级、省级、市级获奖类别，分别给予…」), not the whole sentence
        earlier = [f.quantity.end for f in facts if f.quantity.end <= position]
        clause = sentence[max([clause_start, *earlier]) : position]
        tiers = list(dict.fromkeys(TIER.findall(clause)))
        for group in [after, *_figure_runs(sentence, after)]:
            if len(tiers) >= 2 and len(group) == len(tiers):
                untiered = TIER.sub("", clause)
                paired.update({id(f): f"{tier} {untiered}" for f, tier in zip(group, tiers, strict=True)})
                tier_of.update({id(f): tier for f, tier in zip(group, tiers, strict=True)})
                break
    if not paired:
        # 「居前3名的，一次性分别奖励资金100万元、50万元、30万元」: the ranks pair with the figures in order
        top = _TOP_RANKS.search(sentence, clause_start, position)
        count = _rank_number(top.group(1)) if top is not None else 0
        for group in [after, *_figure_runs(sentence, after)] if count >= 2 else []:
            if len(group) == count:
                ranks = [f"第{_CN_NUMERALS[i]}{top.group(2)}" for i in range(1, count + 1)]  # type: ignore[union-attr]
                paired.update({id(f): rank for f, rank in zip(group, ranks, strict=True)})
                tier_of.update({id(f): rank for f, rank in zip(group, ranks, strict=True)})
                break
    if not paired:
        runs = _figure_runs(sentence, after)
        paired = _pair_places(sentence[clause_start:position], runs[0] if runs else after)
        # the halves of 城乡 are tiers a question names (「农村居民人均可支配收入增长多少」)
        tier_of = {key: item.split(" ", 1)[0] for key, item in paired.items() if TIER.fullmatch(item.split(" ", 1)[0])}
    if not paired:
        return facts  # which item goes with which figure is unclear
    result = []
    for fact in facts:
        item = paired.get(id(fact))
        if item is None:
            result.append(fact)
            continue
        years = tuple(YEAR.findall(item)) or fact.years
        # the words before 分别 hold every item (「游客人次、旅游总收入分别增长40%和50%」): the other
        # items there are not this figure's words (40% is not of 旅游总收入)
        # (not when an item is a bare qualifier whose noun the last item carries: 「城镇和农村居民…」)
        own = fact.attribute
        whole_items = bool(used) and min(map(len, used)) >= WHOLE_ITEM_CHARS
        for other in used if whole_items else []:
            if other != item and not any(other in name for name in used if name != other):
                # the indicator the last item names for all (…非营利性服务业增加值) stays
                head = _INDICATOR_HEAD.search(other) if other == used[-1] else None
                own = own.replace(other, f" {head.group(0) if head else ''} ")
        result.append(replace(fact, attribute=item + " " + own, years=years, tier=tier_of.get(id(fact), "")))
    return result


#: 「前3名」「前三位」: the first N of a ranking, which a 分别 figure list pays out rank by rank.
_TOP_RANKS = re.compile(r"前([2-9]|10|[二两三四五六七八九十])(名|位)")
#: A rank a question asks about: 第一名, 第3名.
_RANK = re.compile(r"第([1-9]|10|[一二三四五六七八九十])(名|位)")
_CN_NUMERALS = "零一二三四五六七八九十"


def _rank_number(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else int(chinese_number(numeral) or 0)


def asked_ranks(question: str) -> set[str]:
    """The ranks a question names, spelt as :func:`_pair_respectively` spells them (第3名 -> 第三名;
    an English question's second-ranked -> 第二名)."""
    ranks = {f"第{_CN_NUMERALS[_rank_number(n)]}{unit}" for n, unit in _RANK.findall(question)}
    return ranks | {f"第{_CN_NUMERALS[n]}名" for n in english_ranks(question) if n <= 10}


def _shared_noun(items: list[str]) -> list[str]:
    """「一、二、三产业增加值分别增长…」「一、二、三等奖分别奖励…」: items written as bare numerals share
    the words after the last item's numeral, so each item reads 第三产业增加值 / 三等奖 in full (both
    with and without 第, as questions ask for either)."""
    if len(items) < 2 or not all(re.fullmatch(r"[一二三四五六七八九十]", item) for item in items[:-1]):
        return items
    last = re.match(r"([一二三四五六七八九十])(\S+)", items[-1])
    if last is None:
        return items
    noun = last.group(2)
    return [f"第{numeral}{noun} {numeral}{noun}" for numeral in [*items[:-1], last.group(1)]]


def _framed(items: list[str]) -> list[str]:
    """「对…首次突破100亿元、300亿元、500亿元的省级工业集中区」: when every item is a figure, the
    words before the first and after the last frame all of them, so each item is its figure in
    that frame (「对…首次突破300亿元的省级工业集中区」), and only the figures tell them apart."""
    figures = [next(iter(find_quantities(item)), None) for item in items]
    if len(items) < 2 or any(figure is None for figure in figures):
        return items
    first, last = figures[0], figures[-1]
    assert first is not None and last is not None
    head, tail = items[0][: first.start], items[-1][last.end :]
    return [f"{head}{item[f.start : f.end]}{tail}" for item, f in zip(items, figures, strict=True) if f is not None]


def _pair_places(clause: str, figures: list[Fact]) -> dict[int, str]:
    """Items a clause implies rather than lists, paired in order with its figures: the places of a
    top-N range (前三名: 第一名 -> the first of N figures), or the two halves of 城乡 (「城乡居民人均
    可支配收入分别增长4.6%和7.1%」: 城镇 4.6%, 农村 7.1%, the order official statistics use)."""
    if "城乡" in clause and len(figures) == 2:
        own = re.split(r"[，,]", clause)[-1]  # 「…,城乡居民人均可支配收入分别增长」: its own clause
        return {id(f): f"{half} {own}" for f, half in zip(figures, ("城镇", "农村"), strict=True)}
    top = _TOP_RANGE.search(clause)
    count = chinese_number(top.group(1)) if top else None
    if top is None or count is None or int(count) != len(figures) or len(figures) < 2:
        return {}
    names = [f"第{_CHINESE_DIGITS[n]}{top.group(2)}" for n in range(1, len(figures) + 1)]
    return {id(f): f"{name} {clause}" for f, name in zip(figures, names, strict=True)}


def _comma_items(clause: str) -> list[str]:
    """The items of 「交通运输仓储和邮政业、批发和零售业、…、营利性服务业及非营利性服务业」: names
    that hold 和 themselves are parted by 、 alone, and only the last joint before the last item
    (及, 和, 与) parts the last two. Tried when splitting at every 和 gives more items than figures."""
    parts = [part.strip() for part in re.split(r"[、，,]", clause) if part.strip()]
    if len(parts) < 2:
        return []
    joints = list(re.finditer(r"以及|及|和|与", parts[-1]))
    if joints:
        last = joints[-1]
        parts[-1:] = [parts[-1][: last.start()].strip(), parts[-1][last.end() :].strip()]
    return [part for part in parts if part]


def _enumeration_before(sentence: str, position: int) -> list[str]:
    """The items of the enumeration just before a respectively-marker (「2019年、2020年先后」)."""
    start = _clause_start(sentence, position, _CLAUSE_MARKS)
    items = [item.strip() for item in _ENUMERATION_ITEM_SPLIT.split(sentence[start:position]) if item.strip()]
    if items:
        last_year = list(YEAR.finditer(items[-1]))
        if last_year and len(YEAR.findall(" ".join(items[:-1]))) == len(items) - 1:
            # 「2018年、2019年和2020年分别达到」: the verb after the last year is not part of the item
            items[-1] = items[-1][: last_year[-1].end() + 1]
    return items


def _figure_runs(sentence: str, facts: list[Fact]) -> list[list[Fact]]:
    """Consecutive figures of one unit class joined only by 、和及与 (one enumeration each)."""
    runs: list[list[Fact]] = []
    for fact in facts:
        if runs:
            last = runs[-1][-1]
            between = sentence[last.quantity.end : fact.quantity.start]
            if fact.unit_class == last.unit_class and re.fullmatch(r"\s*(?:、|和|及|与|以及)\s*", between):
                runs[-1].append(fact)
                continue
        runs.append([fact])
    return [run for run in runs if len(run) >= 2]


# ----- choosing -----
#: 几个责任单位 / 多少名骨干: the noun after the question's count word and classifier is what is counted.
#: The counters a question puts after 多少/几 before the noun it counts (多少名骨干, 几个单位).
QUESTION_COUNTERS = "个|名|位|家|项|所|户|座|处|件|条|类|种|支|次|批|场|期|届|份|套|台|辆|篇|部|门"
_QUESTION_COUNTED = re.compile(rf"(?:多少|几)(?:万|亿)?(?:{QUESTION_COUNTERS})([{CJK_RANGE}]{{2,}})")
#: The Chinese noun official documents count where an English question counts these: "how many
#: lead units" counts 单位 (34个牵头单位), not the 133项 tasks beside them.
_ENGLISH_COUNTED_NOUNS = {
    "units": "单位", "departments": "部门", "enterprises": "企业", "companies": "企业", "firms": "企业",
    "projects": "项目", "tasks": "任务", "schools": "学校", "villages": "村", "bases": "基地",
    "studios": "工作室", "measures": "措施", "policies": "政策", "documents": "文件", "parks": "园区",
}
_ENGLISH_COUNTED = re.compile(
    r"how many (?:[\w-]+ ){0,3}?(" + "|".join(_ENGLISH_COUNTED_NOUNS) + r")\b", re.I
)
#: How many characters of modifier may stand before the noun a figure counts (34个牵头单位).
MODIFIER_CHARS = 4
#: Words that may stand between a figure and the noun it counts (10个左右的单位, 500余名职工).
_COUNT_FILLERS = "左右以上余多的 "
#: What follows a counted figure when it counts a noun of its own (2个村, 5家企业).
_COUNTS_A_NOUN = re.compile(rf"[{CJK_RANGE}]")


def counted_noun(question: str) -> str:
    """The noun a count question counts (「涉及几个责任单位」 -> 责任单位; "how many lead units" ->
    单位), '' when none."""
    match = _QUESTION_COUNTED.search(question)
    if match:
        return match.group(1)
    english = _ENGLISH_COUNTED.search(question)
    return _ENGLISH_COUNTED_NOUNS[english.group(1).lower()] if english else ""


def counts(fact: Fact, noun: str) -> bool:
    """Whether the figure is directly followed by the counted noun (its first two characters: the
    question may go on with a verb, 「多少家企业参与」)."""
    follows = fact.follows.lstrip(_COUNT_FILLERS)
    # or the noun heads a short phrase after it (34个牵头单位 counts 单位)
    return follows.startswith(noun[:2]) or noun in follows[: len(noun) + MODIFIER_CHARS]


def attribute_score(fact: Fact, weights: Mapping[str, float]) -> float:
    """Share of the question's (IDF-weighted) words that this fact's attribute holds."""
    total = sum(weights.values())
    if not total:
        return 0.0
    text = fact.attribute.lower()
    return sum(weight for term, weight in weights.items() if term in text) / total


#: What a question asks a figure per: 「每户奖励多少」「每人每月补多少」「每个村能拿多少」.
_PER_UNIT = re.compile(
    r"每(?:一)?(个|户|人|亩|只|头|箱|家|株|吨|公斤|千克|平方米|立方米|村|名|所|台|辆|套|项|张|次|月|年|天|件)"
)


#: The same in English: 「per mu」「per pig, cattle or sheep」「per household」 -> the Chinese unit.
_PER_UNIT_EN = re.compile(
    r"\bper[\s-]+(mu|household|family|person|head|pig|cattle|sheep|cow|chicken|duck|goose|hen|village|month|year)\b",
    re.I,
)
_ENGLISH_UNITS = {
    "mu": "亩", "household": "户", "family": "户", "person": "人", "head": "头", "pig": "头", "cattle": "头",
    "sheep": "头", "cow": "头", "chicken": "只", "duck": "只", "goose": "只", "hen": "只", "village": "村",
    "month": "月", "year": "年",
}


def per_units(question: str) -> list[str]:
    """The units a question asks a figure per (每户 -> 户, 每人每月 -> 人, 月; per mu -> 亩)."""
    english = [_ENGLISH_UNITS[word.lower()] for word in _PER_UNIT_EN.findall(question)]
    return list(dict.fromkeys(_PER_UNIT.findall(question) + english))


#: Words by which a figure is given to each of several (「3个先进镇政府分别给予10万元」).
_EACH_MARKS = ("分别", "各")


def is_per(fact: Fact, units: Sequence[str]) -> bool:
    """Whether a figure is stated per each of ``units``: 每户/每一户 or 户均 in its words, 按户, 元/户
    in its own text (625元/月/人), or given to each (分别给予, 各奖励)."""
    words = fact.attribute + fact.text + fact.follows
    if any(mark in words for mark in _EACH_MARKS):
        return True
    marks = ("每{}", "每一{}", "{}均", "按{}", "/{}")
    return all(any(mark.format(unit) in words for mark in marks) for unit in units)


#: A question asking by how much one figure exceeds another (增速超过全省多少, 高于全国多少个百分点):
#: the margin, which the sentence states after the same verb.
_ASKS_MARGIN = re.compile(r"(超过|高于|高出|低于|快于|慢于|领先)[^，,；;？?]{0,12}?(?:多少|几)")
#: The end of a place's name right before its figure in a list keyed by place (皮山县58.97万元).
_PLACE_KEY_END = re.compile(r"(?:县|市|区|旗|盟|州|镇|乡|街道|地区)[：:]?\s*$")


def place_keyed(compatible: Sequence[Fact]) -> list[Fact]:
    """The facts of a list keyed by place: two or more figures that each follow a place's name
    (「皮山县58.97万元,墨玉县118.71万元」). Empty when the figures are not keyed by places."""
    keyed = [f for f in compatible if _PLACE_KEY_END.search(f.before)]
    return keyed if len({f.quantity.value for f in keyed}) >= 2 else []


def _keyed_by_asked_place(keyed: Sequence[Fact], places: Sequence[str], question: str) -> list[Fact]:
    """The facts of a list keyed by place whose key is a place the question names (one of
    ``places``, or a name of two characters or more that the question writes: 乐山高新区, which no
    division list holds): the one right after the asked place (墨玉县) is its figure, whatever the
    words before the list (which the first figure's attribute also holds) say."""
    def named(key: str) -> bool:
        key = key.rstrip(" ：:")
        end = _PLACE_KEY_END.search(key)
        ending = len(key) - end.start() if end is not None else 1
        return any(key.endswith(form) for form in places) or any(
            key[-size:] in question for size in range(ending + 2, min(len(key), _KEY_MAX) + 1)
        )

    return [f for f in keyed if named(f.before)]


#: The longest key of a list keyed by place read back from the question (名 + ending).
_KEY_MAX = 10


def candidate_facts(
    facts: Sequence[Fact], asked: AskedFor, question: str = "", renderings: Sequence[str] = ()
) -> list[Fact]:
    """The facts that could answer: of the asked kind, and not a figure the question itself names
    (its year, its own 600亩). A question asking per something (每户奖励多少) is not answered by a
    sentence none of whose figures is stated per anything (the scheme's 奖补资金10万元); among
    figures of several rates, the rate's own words decide (``choose_fact``). ``renderings``: an
    English question's Chinese terms (GDP -> 地区生产总值), which name its indicator."""
    compatible = [f for f in facts if is_compatible(asked, f) and not f.key and not _stated_by_question(f, question)]
    chinese_counted = _QUESTION_COUNTED.search(question) if asked.kind == "count" else None
    noun = chinese_counted.group(1) if chinese_counted else ""  # (an English noun's rendering is loose)
    if noun:
        # 「共安排了多少个项目」 is not answered by 「2个村」: 个 right before another noun counts that
        compatible = [f for f in compatible if counts(f, noun) or not _counts_another_noun(f)]
    per = per_units(question)
    if per and not any(is_per(f, per) or "每" in f.attribute for f in compatible):
        return []
    if asked.kind == "amount" and (_PER_PERSON.search(question) or _PER_PERSON_EN.search(question)):
        # 人均GDP, "per person": an amount whose own words do not make it per person is a total, no
        # answer (a rate or a multiple of a per-person figure is asked and stated without 人均)
        first = next((f.quantity.start for f in facts if _PER_PERSON_FIGURE.search(f.attribute)), None)
        return [
            f for f in compatible
            if (_PER_PERSON_FIGURE.search(f.attribute) or _RESTATED.search(f.attribute)
                # 「人均地区生产总值5.18万元,比上年增加0.17万元」: a change stated after the per-person figure
                or (first is not None and f.quantity.start > first and _CHANGE_OF_BEFORE.match(f.attribute.strip())))
            and not _another_rendered_indicator(f, renderings)
        ]
    if asked.kind == "amount" and not _PER_PERSON_EN.search(question):
        # 「地区生产总值是多少」 is not answered by 「人均地区生产总值为99270元」: the per-capita
        # indicator is another figure than the total the question names
        named = question + " " + " ".join(renderings)
        compatible = [f for f in compatible if not _per_capita_of_asked(f, named)]
    return compatible


def _another_rendered_indicator(fact: Fact, renderings: Sequence[str]) -> bool:
    """Whether an English per-capita question names an indicator (per capita disposable income ->
    可支配收入) and ``fact`` is the per-capita figure of another one (人均地区生产总值)."""
    indicators = [r for r in renderings if len(r) >= INDICATOR_MIN_CHARS]
    found = _PER_CAPITA_INDICATOR.search(fact.attribute)
    if not indicators or found is None:
        return False
    own = found.group(1)[:4]
    return not any(own in r for r in renderings) and not any(r in fact.attribute for r in indicators)


#: How long a Chinese rendering must be to name an indicator (可支配收入), not a word (收入).
INDICATOR_MIN_CHARS = 4


def _per_capita_of_asked(fact: Fact, question: str) -> bool:
    """Whether ``fact`` is the per-capita form (人均…) of an indicator the question names without
    人均 (人均地区生产总值 for 地区生产总值)."""
    found = _PER_CAPITA_INDICATOR.search(fact.attribute)
    return found is not None and found.group(1)[:4] in question and "人均" not in question


#: A per-capita indicator in a figure's words: 人均 and the first words of the indicator it divides.
_PER_CAPITA_INDICATOR = re.compile(rf"人均([{CJK_RANGE}]{{4,}})")


#: A question about a per-person figure (人均GDP, per-capita income).
_PER_PERSON = re.compile(r"人均")
_PER_PERSON_EN = re.compile(r"\bper[\s-]+(?:capita|person|head)\b", re.I)
#: How a figure stating the change of the figure before it opens (比上年增加0.17万元).
_CHANGE_OF_BEFORE = re.compile(r"(?:比|较|同比|增长|增加|提高|下降|减少)")
#: The words that make a figure per person (人均GDP, 每人3000元).
_PER_PERSON_FIGURE = re.compile(r"人均|每人|每名|每位")
#: Words by which a figure restates the one before it in other units (「…27711元,按汇率计算为4295美元」).
_RESTATED = re.compile(r"折合|计算为|约合|相当于")


def _counts_another_noun(fact: Fact) -> bool:
    """Whether a figure in 个 is followed by the noun it counts (2个村): 个 counts nothing alone."""
    return fact.quantity.unit == "个" and bool(_COUNTS_A_NOUN.match(fact.follows.lstrip(_COUNT_FILLERS)))


def _stated_by_question(fact: Fact, question: str) -> bool:
    """Whether the fact is one the question itself states: its text is in the question followed
    by the same words (「在国家确定的5个技能等级基础上，增设了几个发展层级」 states 5个技能等级, not
    the sentence's 5个发展层级, which answers). A date the question names is always its own."""
    if fact.unit_class == "date":
        # 「5月11日开始的公示哪天结束」 states 2024年5月11日 too: a date is the question's own when
        # the question names its month and day
        day = re.search(r"\d{1,2}月\d{1,2}[日号]", fact.text)
        if day is not None and day.group(0) in question:
            return True
        if fact.text.endswith("年度") and fact.text[:-1] in question:
            return True  # 「2023年…的公告期」 names the 2023年度 of 「2023年度…资金分配计划」
    if fact.text not in question:
        return False
    own_words = fact.follows.lstrip(_COUNT_FILLERS)[:2]
    if fact.unit_class == "date" or not own_words:
        return True
    return any(
        THRESHOLD_AFTER.match(question, m.end())  # 5亿元以上项目: a condition, however worded after
        or question[m.end() :].lstrip(_COUNT_FILLERS)[:2] == own_words
        for m in re.finditer(re.escape(fact.text), question)
    )


def choose_fact(
    facts: Sequence[Fact],
    asked: AskedFor,
    weights: Mapping[str, float],
    question: str = "",
    words_must_decide: bool = False,
    places: Sequence[str] = (),
    renderings: Sequence[str] = (),
) -> FactChoice:
    """The compatible fact whose attribute best matches the question's words.

    ``weights`` are the question's content words (entities and question words removed) with their
    IDF. A fact whose text the question itself contains (its year, its own figure) is no answer.
    The old value of a change is chosen only when the question asks for it (原来, 此前). The choice
    is confident when it is the only value, or beats every fact of another value by
    :data:`CONFIDENCE_MARGIN`, or is the new value of a change whose old value is its only rival.
    ``words_must_decide``: confident only when the question's words themselves prefer it.
    ``renderings``: an English question's Chinese terms (see ``candidate_facts``).
    ``places``: the forms of the county- and town-level places the question names; in a list keyed
    by place (「皮山县58.97万元,墨玉县118.71万元」) the figure right after the asked place is its own.
    """
    compatible = candidate_facts(facts, asked, question, renderings)
    keyed = place_keyed(compatible)
    keyed_place = _keyed_by_asked_place(keyed, places, question)
    whole = bool(keyed) and not keyed_place
    if whole and len(keyed) < len(compatible):
        # a question naming none of the list's places asks about the whole (「中央资金共476万元」),
        # not the list's first place (皮山县58.97万元)
        compatible = [f for f in compatible if f not in keyed]
    if not compatible:
        return FactChoice(None, False)
    # Words every candidate's attribute holds (技能人才 in 技能人才总量 and 高技能人才) cannot tell them
    # apart: only the words that some candidates have and others lack decide.
    texts = [f.attribute.lower() for f in compatible]
    telling = {t: w for t, w in weights.items() if 0 < sum(t in text for text in texts) < len(texts)}
    if len(compatible) == 1:
        telling = dict(weights)

    asked_years = set(YEAR.findall(question))
    dated = asked_years and any(f.years for f in compatible)
    counted = counted_noun(question) if asked.kind == "count" else ""
    stated = [q for q in find_quantities(question) if q.kind in ("measure", "count", "amount")]
    conditions = [
        q.text for q in stated
        if THRESHOLD_AFTER.match(question, q.end) or _THRESHOLD_BEFORE.search(question, 0, q.start)
        # a figure the question states that qualifies exactly one candidate (「面额50元的有几张」 and
        # 「面额100元300张、面额50元600张」) picks it, like a threshold
        or (q.kind != asked.kind and sum(q.text in f.attribute for f in compatible) == 1)
    ]

    # Words of the figures' leads that tell them apart decide what their own words cannot.
    # Only when every candidate closes a record of its own (each has a lead of words): a figure
    # that follows another in the same clause (由1万元提高到5万元) has none.
    led = [(f.attribute + " " + f.lead).lower() for f in compatible]
    every_led = all(len(re.findall(rf"[{CJK_RANGE}]", f.lead)) >= 2 for f in compatible)
    lead_telling = {
        t: w for t, w in weights.items() if t not in telling and 0 < sum(t in text for text in led) < len(led)
    } if every_led else {}

    named_tiers = tiers_named(question)
    asked_tiers = named_tiers | asked_ranks(question)
    # a tier an English question names (rural -> 农村) is no word of its weights, as 农村 is of a
    # Chinese question's: a figure whose own words hold it is the tier's
    english_tiers = named_tiers - set(TIER.findall(question))
    per = per_units(question)
    total_asked = bool(_ASKS_TOTAL.search(question))
    margin_asked = _ASKS_MARGIN.search(question)

    def score(fact: Fact) -> float:
        value = attribute_score(fact, telling)
        if lead_telling:
            with_lead = replace(fact, attribute=fact.attribute + " " + fact.lead)
            value += LEAD_WEIGHT * attribute_score(with_lead, lead_telling)
        if fact.own.strip() and not attribute_score(replace(fact, attribute=fact.own), telling):
            value -= CONFIDENCE_MARGIN  # a part the question names none of its own words of: the total
        if fact.role == "before":
            value += 0.5 if asked.before else -0.5
        elif fact.role == "after" and not asked.before:
            value += 0.1
        if dated and fact.years:
            value += _SCOPE_WEIGHT if asked_years & set(fact.years) else -_SCOPE_WEIGHT
        if fact.bound != asked.bound:
            value -= _SCOPE_WEIGHT
        if counted and counts(fact, counted):
            value += _SCOPE_WEIGHT
        if any(tier in fact.attribute for tier in english_tiers):
            value += _SCOPE_WEIGHT
        if fact.tier and fact.tier in asked_tiers:
            # 「按照国家级、省级、市级获奖类别，分别给予10万元、8万元、5万元」 for 「按市级…给予多少」: the
            # tier the question names is the figure's own, paired by 分别
            value += DECIDING_BONUS
        if per and is_per(fact, per):
            value += _SCOPE_WEIGHT  # stated per what the question asks per (每只 for 每只)
        if margin_asked and margin_asked.group(1) in fact.attribute:
            value += DECIDING_BONUS  # 「增速超过全省多少」: 超过全省0.4个百分点, not the growth rate itself
        if fact in keyed_place:
            value += DECIDING_BONUS  # 「墨玉县118.71万元」 for 「分配给墨玉县多少」, not the list's first figure
        if total_asked and _ASKS_TOTAL.search(fact.attribute):
            value += DECIDING_BONUS  # 「资金共计多少」: 共计16.5万元, not the 每人3000元 it sums
        if any(condition in fact.attribute for condition in conditions):
            # 「300亩以上的补助2万元」 for a question about the 300亩以上 tier: the stated threshold
            # outweighs any match of words (the first tier's 示范方补助).
            value += DECIDING_BONUS
        return value

    ranked = sorted(compatible, key=lambda f: (-score(f), f.quantity.start))
    best = ranked[0]
    rivals = [f for f in ranked[1:] if f.quantity.value != best.quantity.value]
    if whole and best in keyed:
        return FactChoice(best, False, score(best), compatible)  # one place's figure, not the whole's
    if len({f.quantity.value for f in keyed_place}) == 1 and keyed_place[0] in compatible:
        # the asked place's key decides, whatever tier or lead words the list's first item holds
        # (「中央…资金皮山县58.97万元,墨玉县118.71万元」 for Moyu County's central funds)
        return FactChoice(keyed_place[0], True, score(keyed_place[0]), compatible)
    if not rivals:
        return FactChoice(best, True, score(best), compatible)
    margin = score(best) - score(rivals[0])
    confident = margin >= CONFIDENCE_MARGIN
    undecided = attribute_score(best, telling) <= attribute_score(rivals[0], telling)
    new_over_old = best.role == "after" and rivals[0].role == "before"
    # 「不得低于35%」 for "what is the minimum share": the question itself asks for the limit
    limit_asked = asked.bound and best.bound and not rivals[0].bound
    # "how many lead units": the figure that counts 单位 (34个牵头单位), not the 133项 beside it
    noun_counted = bool(counted) and counts(best, counted) and not counts(rivals[0], counted)
    worded_rival = max(rivals, key=lambda f: attribute_score(f, telling))
    if (
        dated and asked_years & set(best.years) and not asked_years & set(worded_rival.years)
        and attribute_score(worded_rival, telling) > attribute_score(best, telling) + CONFIDENCE_MARGIN
    ):
        # 「2024年…人均可支配收入为86702元,2025年义务兵家庭优待金标准为39016元」 for the 2024 优待金:
        # the year points at one figure and the words at another — the asked figure is not given
        confident = False
    if words_must_decide and undecided and not new_over_old and not limit_asked and not noun_counted:
        # An English question's words reach the Chinese attributes only through translations: a
        # choice they do not make (by position or a year alone) is not trusted; the new value of a
        # change over its old one is, as in Chinese.
        confident = False
    return FactChoice(best, confident, score(best), compatible)
