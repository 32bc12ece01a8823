"""What a question asks for: the kind of answer, and the entities it is about.

The kind (amount, count, percent, date, person, place, organisation) decides which exact span the
extractive backend returns as the short answer. The entities (places, years, quoted programme
names) are what the evidence must mention: a question about 齐齐哈尔 answered from a sentence about
哈尔滨 is a wrong answer, however similar the sentences look, so such answers are refused instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from rag.answering.facts import ENGLISH_WHEN, INDICATOR_MIN_CHARS, AskedFor, asked_for, asked_through_renderings
from rag.text.dictionary import EnglishChinese, packaged_dictionary, words_of
from rag.text.glossary import Glossary
from rag.text.language import detect_language
from rag.text.localities import localities_in
from rag.text.numbers import chinese_number, english_ordinals, ordinals_in
from rag.text.patterns import CJK, CJK_RANGE, DOCUMENT_NOUNS, PERSON_TITLES, years_named
from rag.text.places import Gazetteer, Place, PlaceMention, prefer_places
from rag.text.quantities import Quantity, find_quantities
from rag.text.shapes import asked_shape

AnswerKind = Literal[
    "amount", "count", "percent", "date", "duration", "measure", "ordinal", "person", "place", "org",
    "docnumber", "name", "list", "fact",
]
#: Kinds whose answer is a typed figure (see ``rag.answering.facts``).
FIGURE_KINDS = ("amount", "count", "percent", "date", "duration", "measure")

#: What a person is called in a question about a person's name (「这位劳模叫什么名字」).
_PERSON_NOUNS = f"人|者|选手|冠军|{PERSON_TITLES}"
#: Nouns that make 「哪个…」 a question about an organisation (哪个省直部门, 哪家快递企业).
_ORG_NOUNS = "单位|部门|机构|组织|企业|公司|机关|协会|学会|集团|医院|学校|高校|大学|银行|工会|政府|厂"
#: Words that ask for several things (哪些部门, 包括哪): a list.
_LIST_WORDS = re.compile(r"哪些|哪几|包括什么|包括哪|分别是|what are the|which are the|\blist\b", re.I)
# Order matters: the first pattern that matches decides the kind.
_KIND_PATTERNS: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("docnumber", re.compile(r"文号|发文字号|发文号|文件编号|document number|reference number", re.I)),
    ("ordinal", re.compile(
        r"第几|哪一届|哪届|哪一批|哪批|名次|排名|which (edition|session|round)|what (rank|ranking)"
        r"|\b(?:where|how high|how low) (?:did|does|do|was|is|were) [\w'’ -]{1,60}? rank(?:ed)?\b", re.I
    )),
    ("percent", re.compile(
        r"百分之|百分比|比例|占比|比重|增长率|多少%|percent|percentage|proportion|share of", re.I
    )),
    ("amount", re.compile(
        r"多少钱|多少元|多少万元|多少亿元|金额|资金|经费|奖金|"
        r"how much|salary|wage|subsidy|allowance|bonus|funding", re.I
    )),
    ("date", re.compile(
        r"什么时候|何时|哪一年|哪年|哪天|哪一天|几月|日期|"
        rf"{ENGLISH_WHEN}|what year|which year|what date|which date|what day", re.I
    )),
    # 「哪几个村」 asks which, not how many: a list
    ("count", re.compile(r"多少|(?<!哪)(?:几个|几名|几家|几项|几批|几所|几次)|how many|number of", re.I)),
    # 「归谁统一管理」「谁来管」「谁负责审批」: in a 公文 the party that manages or approves is a unit
    ("org", re.compile(
        r"归谁|谁(?:来)?(?:统一)?(?:负责|管理?|审批|审核|监管|主管|核定|认定)"
    )),
    ("person", re.compile(
        rf"谁|哪位|什么人|姓名|(?:{_PERSON_NOUNS})(?:叫什么|的名字)|\bwho\b|\bwhom\b|\bwhose\b", re.I
    )),
    # The name of a thing (an app, a brand, a campaign, a slogan): in official documents such names
    # stand in quotation marks (“龙工之家”), which is where the short answer is found.
    ("name", re.compile(
        r"叫什么|什么名字|名字是|名称是|什么名称|称为什么|称作什么|被称为|誉为什么|命名为|口号是|主题是|"
        r"what is (?:it|the \w+(?: \w+)?) called|what (?:is|was) the name|\bnamed\b|\bslogan\b|\btheme\b", re.I
    )),
    ("org", re.compile(
        rf"哪(?:个|家|一家|一个|些|所)[{CJK_RANGE}]{{0,4}}?(?:{_ORG_NOUNS})|哪家|什么单位|什么组织|什么机构|牵头|"
        r"which (organi[sz]ation|company|department|agency|unit|body)|what (organi[sz]ation|company|body)", re.I
    )),
    ("place", re.compile(
        r"哪里|在哪|哪个(?:省|市|城市|县|区)(?![直级属委厅局])|什么地方|\bwhere\b"
        r"|which (?:[\w'’-]+ ){0,2}?(?:city|province|county|district|town)\b", re.I
    )),
    ("list", _LIST_WORDS),
]

#: 「什么X」 / 「怎样的X」 at the end of a question or before its verb: X is what the answer names.
_HEAD_NOUN = re.compile(
    rf"(?:什么样的|怎样的|(?<!为)什么|哪种|何种)([{CJK_RANGE}]{{1,6}}?)(?=[，,？?。]|$|呢|吗|来|以|用于|进行|作为|的|、)"
)
#: Heads that say what kind of answer is wanted rather than name a thing (什么时候, 什么意思).
_NOT_HEADS = frozenset("时候 时间 意思 作用 意义 原因 问题 情况 内容 东西 地方 人 样 呢".split())
_QUOTED = re.compile(r"[《“\"]([^》”\"]{2,30})[》”\"]")


#: Figures that are not qualifiers: years and dates (checked as years), editions (第十八届).
_NOT_QUALIFIERS = ("date", "ordinal")


#: Counters of sessions and meetings (十三届全国人大, 十二届八次全会): names of editions, not figures.
_EDITION_COUNTERS = frozenset("届次")
#: A figure right after these is what the question asks about (哪两个省份, 这三支队伍), not a qualifier.
_ASKING_BEFORE = tuple("哪几这那该")
_QUOTES = "“「『《\""


def qualifying_figures(question: str) -> list[Quantity]:
    """The figures a Chinese question states as qualifiers (600亩以上, 5亿元以上): not dates or
    editions, not the figure a question word asks about (哪两个), not a figure in or right before
    a quoted name (“五个百万”, 两个“10”), which is part of that name."""
    quoted = [m.span(1) for m in _QUOTED.finditer(question)]
    figures = []
    for q in find_quantities(question):
        if q.kind in _NOT_QUALIFIERS or q.value is None or q.unit in _EDITION_COUNTERS:
            continue
        if question[: q.start].endswith(_ASKING_BEFORE) or question[q.end : q.end + 1] in _QUOTES:
            continue
        if any(start <= q.start and q.end <= end for start, end in quoted):
            continue
        figures.append(q)
    return figures


@dataclass
class QuestionAnalysis:
    """The parsed question: language, expected answer kind and the entities it is about."""

    text: str
    language: Literal["zh", "en"]
    kind: AnswerKind
    places: list[PlaceMention] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    #: Years that name the report the question reads from, not the figure's year
    #: (「黎平县2023年政府工作报告提到，…」 asks the 2023 report, whose figures are mostly 2022's):
    #: the document's own year must be one of them. A year also named on its own stays in ``years``.
    report_years: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    ordinals: list[str] = field(default_factory=list)  # canonical editions: '18届'
    # Chinese terms an English question stands for (place names, glossary terms); empty for Chinese.
    expansions: list[str] = field(default_factory=list)
    # The figure the question asks for (kind, unit classes, old or new value); None for questions
    # about people, organisations, places, lists or facts.
    asked: AskedFor | None = None
    # For an English question: general Chinese words for its English words (CC-CEDICT), used as
    # extra question words when scoring sentences and choosing figures, never for retrieval.
    translations: list[str] = field(default_factory=list)
    #: the same words grouped by the English phrase they render (one list per phrase)
    translated_phrases: list[list[str]] = field(default_factory=list)
    #: The towns (镇, 乡, 街道) a Chinese question names, outside its larger places (徐行镇 of 嘉定徐行镇).
    towns: list[str] = field(default_factory=list)
    # The noun a 「什么X」 question asks about (组建了什么宣讲团 -> 宣讲团): the answer is an X the
    # documents name (百名劳模宣讲团). Empty when the question has none.
    head: str = ""
    # Figures the question states as qualifiers (集中连片600亩以上, 5亿元以上项目): the evidence
    # must state the same figure; a sentence about 300亩以上 answers another question.
    figures: list[Quantity] = field(default_factory=list)
    # For an English question: its checked machine translation into Chinese (rag.llm.translation),
    # whose words are also in ``expansions``; empty when there is none.
    translation: str = ""
    # How many things a list question asks for (「哪三支通道」 -> 3, 「“四项机制”是什么」 -> 4); 0
    # when it does not say.
    list_size: int = 0
    # The shape of answer the question asks for (phone, fax, email, postcode, website, ratio;
    # rag.text.shapes): its answer is a value of that shape, never a figure. None for others.
    shape: str | None = None

    @property
    def place_names(self) -> set[str]:
        """Every form in which the question's places are named (河北省 and 河北): constraints the
        entity guard checks, never the answer and never evidence by themselves."""
        return {m.surface for m in self.places} | {m.place.name for m in self.places}

    @cached_property
    def rendered_terms(self) -> list[str]:
        """An English question's Chinese terms (GDP -> 地区生产总值) without the names of its places;
        empty for a Chinese question. Worked out once: every sentence's figures are read by them."""
        if self.language != "en":
            return []
        places = {m.place.name for m in self.places}
        return [term for term in self.expansions if term not in places]

    @cached_property
    def indicator_terms(self) -> list[str]:
        """The rendered terms long enough to name an indicator (社会消费品零售总额, 可支配收入; not 收入)."""
        return [t for t in self.rendered_terms if len(t) >= INDICATOR_MIN_CHARS and CJK.search(t)]

    @cached_property
    def local_place_forms(self) -> list[str]:
        """The Chinese forms of the county- and town-level places the question names (墨玉县, 墨玉):
        the keys a list of figures by place is read by (``choose_fact``)."""
        forms = [
            form for mention in self.places if mention.place.level == "county"
            for form in (mention.place.name, *mention.place.surface_forms) if not form.isascii()
        ]
        return list(dict.fromkeys([*forms, *self.towns]))


def _without_places(question: str, places: Sequence[PlaceMention]) -> str:
    """``question`` with each place mention blanked out (same length)."""
    for mention in places:
        end = mention.start + len(mention.surface)
        question = question[: mention.start] + " " * len(mention.surface) + question[end:]
    return question


class QuestionAnalyzer:
    """Classifies questions and extracts their entities with one gazetteer."""

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        glossary: Glossary | None = None,
        dictionary: EnglishChinese | None = None,
    ) -> None:
        self.gazetteer = gazetteer or Gazetteer()
        self.glossary = glossary or Glossary()
        self.abbreviations = Glossary.abbreviations()
        self.general_terms = Glossary.general_terms()
        self._dictionary = dictionary

    def dictionary(self) -> EnglishChinese:
        """The English-Chinese dictionary, loaded on the first English question."""
        if self._dictionary is None:
            self._dictionary = packaged_dictionary()
        return self._dictionary

    def analyze(
        self, question: str, follow_up: str | None = None, known_place: Callable[[Place], bool] | None = None
    ) -> QuestionAnalysis:
        """The analysis of ``question`` (the standalone question). When it was resolved from a
        ``follow_up`` that asks for a figure of its own (「涉及几个责任单位？」 after 「…有多少项任务？」),
        the follow-up's figure is what is asked for, not the previous question's. ``known_place``
        says which places the documents at hand are about: an English name that reads alike for
        two places (Pujiang) means the one they know."""
        analysis = self._analyze(question, known_place)
        if follow_up and follow_up != question:
            own = asked_for(follow_up)
            if own is not None:
                analysis.asked = own
                analysis.kind = own.kind  # type: ignore[assignment]
        return analysis

    def with_translation(self, analysis: QuestionAnalysis, translation: str) -> QuestionAnalysis:
        """The English question's analysis with the Chinese words of its ``translation`` added to
        ``expansions`` (retrieval, question terms, fact choice). Its places, years and editions stay
        the English question's own: a translation cannot change what the entity guard checks, and
        a place the translation names that the question does not (a mistranslated 胜利油田 ->
        大庆油田) is cut out of the added words, so it does not pull in another place's passages."""
        own = [m.place for m in analysis.places]
        words = translation
        for mention in sorted(self.gazetteer.find(translation), key=lambda m: -m.start):
            if not any(self.gazetteer.encloses(mention.place, place) for place in own):
                words = words[: mention.start] + " " + words[mention.start + len(mention.surface) :]
        added = [w.strip() for w in words.split(" ") if w.strip()]
        return replace(
            analysis,
            translation=translation,
            expansions=list(dict.fromkeys([*analysis.expansions, *added])),
        )

    def agrees(self, question: QuestionAnalysis, translated: QuestionAnalysis) -> bool:
        """Whether the analysis of a translated question is about what the English question is
        about: every place of the question named by the translation and no other place (the
        translation may add an enclosing one: Harbin -> 黑龙江省哈尔滨市), the same years and editions."""
        own = [m.place for m in question.places]
        theirs = [m.place for m in translated.places]
        named = all(any(self.gazetteer.encloses(place, o) and self.gazetteer.encloses(o, place)
                        for place in theirs) for o in own)
        no_other = all(any(self.gazetteer.encloses(place, o) for o in own) for place in theirs)
        return (
            named and no_other
            and set(question.years) == set(translated.years)
            and set(question.ordinals) == set(translated.ordinals)
        )

    def _analyze(self, question: str, known_place: Callable[[Place], bool] | None = None) -> QuestionAnalysis:
        kind: AnswerKind = "fact"
        for candidate, pattern in _KIND_PATTERNS:
            if pattern.search(question):
                kind = candidate
                break
        # A figure kind is decided by what the question asks for (多少, 何时, 几年): a question
        # that merely mentions 资金 but asks 由哪个会议审定 asks for no figure.
        asked = None
        size = list_size(question)
        if size:
            kind = "list"
        elif kind in ("amount", "count", "percent", "date", "fact"):
            asked = asked_for(question)
            # 「补贴资金由哪个部门拨付」 mentions 资金 but asks 哪个部门: the kind the rest of the
            # question asks for, when it asks for no figure
            kind = asked.kind if asked is not None else _kind_asked_besides_figures(question)  # type: ignore[assignment]
        places = self.gazetteer.find(question)
        if known_place is not None:
            places = prefer_places(places, known_place)
        language = detect_language(question)
        if language == "en":
            places = [m for m in places if not _ENGLISH_NAME_GOES_ON.match(question, m.start + len(m.surface))]
        expansions: list[str] = self.abbreviations.expand(question)
        if language == "en":
            renderings = self.glossary.expand(question) + self.general_terms.expand(question)
            expansions = list(dict.fromkeys([m.place.name for m in places] + renderings + expansions))
            if asked is None and kind == "fact" and not size:
                asked = asked_through_renderings(question, renderings)
                kind = asked.kind if asked is not None else kind  # type: ignore[assignment]
        # a place's English name is no phrase to translate (Hangjin Rear Banner: no 饲养 or 旌旗)
        phrases = self.dictionary().translate_phrases(_without_places(question, places)) if language == "en" else []
        return QuestionAnalysis(
            text=question,
            language=language,
            kind=kind,
            places=places,
            years=years_named(_REPORT_NAMED.sub(" ", question)),
            report_years=list(dict.fromkeys(
                m.group(1) or m.group(2) or m.group(3) for m in _REPORT_NAMED.finditer(question)
            )),
            # Only Chinese quotations: an English question's "Great Craftsmen" cannot occur verbatim
            # in Chinese documents.
            quoted=[q for q in dict.fromkeys(_QUOTED.findall(question)) if CJK.search(q)],
            ordinals=list(dict.fromkeys(
                ordinals_in(question) + english_ordinals(question)
            )),
            expansions=expansions,
            asked=asked,
            head=_head_noun(question),
            figures=qualifying_figures(question) if language == "zh" else [],
            translations=words_of(phrases),
            translated_phrases=phrases,
            towns=localities_in(question, [(m.start, m.start + len(m.surface)) for m in places]),
            list_size=size,
            shape=asked_shape(question),
        )


def _kind_asked_besides_figures(question: str) -> AnswerKind:
    """The organisation, person or name the question's words ask for besides a figure's words,
    else "fact". Not for 「哪些部门」 (several units, quoted as the sentence lists them) nor for
    「送到哪里」 (in a 公文 usually an office, not a place of the gazetteer)."""
    if _LIST_WORDS.search(question):
        return "fact"  # 哪些 / 哪几: a list
    for candidate, pattern in _KIND_PATTERNS:
        if candidate in ("org", "person", "name") and pattern.search(question):
            return candidate
    return "fact"


#: A question that counts the things it asks for: 「哪三支」「哪两个省份」「哪“四个体系”」, or
#: 「“四项机制”是什么」「两个“10”分别指什么」.
#: The counters of the things a list question or sentence counts (哪两项, 三支, 四个体系).
LIST_COUNTERS = "个|项|支|类|种|大|条|方面|家|位|名|所|批"
_LIST_SIZE = re.compile(
    rf"哪\s*[“「\"]?(?P<which>[两二三四五六七八九十]|\d{{1,2}})(?:{LIST_COUNTERS})"
    r"|[“「\"]?(?P<named>[两二三四五六七八九十]|\d{1,2})(?:个|项|支|类|种|大|条|方面)[^，,。？?]{0,10}?[”」\"]?"
    r"(?:是什么|是哪些|分别是|分别指|指什么|包括哪些|有哪些)"
)


#: A year naming a report rather than a figure: 「2023年政府工作报告」「2022年黎平县人民政府工作报告」
#: 「2019年统计公报」 (the words between are the report's place or 的, never a figure or another year).
_REPORT_NAMED = re.compile(
    r"((?:19|20)\d{2})年(?:[^\d年月，,。？?、]{0,10}?)(?:政府工作报告|统计公报)"
    # 「按密云县2004年办法」: a 公文 named by its year right before its kind
    r"|((?:19|20)\d{2})年(?=[^\d年月，,。？?、]{0,6}?(?:办法|通知|方案|意见|细则|规定|决定|公告|公示|批复)(?!书))"
    # the same in English: "its 2019 government work report", "the 2021 statistical bulletin"
    # (the year right before the report's name: in "GDP for 2025 according to its government work
    # report" 2025 is the figure's year)
    r"|\b((?:19|20)\d{2})\s+(?:government\s+work\s+report|statistical\s+(?:bulletin|communiqu[eé]))",
    re.I,
)


#: 「Harbin Electric Group」「Jiamusi Electric Machine Co.」: a place word that a name of an
#: organisation goes on from is part of that name, not the place the question is about.
_ENGLISH_NAME_GOES_ON = re.compile(
    r"(?:\s+[A-Z][\w&'’.-]*){0,3}?\s+(?:Group|Co\b|Co\.|Company|Corporation|Corp\b|Ltd|Limited|University|"
    r"College|Bank|Hospital|Factory|Plant|Oilfield|Railway|Works|Mill|Mine|Institute)\b"
)


def list_size(question: str) -> int:
    """How many things ``question`` asks to be listed (see :data:`_LIST_SIZE`), 0 when it does not
    say: the answer is then an enumeration of exactly that many items."""
    match = _LIST_SIZE.search(question)
    if match is None:
        return 0
    value = chinese_number(match.group("which") or match.group("named"))
    return int(value) if value is not None and 2 <= value <= 12 else 0


#: 「依据的是哪个文件」「出台了哪份意见」: a question asking which document; its X is the head too.
_WHICH_DOCUMENT = re.compile(
    rf"(?:哪个|哪份|哪一份|哪部|哪一个)([{CJK_RANGE}]{{0,4}}?(?:{DOCUMENT_NOUNS}))(?=[，,？?。]|$|呢|吗)"
)


def _head_noun(question: str) -> str:
    """The X of 「什么X」 (or of 「哪个X」 for a document) when it names a kind of thing (宣讲团,
    学院, 纽带, 文件), else ''. A question that asks two such things (实施什么工程、构建了什么体系)
    has no single head."""
    heads = _HEAD_NOUN.findall(question) + _WHICH_DOCUMENT.findall(question)
    if len(heads) != 1 or any(heads[0].startswith(word) for word in _NOT_HEADS):
        return ""
    return str(heads[0])
