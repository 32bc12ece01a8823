"""Checking that evidence is about what the question is about.

The costliest error for an official is a figure borrowed from another city, county, year or
edition. Similar passages exist for every place, so retrieval scores alone cannot tell 齐齐哈尔's
figure from 哈尔滨's, or 文水县's from 交城县's. The guard demands that each place, year, edition and
quoted programme name of the question be supported by the evidence sentence, its paragraph or its
heading -- or, for a place, by the document itself: a document is about the place its title or
issuing body names (岳阳市君山区民政局关于… is about 君山区), which is what 「我市」「本县」「全区」
in its body mean. A province may also be satisfied by the province a report names most (a
Heilongjiang report says 全省 in most sentences). A place the question names only to qualify
another (山西省交城县) is satisfied when the place it encloses is.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable

from rag.answering.facts import THRESHOLD_AFTER
from rag.answering.question import QuestionAnalysis
from rag.schema import Document
from rag.text.localities import localities_in
from rag.text.numbers import ordinals_in
from rag.text.patterns import CJK_RANGE, PUBLICATION, TIER, YEAR_RANGE, tiers_named, years_named
from rag.text.places import Gazetteer, Place, main_province, same_place
from rag.text.quantities import Quantity, find_quantities, unit_class

_SPACE = re.compile(r"\s+")
#: How a document refers to its city: in a district's or county's document, the city it lies in.
_CITY_SELF_REFERENCE = re.compile(r"本市|我市")
#: A full date in a question: its year and its month and day (2021年4月6日 -> 2021, 4月6日).
_FULL_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2}月\d{1,2}日)")
#: The rest of an enterprise's name after a place (哈尔滨|红光锅炉有限公司): a brand, then the kind.
_ENTERPRISE_AFTER = re.compile(rf"[{CJK_RANGE}]{{2,16}}?(?:有限责任公司|股份有限公司|有限公司|公司|集团|厂)")


def paragraph_around(text: str, start: int, end: int, previous: int = 0) -> str:
    """The paragraph that contains ``text[start:end]``, with ``previous`` non-blank paragraphs
    before it."""
    left = text.rfind("\n", 0, start) + 1
    for _ in range(previous):
        cursor = left - 1
        while cursor > 0 and text[cursor - 1] in "\n \t\u3000":
            cursor -= 1
        if cursor <= 0:
            break
        left = text.rfind("\n", 0, cursor) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)]


#: A document number (金政发〔2021〕7号, 岳民发[2019]32号): its year says when a cited document
#: was issued, not which year a figure belongs to.
_DOCUMENT_NUMBER = re.compile(r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d*\s*号?")


#: The title of a document a text cites, in book-title marks.
_CITED_TITLE = re.compile(r"《([^《》]{1,80})》")


def _uncited(text: str, quoted: list[str]) -> str:
    """``text`` without the titles it cites (same length), except those the question quotes —
    when it names a year of its own besides them; a text whose only years are its cited titles'
    (「政策依据:《…关于2024年全区社会救助标准有关事宜的通知》」) is dated by them."""
    uncited = _CITED_TITLE.sub(lambda m: m.group(0) if m.group(1) in quoted else " " * len(m.group(0)), text)
    return uncited if years_in(uncited) else text


def years_in(text: str) -> set[str]:
    """Years a text names, ranges expanded (2019—2021年 names 2019, 2020 and 2021); the years of
    document numbers are left out."""
    text = _DOCUMENT_NUMBER.sub(" ", text)
    years = set(years_named(text))
    for first, last in YEAR_RANGE.findall(text):
        if 0 <= int(last) - int(first) <= 20:
            years.update(str(y) for y in range(int(first), int(last) + 1))
    return years


#: A list item's label before its colon (「3、单季晚稻示范方:集中连片400亩以上…」): the item the
#: item's figures belong to.
_ITEM_LABEL = re.compile(
    rf"^\s*(?:\d{{1,2}}[、.．]|[（(][一二三四五六七八九十\d]{{1,3}}[）)]|[一二三四五六七八九十]{{1,3}}、)\s*"
    rf"([{CJK_RANGE}“”\"]{{2,16}}?)[:：]"
)
#: How many closing characters of an item's label name its kind (示范方 of 早稻示范方).
_LABEL_HEAD = 3


#: A day or month a question names (5月11日通知, 5月份那次公示, 6月28日重新核定).
_QUESTION_DAY = re.compile(r"(?<!\d)(\d{1,2})月(?:(\d{1,2})[日号]|份)|(?<=年)(\d{1,2})月(?![\d日号份])")
#: Months written in Chinese numerals (十一月), as dates in 公文 signatures are.
_CHINESE_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


def _missing_days(question: str, document_text: str) -> list[str]:
    """The days (or months) the question names that the document never mentions. Two editions of
    one notice (the 5月11日 and the 6月28日 公示) differ in little but their dates: a question
    naming one edition's date is not about a document that never names that date."""
    missing = []
    for match in _QUESTION_DAY.finditer(question):
        month, day = int(match.group(1) or match.group(3)), match.group(2)
        if not 1 <= month <= 12:
            continue
        written = rf"(?<!\d){month}月{int(day)}[日号]" if day else rf"(?<!\d){month}月"
        if not day:
            # a month of a year (2017年11月) may be written in numerals: 十一月, not the 一月 of 十一月
            written += rf"|(?<![一二三四五六七八九十〇○O零]){_CHINESE_MONTHS[month - 1]}月"
        if not re.search(written, document_text):
            missing.append(match.group(0))
    return missing


def _rival_label(question: str, sentence: str) -> list[str]:
    """The question's item when the sentence is a list item about a sibling: its label ends with
    the kind the question names (单季晚稻示范方, 示范方) but the words the question puts before that
    kind (油菜) are nowhere in the sentence. Each item of a 公文 list has its own figures."""
    label = _ITEM_LABEL.match(sentence)
    if label is None:
        return []
    name = re.sub(r"[“”\"]", "", label.group(1))
    head = name[-_LABEL_HEAD:]
    at = question.find(head)
    if len(name) <= _LABEL_HEAD or name in question or at < 2:
        return []
    modifier = question[at - 2 : at]
    if not re.fullmatch(rf"[{CJK_RANGE}]{{2}}", modifier) or modifier in sentence:
        return []
    return [modifier + head]


#: Bounds that keep the figures below a threshold (50人以下, 不满一年); the others keep those above.
_UPPER_BOUNDS = ("以下", "以内", "不足", "不满")


def _bound_side(bound: str) -> str:
    return "below" if bound.endswith(_UPPER_BOUNDS) else "above"


def _opposite_bound(question: str, figure: Quantity, sentence: str) -> bool:
    """Whether the sentence states the question's threshold only with the other bound: 「日供水能力
    在100立方米以下…由村委会管理」 is not about the works of 100立方米以上."""
    asked = THRESHOLD_AFTER.match(question, figure.end)
    if asked is None:
        return False
    compact = _SPACE.sub("", sentence)
    sides = {
        _bound_side(bound.group(0))
        for q in find_quantities(compact)
        if q.value == figure.value and unit_class(q) == unit_class(figure)
        and (bound := THRESHOLD_AFTER.match(compact, q.end)) is not None
    }
    return bool(sides) and _bound_side(asked.group(0)) not in sides


#: A government work report's year, from its title or first line (2022年政府工作报告).
_REPORT_YEAR = re.compile(r"((?:19|20)\d{2})年[^\n。]{0,16}?政府工作报告")
#: Words by which a report's review looks back on the past year.
_LOOKS_BACK = re.compile(r"过去(?:的)?一年|一年来|即将过去的一年")


#: How much of a document's start states what it is about (edition, programme) for all of it.
OPENING_CHARS = 200
#: A report's dateline near its top: 「(2023年1月6日在县第十八届人民代表大会第二次会议上)」.
_TOP_DATELINE = re.compile(r"^[\s(（—-]*((?:19|20)\d{2})年\d{1,2}月\d{1,2}日\s*在[^\n]{2,40}?(?:会议上|$)")
#: A bulletin's lead 「2023年,在县委、县政府的坚强领导下,…」: the year all its 全年 figures are of.
_LEAD_YEAR = re.compile(r"^\s*((?:19|20)\d{2})年\s*[,，]")
#: How many lines from the top a dateline or lead is looked for (title, dateline, speaker, lead).
TOP_LINES = 5


def _top_lines(document: Document) -> list[str]:
    return document.text.split("\n", TOP_LINES)[:TOP_LINES]


def report_year(document: Document) -> str | None:
    """The year of a government work report: from its title or first line (2022年政府工作报告),
    else from its dateline (a title 「政府工作报告」 over 「(2023年1月6日在…会议上)」)."""
    lines = _top_lines(document)
    found = _REPORT_YEAR.search(document.title) or _REPORT_YEAR.search(lines[0] if lines else "")
    if found:
        return found.group(1)
    dated = next((m for m in map(_TOP_DATELINE.match, lines) if m), None)
    return dated.group(1) if dated else None


def lead_year(document: Document) -> str | None:
    """The year a document's lead opens with (「2023年,在县委…」), which a statistical bulletin
    whose title names no year states for all its figures; None without one."""
    found = next((m for m in map(_LEAD_YEAR.match, _top_lines(document)) if m), None)
    return found.group(1) if found else None


def own_years(document: Document, lead: str | None) -> set[str]:
    """The years a document is of as a whole: its title's, its report dateline's and ``lead``, the
    year its lead opens with (``lead_year``); failing all of these, the year it is dated. A question
    that names a report's year (「2023年政府工作报告里…」) is answered by that report."""
    years = years_in(_SPACE.sub("", document.title))
    years |= {year for year in (report_year(document), lead) if year}
    dated = document.meta.date[:4]
    if not years and dated and years_in(_SPACE.sub("", document.text[:OPENING_CHARS])) <= {dated}:
        # a 公文 whose title and opening name no year (「…关于同意…实施方案的批复」) is of the year
        # it is dated (its 成文日期 under the signature, or its 发文日期 field); one whose opening
        # names another year (「2010年全省…竞赛活动」 in a notice of 2011) is about that year's doings
        years.add(dated)
    return years


def reviewed_year(document: Document, context: str) -> str | None:
    """The year a work report's review speaks of, when ``context`` (a sentence's paragraph and
    heading) looks back on the past year: the report of 2022 reviews 2021 (「一年来，…增长7%」)."""
    if not _LOOKS_BACK.search(context):
        return None
    year = report_year(document)
    return str(int(year) - 1) if year else None


#: 「城镇居民」「农村常住居民」: the urban or rural half of a resident figure a question asks about.
_RESIDENT_TIER = re.compile(r"(城镇|农村|城市)(?:常住)?居民")
#: 居民 with no urban/rural tier before it (「全体居民」「居民人均可支配收入」): all residents; 「城、乡居民」
#: and 「城乡居民」 are the two tiers side by side.
_ALL_RESIDENTS = re.compile(r"(?<![城乡镇村市住])居民|全体(?:常住)?居民")


def _missing_resident_tier(question: str, sentence: str) -> list[str]:
    """The urban or rural tier of residents the question asks about (城镇居民人均可支配收入) when the
    sentence gives the figure of all residents instead (「全体居民人均可支配收入25977元」「居民人均
    可支配收入4.6万元」): bulletins print the three figures apart, and all residents' is neither."""
    asked = _RESIDENT_TIER.search(question)
    if asked is None or _RESIDENT_TIER.search(sentence) or not _ALL_RESIDENTS.search(sentence):
        return []
    return [asked.group(0)]


class EntityGuard:
    """Says which of a question's entities a piece of evidence fails to mention."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._main_province: dict[str, str | None] = {}
        self._home: dict[str, Place | None] = {}
        self._towns_of: dict[str, list[str]] = {}
        self._years_of: dict[str, tuple[set[str], str | None]] = {}

    def main_province(self, document: Document) -> str | None:
        """The province a document is mostly about (cached per content hash)."""
        key = document.content_hash or document.doc_id
        if key not in self._main_province:
            self._main_province[key] = main_province(self.gazetteer, document)
        return self._main_province[key]

    def _document_years(self, document: Document) -> tuple[set[str], str | None]:
        """A document's ``own_years`` and ``lead_year``, worked out once per content hash."""
        key = document.content_hash or document.doc_id
        if key not in self._years_of:
            lead = lead_year(document)
            self._years_of[key] = (own_years(document, lead), lead)
        return self._years_of[key]

    def home(self, document: Document) -> Place | None:
        """The place a document is about (its title's or issuing body's), cached per content hash."""
        key = document.content_hash or document.doc_id
        if key not in self._home:
            self._home[key] = self.gazetteer.document_place(document)
        return self._home[key]

    def missing(
        self, analysis: QuestionAnalysis, document: Document, start: int, end: int,
        before_answer: str | None = None, answer_words: str | None = None,
    ) -> list[str]:
        """The question's entities that the evidence sentence ``document.text[start:end]`` lacks.

        The sentence decides first: if it names another place of the same level, or other years
        or editions (第十七届) but not the asked ones, it is about something else. Only a sentence
        silent on the matter is judged by its context (this and the previous paragraph, the
        heading; for provinces and years also the title), since reports name the subject once and
        then say 全省 or 这一年. ``before_answer`` is the sentence's text up to the answer span when
        it is known: places named after the answer are where something went, not whose figure it
        is (「选派162人次赶赴上海、贵阳支援」 is still the county's figure).
        """
        sentence = document.text[start:end]
        # the headings above the sentence, the item's own too (「(一)兴仁镇川裕村渠道改造项目」 over its
        # 「资金来源:…」 line under 「二、资金安排」), name its subject
        headings = " ".join(dict.fromkeys([document.heading_at(start), *document.heading_path_at(start)]))
        context = " ".join((paragraph_around(document.text, start, end, previous=1), headings))
        with_title = _SPACE.sub("", context + document.title)
        missing: list[str] = []
        supported = [
            m.place for m in analysis.places
            if self._place_supported(m.place, sentence, context, document, before_answer)
        ]
        for mention in analysis.places:
            if any(same_place(mention.place, p) for p in supported):
                continue
            if self._names_enterprise_of(analysis.text, mention.start, len(mention.surface), document):
                continue  # 哈尔滨红光锅炉有限公司: the place is part of a company's name the document holds
            if any(self.gazetteer.encloses(mention.place, p) for p in supported):
                continue  # 山西省 in 山西省交城县: a qualifier of a place that is supported
            missing.append(mention.surface)
        if analysis.towns:
            # a town's context is the sentence's own paragraph and heading: the paragraph before it
            # may be the table row of that town while the sentence is a note for all of them
            own_context = paragraph_around(document.text, start, end) + " " + document.heading_at(start)
            missing += [
                town for town in analysis.towns if not self._locality_supported(town, sentence, own_context, document)
            ]
        dated_days = {year: day for year, day in _FULL_DATE.findall(analysis.text)}
        sections = _SPACE.sub("", " ".join(document.heading_path_at(start)))
        # the years of a document the text cites (《…三年攻坚行动实施意见(2018-2020年)》) are that
        # document's, not the figure's — unless the question quotes that title itself
        dated_context = _SPACE.sub("", _uncited(context, analysis.quoted))
        if years_in(sections):
            # a section headed by its year (「一、2022年工作回顾」 in the report of 2023, and the items
            # under it) is of that year: the title's year is the report's, not its figures'
            around = years_in(dated_context + sections)
        else:
            own, lead = self._document_years(document)
            around = years_in(dated_context + _SPACE.sub("", document.title)) | ({lead} if lead else set())
            if not around:
                # a sentence whose context and document title name no year is of its document's own
                # years (``own_years``: a report's dateline year, a 公文's date)
                around = own
        reviewed = reviewed_year(document, context)
        if reviewed is not None:
            # a work report's review of the past year: its figures are that year's, not the report's
            around = years_in(_SPACE.sub("", context)) | {reviewed}
        for year in analysis.years:
            if year in dated_days and dated_days[year] in sentence and not years_in(sentence):
                continue  # 「2021年4月6日…出台的方案」 and a sentence of 4月6日 with no year of its own
            if not self._marker_supported(year, years_in(_uncited(sentence, analysis.quoted)), around):
                missing.append(f"{year}年")
        # the year that names a document (「2023年政府工作报告」, 「按某县2004年办法」) is one it is of as
        # a whole, or the year it is dated
        named_by = self._document_years(document)[0] | ({document.meta.date[:4]} if document.meta.date else set())
        if analysis.report_years and not set(analysis.report_years) & named_by:
            missing += [f"{year}年" for year in analysis.report_years]
        # a 名单 or notice says once, in its opening, which edition and programme it is about
        # (「…对晋城市第三届最美乡村名单进行公示」), then lists it far below
        with_opening = with_title + _SPACE.sub("", document.text[:OPENING_CHARS])
        for ordinal in analysis.ordinals:
            if not self._marker_supported(ordinal, set(ordinals_in(sentence)), set(ordinals_in(with_opening))):
                missing.append(ordinal)
        for quoted in analysis.quoted:
            if _SPACE.sub("", quoted) in with_opening:
                continue
            if PUBLICATION.search(quoted) and quoted in document.text:
                continue  # 「《大众日报》关于…的报道」: the paper that carried this document, named in its header
            missing.append(quoted)
        missing += self._missing_figures(analysis, sentence, with_title)
        missing += _missing_days(analysis.text, document.text)
        missing += _rival_label(analysis.text, sentence)
        # The answer's own words decide when they name a tier; else the sentence does.
        tier_evidence = answer_words if answer_words is not None and TIER.search(answer_words) else sentence
        if not TIER.search(tier_evidence):
            # a sentence silent on the tier has its section's (「（三）补贴标准：625元/月/人」 under
            # 「二、农村牧区最低生活保障补助」 is the rural standard)
            tier_evidence = document.heading_at(start)
        # a tier word inside a place's name (城市 in 晋城市) is no tier
        unplaced = analysis.text
        for mention in analysis.places:
            unplaced = unplaced.replace(mention.surface, " ")
        missing += self._missing_tiers(unplaced, tier_evidence)
        missing += _missing_resident_tier(analysis.text, sentence)
        return missing

    @staticmethod
    def _names_enterprise_of(question: str, place_start: int, place_length: int, document: Document) -> bool:
        """Whether the place the question names at ``place_start`` begins the name of an enterprise
        (哈尔滨红光锅炉有限公司, 承德钒钛集团) that the document itself names: the place is then part of
        the company's name, which the document states once and refers back to (该公司, 红光锅炉),
        not a jurisdiction every sentence must carry."""
        match = _ENTERPRISE_AFTER.match(question, place_start + place_length)
        if match is None:
            return False
        return question[place_start : match.end()] in _SPACE.sub("", document.text)

    @staticmethod
    def _missing_figures(analysis: QuestionAnalysis, sentence: str, context: str) -> list[str]:
        """The question's qualifying figures (600亩以上) that the evidence does not state: a sentence
        that gives the same kind of figure with another value (集中连片300亩以上) is about another
        threshold; one that gives none is judged by its context."""
        if not analysis.figures:
            return []
        # spaces out of the raw text first: 「突破1000 亿元」 states 1000亿元
        in_sentence, in_context = (
            {(unit_class(q), q.value) for q in find_quantities(_SPACE.sub("", text))} for text in (sentence, context)
        )
        missing = []
        for figure in analysis.figures:
            if _opposite_bound(analysis.text, figure, sentence):
                missing.append(figure.text + THRESHOLD_AFTER.match(analysis.text, figure.end).group(0))  # type: ignore[union-attr]
                continue
            label = unit_class(figure)
            if not EntityGuard._marker_supported(
                figure.value,
                {value for kind, value in in_sentence if kind == label},
                {value for kind, value in in_context if kind == label},
            ):
                missing.append(figure.text)
        return missing

    @staticmethod
    def _missing_tiers(question: str, evidence: str) -> list[str]:
        """The question's tiers (省级, 农村) that the evidence replaces by others (国家级, 城市)."""
        asked = tiers_named(question)
        named = set(TIER.findall(evidence))
        if not asked or not named or asked & named:
            return []
        return sorted(asked)

    def _place_supported(
        self, place: Place, sentence: str, context: str, document: Document, before_answer: str | None = None
    ) -> bool:
        mentions = self.gazetteer.find(sentence)
        if any(same_place(m.place, place) for m in mentions):
            return True
        subject = mentions if before_answer is None else self.gazetteer.find(before_answer)
        if any(m.reliable and self._rival(m.place, place) for m in subject):
            return False  # the sentence is about another city / county / province
        if self.gazetteer.mentions_place(context, place):
            return True
        home = self.home(document)
        if home is not None and same_place(home, place):
            return True
        if home is not None and _CITY_SELF_REFERENCE.search(sentence + context):
            city = self._city_around(home)
            if city is not None and same_place(city, place):
                return True  # 「本市…」 in a 嘉定区 table's note is 上海's rule
        if place.level == "country":
            return home is None  # 全国 / 我国: a national document, not one about a province
        if place.level in ("city", "county"):
            return False
        return self.gazetteer.mentions_place(document.title, place) or self.main_province(document) == place.name

    def _locality_supported(self, town: str, sentence: str, context: str, document: Document) -> bool:
        """Whether evidence is about the town (镇, 乡, 街道) the question names: the sentence names
        it; or names no other town and its paragraph or heading does, or its document is about the
        town (its title names it, or it is the only town the document names). A table row of
        安亭镇 or a county-wide rule is no answer about 真新街道."""
        if town in sentence:
            return True
        if self._towns(sentence):
            return False
        if town in context or town in document.title:
            return True
        return self._document_towns(document) == [town]

    def _towns(self, text: str) -> list[str]:
        return localities_in(text, [(m.start, m.start + len(m.surface)) for m in self.gazetteer.find(text)])

    def _document_towns(self, document: Document) -> list[str]:
        """The towns a document names (cached per content hash: asked once per candidate sentence)."""
        key = document.content_hash or document.doc_id
        if key not in self._towns_of:
            self._towns_of[key] = self._towns(document.text)
        return self._towns_of[key]

    def _city_around(self, home: Place) -> Place | None:
        """The city that 「本市」「我市」 mean in a document about a district or county: the one it
        lies in (嘉定区 -> 上海, 咸安区 -> 咸宁). A county-level city (简阳市) calls itself 本市."""
        if home.level != "county" or home.name.endswith("市"):
            return None
        around = self.gazetteer.ancestors(home)
        return around[0] if around else None

    def _rival(self, named: Place, asked: Place) -> bool:
        """A place whose figures are not the asked place's: another place of the same level, or a
        city or county that neither encloses nor lies inside the asked one."""
        if same_place(named, asked) or named.level == "country":
            return False
        if named.level == asked.level:
            return True
        local = ("city", "county")
        if named.level in local and asked.level in local:
            return not (self.gazetteer.encloses(named, asked) or self.gazetteer.encloses(asked, named))
        return False

    @staticmethod
    def _marker_supported(
        wanted: Hashable, in_sentence: Collection[Hashable], in_context: Collection[Hashable]
    ) -> bool:
        if in_sentence:
            return wanted in in_sentence
        return wanted in in_context
