"""The default answer backend: quote the sentence that answers, no language model involved.

Every candidate sentence of the retrieved passages is scored by how much of the question it covers
(IDF-weighted jieba terms, which carries Chinese questions) and by its embedding similarity to the
question (stored at index time, which carries English questions). The best sentence that is about
the question's place, year and edition is quoted with its citation marker.

The bold ``short_answer`` comes from typed facts (:mod:`rag.answering.facts`): for a figure
question only a figure of the unit the question asks for can answer, and among several such figures
in the sentence the one whose own words match the question's. The short answer is given only when
that choice is clear; otherwise the quoted sentence stands alone. When no strong sentence holds a
figure of the asked kind, or the evidence is about another place, year or edition, the backend
refuses (with a machine-readable reason) and shows the nearest passages: a wrong figure is worse
than no figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import numpy as np

from rag.answering.answer_spans import (
    ASKS_CITED_DOCUMENT,
    CITING_CLAUSE,
    SpanFinder,
    asks_for_author,
    asks_for_document,
)
from rag.answering.base import AnswerBackend, AnswerRequest
from rag.answering.citations import to_citation
from rag.answering.conflicts import Statement, conflict_text, document_date
from rag.answering.document_questions import (
    FIELD_LABELS,
    OPENING_CHARS,
    DocumentField,
    DocumentStatement,
    asked_document_field,
    cited_number,
    document_statement,
    named_document,
)
from rag.answering.entity_guard import EntityGuard
from rag.answering.facts import (
    QUESTION_COUNTERS,
    TOTAL_WORDS,
    Fact,
    FactChoice,
    attribute_score,
    candidate_facts,
    choose_fact,
    counted_noun,
    sentence_facts,
)
from rag.answering.question import QuestionAnalysis, QuestionAnalyzer
from rag.answering.refusal import refusal_text
from rag.answering.table_rows import (
    TABLE_ROW,
    Extreme,
    Row,
    asked_extreme,
    extreme_item,
    extreme_row,
    listed_items,
    parse_row,
    row_name,
)
from rag.ingest.structure import text_lines
from rag.ingest.tables import table_unit
from rag.schema import Answer, Document, Passage, Refusal, RefusalReason
from rag.store.index import DocumentIndex
from rag.text.instructions import addresses_the_system
from rag.text.localities import localities_in
from rag.text.patterns import CJK_RANGE, DOCUMENT_NOUNS, FIELD_LABEL, ORG_SUFFIX_ALTERNATION, PUBLICATION, TIER
from rag.text.places import Place, same_place
from rag.text.quantities import find_quantities, unit_class
from rag.text.romanised import romanised_names
from rag.text.sentences import is_title_line
from rag.text.shapes import shaped_values
from rag.text.tokenizing import ChineseTokenizer

#: Cosine similarities of e5 cluster high; this window maps them onto 0..1 for scoring.
DENSE_FLOOR, DENSE_CEIL = 0.70, 0.85
KIND_BONUS = 0.35
#: How many runner-up sentences may stand in for a best one that fails the entity check, and how
#: close to the best score they must be.
ALTERNATIVES, ALTERNATIVE_RATIO = 5, 0.8
RELATED_PASSAGES = 3
#: How much a question word counts when only the sentence's introduction (the sentence before it,
#: its headings) holds it, against one the sentence itself holds.
CONTEXT_SHARE = 0.5
#: A Chinese figure question's sentence whose chosen figure's own words (its attribute) hold none
#: of the question's loses this share of its word coverage beyond ``ALIGNMENT_SLACK``: the words
#: are the sentence's frame, not the figure's. (A partial match is left alone: an attribute is one
#: clause's words, and a change's 「由每人奖励1万元提高到5万元」 leaves its subject out.)
OWN_WORDS_SHARE = 0.5
ALIGNMENT_SLACK = 0.4
#: What a sentence loses whose chosen figure is an average (人均, 年均) the question does not ask for:
#: enough for the plain figure of the same thing to win, not enough to drop the only figure there is.
AVERAGE_PENALTY = 0.3
#: The share of a follow-up's subject words (by IDF) a sentence must hold to be about that subject.
FOCUS_SHARE = 0.5
#: How much a follow-up's own words, all held, add to a sentence's score.
FOCUS_BONUS = 0.3
#: A sentence longer than this is quoted as the clauses around its short answer (see ``excerpt``),
#: keeping about this many characters on each side of it.
QUOTE_MAX_CHARS = 200
QUOTE_CONTEXT_CHARS = 60
_CUT_MARKS = frozenset("，,；;。：:、 \n")
#: The question word of a figure question, the counter after it, and a closing with nothing more.
_ASKED_WORD = re.compile(r"多少|几")
_COUNTER_PREFIX = re.compile(rf"^(?:万|亿)?(?:个人(?!所得)|人次|元|钱|人|{QUESTION_COUNTERS})?")
_CLOSING = re.compile(r"[？?。！!\s]*")
#: Nouns every figure of a kind has: they do not say which figure is asked for.
_MEASURE_WORDS = frozenset(
    "资金 金额 数量 人数 总数 总量 规模 比例 比重 人员 数额 额度 水平 标准 情况 工资 薪酬 收入 费用 "
    "面积 产量 门槛 界线 条数 个数 户数 次数 件数 长度 里程".split()
)
#: Endings of compound measure words (就业人数, 播种面积): what they measure is said elsewhere.
_MEASURE_ENDINGS = ("人数", "总数", "数量", "总量", "面积", "产量")
#: Nouns of totals that jieba tags as verbs (预算 in 「专项资金每年预算多少」): a per-item award is
#: no answer to them.
_AGGREGATE_NOUNS = frozenset("预算 总额 产值 增加值 营业额 销售额 利润 税收 投资额".split())
#: Figure kinds whose noun says what is counted or paid (a date or a duration has none).
_NOUN_KINDS = ("amount", "count", "percent", "measure")
#: How long a run of the question's characters two sentences must share to be about one event.
BRIDGE_CHARS = 8
#: Kinds a heading-shaped line can answer: a byline or signature line names a person or a body
#: (「某县人民政府县长 田某」).
_SIGNED_KINDS = ("person", "org")
#: A capitalised word of an English question that may be a Chinese name in pinyin (Banlan, Yuneng).
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
#: The strength of an English question's sentence that names what the question spells in pinyin.
ROMANISED_NAME_STRENGTH = 0.4
#: How much of an English question's translated-word coverage counts as its strength.
ENGLISH_LEXICAL_SHARE = 0.5
#: How much the share of an English question's phrases a sentence renders counts as strength.
ENGLISH_PHRASE_SHARE = 0.5
#: The strength of an English figure question's sentence whose chosen figure is described by a whole
#: Chinese term the question's English stands for (total retail sales -> 社会消费品零售总额).
RENDERED_FIGURE_STRENGTH = 0.4
#: A report's dateline (「2020年1月19日在某市第十七届人民代表大会第五次会议上」, or without its date):
#: a heading-shaped line that answers when the meeting was held and introduces the speaker's line.
_DATELINE = re.compile(r"^[(（—\s]*(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\s*)?在[^，,。；;]{2,40}会议上[)）]?$")
#: A question asking two things in two clauses (多久发一次、用什么方式发).
_ASKING = r"(?:多少|几|多久|多长|什么|哪|谁|何时|何地)"
_ASKING_EN = r"\b(?:how (?:many|much|long)|what|when|where|who)\b"  # (not which: 「…, which ranks first」)
_TWO_QUESTIONS = re.compile(
    rf"{_ASKING}[^、，,；;？?]*[、，,；;][^、，,；;？?]*{_ASKING}"
    rf"|{_ASKING_EN}[^;,?]*[;,]\s*(?:and\s+)?{_ASKING_EN}",  # 「how many …, and how much …」
    re.I,
)
#: Words after a figure that make it a limit or an estimate (2项以上, 50人左右, 3年以内).
_BOUND_AFTER_FIGURE = re.compile(r"(?:及以上|以上|以下|以内|左右|之内)")
#: The IDF below which a word is too common in the indexed documents to tell a figure's noun from
#: another's (it occurs in about a third of all chunks or more).
TELLING_IDF = 1.0
#: Words by which a sentence refers back to what the one before it named, looked for in its first
#: characters (这一次的“技运会”, 该公司, 上述企业).
_REFERS_BACK = re.compile(r"这一|这些|这次|此次|本次|该|上述|其中|前述")
REFERENCE_WINDOW = 15
#: A sentence this short between a sentence and what introduced it carries the introduction on.
SHORT_SENTENCE_CHARS = 30
#: A sentence this short, without a figure, is a lead-in whose words the next sentence details.
LEAD_IN_MAX_CHARS = 20
#: Endings of a table row's name that make the row one place's (新成路街道, 菊园新区, 工业区, 城南社区).
_PLACE_ROW_END = re.compile(r"(?:街道|社区|新区|区|镇|乡|村)$")
#: How many characters of the question another cell of a row must hold to be about what it asks.
SHARED_RUN = 4
_CJK_RUN = re.compile(rf"[{CJK_RANGE}]+")
#: How many rows above a table row are searched for the table's caption.
MAX_ROWS_BACK = 200
#: A line ending in the name of a kind of document (…实施细则, …的通知) is a document's title.
_NAMES_A_DOCUMENT = re.compile(rf"(?:{DOCUMENT_NOUNS})$")
#: Kinds a label line (牵头单位：…, 联系人：…, 地址：…) can answer.
_LABELLED_KINDS = ("person", "org", "place", "fact")
#: How much more a follow-up's own word weighs than its IDF (besides all inherited words' weight).
FOCUS_WEIGHT = 3.0
#: How far down, and how close to the best score, a sentence that holds the asked kind of answer may
#: stand in for a best sentence that holds none.
RUNNER_UPS, RUNNER_UP_RATIO = 8, 0.45
#: How close to the chosen sentence (score, strength, and how well its figure's words match the
#: question) a sentence of another document must be for its different figure to be a conflict.
CONFLICT_RATIO = 0.8
#: Kinds whose answer is a name: a sentence without such a name does not answer them.
#: How a clause that names no subject of its own opens: with what it measures (总产量38.67万吨).
_SUBJECTLESS = re.compile(r"(?:其中[,，])?(?:总产量|产量|单产|总产值|产值|面积|播种面积|种植面积|亩产|存栏|出栏)")
#: Verbs that link a noun to the 多少 asked of it (产量是多少, 收入为多少, 人口有多少).
_COPULAS = frozenset({"是", "为", "有", "达", "达到", "约"})
#: Kinds whose answer a sentence can hold where the question's wh-word stands (aligned_answer).
_ALIGNED_KINDS = ("person", "org", "place")
#: What a name standing where the question's wh-word stands adds to a sentence's score.
ALIGNED_NAME_BONUS = 0.3
#: How strong a label line is on its own when the question names its label (「审定人:郑继江」).
LABELLED_STRENGTH = 0.6
#: Marks that end or split a clause: a line holding one is a sentence, not a title.
_CLAUSE_MARK = re.compile(r"[，,。；;：:]")
NAME_KINDS = ("person", "org", "place", "ordinal", "docnumber")
#: Words of a question that say what is asked, not what it is about: they never describe a fact.
_QUESTION_WORDS = frozenset(
    "多少 几 几个 什么 哪些 哪个 哪里 哪位 哪家 哪年 哪天 哪一天 哪一年 是否 如何 怎么 怎样 吗 呢 是 有 为 了 的 "
    "谁 叫 名字 什么时候 何时 多少钱 多久 多长 几月 几号 哪儿 "
    # demonstratives point back at what the asker has in front of them; no sentence repeats them
    "这份 这批 这项 这次 这些 "
    # a document number is what a 文号 question asks for; the line holding it never says 文号
    "文号 发文字号 "
    "how much many what which when who where is are was were the of in for to does do did a an".split()
)
_YEAR_WORDS = re.compile(r"(?:19|20)\d{2}\s*年(?:度)?|(?<!\d)\d{1,2}月(?:\d{1,2}[日号]|份)?")
_YEAR_TERM = re.compile(r"^(?:19|20)\d{2}(?:年)?$")
#: Words that make a question a follow-up (那…呢) and say nothing about what is asked.
_FOLLOW_UP_WORDS = frozenset(
    "那 那么 呢 还有 另外 同样 情况 怎么样 如何 对应 相应 这个 那个 那次 这次 那些 这些 那批 这批 那种 这种 那项 这项"
    " and what about how".split()
    # a scope word (「那遂宁全市呢？」) says the whole place is meant, which its report says as 全市
    # only now and then: the place is the constraint, not a word the sentence must hold
    + "全市 全县 全区 全省 全州 全盟 全旗 全镇 全乡 全国 整体 总体".split()
)


@dataclass
class ScoredSentence:
    """A candidate sentence with where it came from and how well it answers."""

    position: int  # index into DocumentIndex.sentences
    passage_number: int  # 0-based rank of the passage it came from
    lexical: float
    dense: float
    score: float
    has_span: bool  # holds an answer of the asked kind (a compatible fact, a person, ...)
    text: str = ""  # the sentence's repaired text
    choice: FactChoice | None = None  # for figure questions: the fact chosen in this sentence
    #: Share of the question's words found only in what introduces the sentence (the sentence
    #: before it, its headings): 「这一次的“技运会”共设置48个…」 after the sentence that names the
    #: 哈尔滨市第十七届职工技术运动会.
    context: float = 0.0
    #: For an English question: the sentence names the Chinese name the question spells in pinyin.
    spells_name: bool = False
    #: For a figure question, the share of the question's words that the chosen figure's own words
    #: hold (its attribute): 「惠企奖励46.7万元」 for 「惠企奖励发了多少钱」.
    alignment: float = 0.0
    #: For an English question, the share of its translated phrases (found in the documents at all)
    #: of which the sentence holds some Chinese rendering.
    phrases_rendered: float = 0.0
    #: For a "which unit leads" question: the unit the sentence's section heading names in that role
    #: (「一、县示范区管委会牵头工作(8项)」 over the task the question names); "" otherwise.
    heading_unit: str = ""
    #: The entity guard's verdict on the sentence (what of the question it lacks), once asked:
    #: choosing, the runner-ups and the rival check all need it (see ``_missing``).
    missing: list[str] | None = None

    @property
    def before_answer(self) -> str | None:
        """The sentence up to its chosen answer figure, when there is one."""
        best = self.choice.best if self.choice is not None else None
        return self.text[: best.quantity.start] if best is not None else None

    @property
    def answer_words(self) -> str | None:
        """The words the chosen answer figure describes (its attribute), when there is one."""
        best = self.choice.best if self.choice is not None else None
        return best.attribute if best is not None else None


@lru_cache(maxsize=50_000)
def _facts_of(sentence: str) -> tuple[Fact, ...]:
    """The typed facts of a sentence (cached: the same sentences come back question after question)."""
    return tuple(sentence_facts(sentence))


def _follow_up_subject(request: AnswerRequest) -> str:
    """What a follow-up or a comparison part itself says (「柯城区呢？」, the part's item), '' for a
    question asked on its own."""
    return request.subject or (request.original_question if request.original_question != request.question else "")


def _in_documents(index: DocumentIndex, term: str) -> bool:
    """Whether any indexed chunk holds ``term``. A question word found in no document (发了) can
    match no sentence: it would only lower every sentence's coverage alike."""
    return index.vocabulary.get(term) is not None


#: Words that make a figure an average of the thing named after them (人均地区生产总值 is not the
#: 地区生产总值, 年均增长 not the year's growth).
_AVERAGING = ("人均", "户均", "亩均", "年均", "平均")


#: How an English question asks for an average.
_AVERAGE_EN = re.compile(r"\b(?:per[\s-]+capita|average|per[\s-]+(?:person|head|household|mu)|annual(?:ly)?)\b", re.I)


def _averaged_otherwise(attribute: str, question: str) -> bool:
    """Whether a figure's own words make it an average that the question does not ask for."""
    if _AVERAGE_EN.search(question):
        return False
    return any(word in attribute and word not in question for word in _AVERAGING)


#: How a sentence failing only for the asked part of its document's place relates to that part.
PartRelation = Literal["silent", "sibling", ""]
#: A 名单's group line: a label and the items listed after it (「阳城县：北留镇杏王村、西河乡郭河村。」).
_GROUP_LINE = re.compile(r"^[^，,。：:]{2,12}[：:][^，,。：:]+(?:、[^，,。：:]+)+。?$")
#: How much of a document's opening line a row or group borrows.
OPENING_LINE_CHARS = 120


#: A heading that counts what its section lists (「一、民间文学(共计5项)」「(共计6大类21项)」): it
#: states a count, which answers 几项, though it names a topic like any heading.
_COUNT_IN_BRACKETS = re.compile(r"[（(][^（）()]{0,8}?\d+\s*(?:大类|项|个|家|人|名|所|类|批|件)[^（）()]{0,20}[）)]")
#: A line that is one bracketed total (「(共计25项,保护单位20个)」): it counts the list the line above
#: it names.
_BRACKETED_LINE = re.compile(r"[（(](?:共计|共|合计|总计)[^（）()]+[）)]")
#: What follows the number of a document the sentence forwards (「…(粤农办〔2018〕587号)转发给你们」).
_FORWARDED_AFTER = re.compile(r"\s*[）)】\]]?\s*(?:转发|转给)")
#: An entry of a numbered 名单 as ingest writes it (「拟推荐…名单：5.白山市长白县十四道沟镇望天鹅新村。」).
_LIST_ENTRY = re.compile(r"^[^：:。]{2,40}(?:名单|名录)[：:]\s*\d{1,3}\s*[.．、]\s*(?P<entry>[^。：:]{2,40})。?$")
#: A question asking which one (哪个村, 哪家单位, which village).
_ASKS_WHICH = re.compile(r"哪个|哪家|哪一|哪所|哪位|\bwhich\b", re.I)
#: A question about the value before a change (上年的结构, 调整前): the first of two values.
_ASKS_EARLIER = re.compile(r"上年|去年|调整前|原来|previous|last year|before", re.I)


#: The share of the question's words a rate's own words must hold to be the asked indicator's
#: (「社会消费品零售总额增长7.9%」), not a chance word such as 年 of 年均增长.
OTHER_FIGURE_SHARE = 0.25


#: A unit and the role a section heading gives it (「县示范区管委会牵头工作」「市财政局负责的任务」).
_UNIT_IN_ROLE = re.compile(rf"([{CJK_RANGE}]{{2,20}}?(?:{ORG_SUFFIX_ALTERNATION}))(牵头|负责|主办|承办|主管)")


def _unit_in_role(headings: list[str], question: str) -> str:
    """The unit a section heading names in the role the question asks about (「一、县示范区管委会牵头
    工作(8项)」 for 「这项工作由哪个单位牵头」): a task list grouped by lead unit names the unit once,
    in the heading over its tasks. '' when no heading does."""
    for heading in reversed(headings):
        for match in _UNIT_IN_ROLE.finditer(heading):
            if match.group(2) in question:
                return match.group(1)
    return ""


def _figure_of_another(choice: FactChoice, sentence: str, fact_weights: dict[str, float]) -> bool:
    """Whether the amount chosen in a sentence is of something else than the question asks: its
    own words hold none of the question's words while a rate after it does (「实现地区生产总值
    440.5亿元…社会消费品零售总额增长7.9%」 for 「社会消费品零售总额是多少亿元」: the sentence gives the
    asked indicator's rate only, and its one amount is the GDP)."""
    best = choice.best
    if best is None or best.quantity.kind == "percent" or not fact_weights or attribute_score(best, fact_weights) > 0:
        return False
    return any(
        fact.quantity.kind == "percent" and fact.quantity.start > best.quantity.end
        and attribute_score(fact, fact_weights) >= OTHER_FIGURE_SHARE
        for fact in _facts_of(sentence)
    )


def _total_nouns_joined(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Tagged words with 总 joined to the noun after it (总/投资 -> 总投资, 总/资金 -> 总资金): the
    total is the noun the question asks the figure of, not a word apart."""
    joined: list[tuple[str, str]] = []
    for word, flag in tagged:
        if joined and joined[-1][0] == "总" and (flag[:1] == "n" or flag == "vn"):
            joined[-1] = ("总" + word, "n")
        else:
            joined.append((word, flag))
    return joined


def _shaped_values_not_asked(sentence: str, analysis: QuestionAnalysis) -> list[tuple[int, int]]:
    """The values of the asked shape in ``sentence`` that the question does not itself state
    (「除12317外的监督电话是多少」 is not answered by 12317)."""
    assert analysis.shape is not None
    return [(a, b) for a, b in shaped_values(sentence, analysis.shape) if sentence[a:b] not in analysis.text]


def _label_words(analysis: QuestionAnalysis) -> str:
    """The words a label line's label is looked for in: the question's own, and for an English
    question the Chinese terms it stands for ("address" -> 地址, "contact person" -> 联系人)."""
    if analysis.language != "en":
        return analysis.text
    return " ".join((analysis.text, *analysis.expansions))


def _row_shape(sentence: str) -> re.Pattern[str] | None:
    """The shape that makes a sentence one entry of a run of entries — a table's row
    (「乡镇：杨兴乡，金额：2万元。」) or a 名单's group line (「阳城县：北留镇杏王村、…。」) — or None."""
    return next((shape for shape in (TABLE_ROW, _GROUP_LINE) if shape.match(sentence)), None)


def _about_another_year(analysis: QuestionAnalysis, missing: list[str]) -> bool:
    """Whether a sentence fails the guard only for the question's years: it is about another year
    (the same county's report of 2019 for a question about 2021), so, like a sibling county's, it
    does not set the bar for the sentences about the asked year."""
    asked = {f"{year}年" for year in (*analysis.years, *analysis.report_years)}
    return bool(missing) and all(item in asked for item in missing)


def _indicator_unnamed(analysis: QuestionAnalysis, sentence: str) -> bool:
    """Whether an English figure question names an indicator (GDP -> 地区生产总值, 生产总值) of which
    ``sentence`` holds no rendering at all."""
    if analysis.asked is None or not analysis.indicator_terms:
        return False
    return not any(term in sentence for term in analysis.indicator_terms)


def excerpt(sentence: str, short_answer: str | None) -> str:
    """What is quoted of ``sentence``: all of it, or for an over-long one (a 名单 run on one line,
    a table flattened into one sentence) the whole clauses around the short answer, marked with
    「…」 where cut: the official reads the part that answers, the citation still points at it all."""
    found = re.search(rf"(?<![\d.]){re.escape(short_answer)}", sentence) if short_answer else None
    if len(sentence) <= QUOTE_MAX_CHARS or found is None:
        return sentence
    start, end = found.span()  # 3家, not the 3家 of 23家
    left, right = max(0, start - QUOTE_CONTEXT_CHARS), min(len(sentence), end + QUOTE_CONTEXT_CHARS)
    opening = min((i for i in range(left, start) if sentence[i] in _CUT_MARKS), default=None)
    closing = max((i for i in range(end, right) if sentence[i] in _CUT_MARKS), default=None)
    left = left if opening is None or left == 0 else opening + 1
    right = right if closing is None or right == len(sentence) else closing + 1
    return ("…" if left > 0 else "") + sentence[left:right].strip() + ("…" if right < len(sentence) else "")


def _rendered(text: str, phrases: list[list[str]]) -> float:
    """The share of an English question's translated phrases of which ``text`` holds a rendering."""
    if not phrases:
        return 0.0
    return sum(any(word in text for word in group) for group in phrases) / len(phrases)


def _pieced(term: str, texts: tuple[str, ...]) -> bool:
    """Whether ``term`` is spelled out by pieces of two or more characters that the texts hold
    (农村居民 from 农村 and 居民), taking the longest piece at each step."""
    position, pieces = 0, 0
    while position < len(term):
        for end in range(len(term), position + 1, -1):
            if any(term[position:end] in text for text in texts):
                position, pieces = end, pieces + 1
                break
        else:
            return False
    return pieces > 1


#: The one-character unit a figure question asks in (多少户, 几名, 多少万元 -> 元).
_ASKED_UNIT = re.compile(r"(?:多少|几)(?:万|亿)?([户名人个家项元次件所条座套台辆])")


class ExtractiveBackend(AnswerBackend):
    """Answers by quoting one sentence of the passages; refuses on weak or off-entity evidence."""

    name = "extractive"

    def __init__(
        self,
        tokenizer: ChineseTokenizer,
        analyzer: QuestionAnalyzer,
        min_answer_score: float = 0.35,
        max_passages: int = 5,
    ) -> None:
        self.tokenizer = tokenizer
        self.analyzer = analyzer
        self.spans = SpanFinder(tokenizer, analyzer.gazetteer)
        self.guard = EntityGuard(analyzer.gazetteer)
        self.min_answer_score = min_answer_score
        self.max_passages = max_passages

    # ----- public -----
    def answer(self, request: AnswerRequest) -> Answer:
        analysis = request.analysis or self.analyzer.analyze(request.question)
        index = request.index
        if index is None or not request.passages:
            return self._refuse(request, analysis, "no_passages", [])
        field = asked_document_field(analysis)
        if field is not None:
            stated = self._document_statement(request, analysis, index, field)
            if stated is not None:
                return stated
        ranked_row = self._table_superlative(request, analysis, index)
        if ranked_row is not None:
            return ranked_row
        focus = self.focus_terms(request, analysis)
        # The question's words that describe the asked figure: they choose the fact in each
        # sentence and tell whether another document's figure is a rival for the same fact.
        fact_weights = (
            self.content_weights(analysis, index, focus + self._follow_up_places(request, analysis))
            if analysis.asked is not None else {}
        )
        candidates = self._score_sentences(request, analysis, index, focus, fact_weights)
        if not candidates:
            return self._refuse(request, analysis, "no_passages", [])
        chosen, missing = self._first_supported(candidates, analysis, index)
        if chosen is None:
            reason: RefusalReason = "missing_entity" if missing else "weak_evidence"
            asks_shape = analysis.asked is not None or analysis.shape is not None
            if not missing and asks_shape and not any(c.has_span for c in candidates[:ALTERNATIVES]):
                reason = "unanswerable_kind"
            return self._refuse(request, analysis, reason, missing)
        chosen = self._prefer_sentence_with_span(candidates, chosen, analysis, index)
        if (analysis.asked is not None or analysis.kind in NAME_KINDS or analysis.shape) and not chosen.has_span:
            # The passages speak of the topic but hold no figure of the kind asked for
            # (多少年 asked, only counts of 名 found; no telephone number for 电话是多少):
            # quoting them would not answer.
            return self._refuse(request, analysis, "unanswerable_kind", [])
        short_answer = self._short_answer(analysis, chosen)
        if short_answer is None and analysis.kind in NAME_KINDS:
            # A "who / which unit / where" question whose best sentence names no one clearly: a
            # close runner-up that does (副主席陈刚宣布决赛开幕 after the sentence about the
            # final itself) answers; otherwise the quoted sentence would not answer it.
            named = self._runner_up_naming(candidates, chosen, analysis, index)
            if named is None:
                return self._refuse(request, analysis, "unanswerable_kind", [])
            chosen, short_answer = named
        if short_answer is not None and self._cites_another_document(analysis, chosen, short_answer):
            # 「根据…《…的通知》【闽财农指[2017]172号】」 gives the number of the document cited; the
            # document that cites it states its own number on its title line
            document = index.document(index.sentences[chosen.position].doc_id)
            own = self._stated(request, analysis, index, document, "number")
            if own is not None:
                return own
        if short_answer is None and _indicator_unnamed(analysis, chosen.text):
            # "What was the city's GDP total in 2023?" and a sentence of 上级资金130亿元 without any
            # 生产总值: no figure was chosen, and the quoted sentence is about another indicator
            return self._refuse(request, analysis, "weak_evidence", [])
        rivals = self._conflicting(candidates, chosen, analysis, index, fact_weights)
        if rivals:
            return self._compose_conflict(request, analysis, index, [chosen, *rivals])
        return self._compose(request, analysis, index, chosen, short_answer)

    def _document_statement(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex, field: DocumentField
    ) -> Answer | None:
        """The answer to a question about a document itself (its number, issuer, date, author),
        quoted from the line where the document the question names states it; None when no
        retrieved document is clearly named, it does not state the fact, or it is about another
        place or year (the entity guard reads its title line)."""
        documents = [index.document(p.doc) for p in request.passages if p.doc in index.documents]
        if field == "number":
            for cited_by in {d.doc_id: d for d in documents}.values():
                cited = cited_number(cited_by, analysis.text)
                if cited is not None:
                    # 「…管理暂行办法的文号」: the number the notice gives the regulation it cites
                    return self._stated(request, analysis, index, cited_by, field, cited)
        document = named_document(analysis, documents, self._question_terms(analysis), index.idf)
        if document is None:
            return None
        # The first line of the opening is the title line (a whole-text scan is not needed for it).
        title_line = next(iter(text_lines(document.text[:OPENING_CHARS])), (0, document.title))
        # The 《title》 the question quotes has just been matched to the document's own title.
        unquoted = replace(analysis, quoted=[q for q in analysis.quoted if f"《{q}》" not in analysis.text])
        if self.guard.missing(unquoted, document, title_line[0], title_line[0] + len(title_line[1])):
            # a notice a mirror copied without its title line opens with its first sentence: the
            # line that states the fact (the signature 「海东市扶贫开发局」) may name the place instead
            statement = document_statement(document, field)
            if statement is None or self.guard.missing(unquoted, document, statement.start, statement.end):
                return None
        return self._stated(request, analysis, index, document, field)

    @staticmethod
    def _cites_another_document(analysis: QuestionAnalysis, chosen: ScoredSentence, short_answer: str) -> bool:
        """Whether the document number chosen is one the sentence cites (after 根据/依据…) while the
        question asks for no cited document's number."""
        if analysis.kind != "docnumber" or ASKS_CITED_DOCUMENT.search(analysis.text):
            return False
        at = chosen.text.find(short_answer)
        if at > 0 and _FORWARDED_AFTER.match(chosen.text, at + len(short_answer)):
            return True  # 「现将省农业厅《…的通知》(粤农办〔2018〕587号)转发给你们」: the forwarded one's number
        return at > 0 and bool(CITING_CLAUSE.search(chosen.text[:at]))

    def _stated(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex, document: Document,
        field: DocumentField, cited: tuple[str, DocumentStatement] | None = None,
    ) -> Answer | None:
        """The answer quoting where ``document`` states ``field`` about itself — or, given ``cited``
        (a cited document's title and where its number stands), that document's number — None when
        it does not (or the line is in no retrieved passage's reach)."""
        statement = cited[1] if cited is not None else document_statement(document, field)
        if statement is None:
            return None
        title_line = next(iter(text_lines(document.text[:OPENING_CHARS])), (0, document.title))
        passage = self._passage_at(request, index, document, statement.start)
        if passage is None:
            return None
        highlight = document.text[statement.start : statement.end]
        citation = to_citation(1, passage, index, highlight=highlight)
        label_zh, label_en = FIELD_LABELS[field]
        value = "、".join(line.strip() for line in statement.value.splitlines() if line.strip())  # joint signers
        if analysis.language == "en":
            text = f"{value}. The document's {label_en}, as it states it (in Chinese): {highlight}[1]"
        else:
            name = document.title if document.title in document.text else title_line[1]
            if cited is not None:
                name = cited[0]
            # a copy without its title line opens with a sentence, which names no document
            named = f"《{name}》" if not _CLAUSE_MARK.search(name) else ""
            text = f"{named}{label_zh}：{highlight}[1]"
        return Answer(
            question=request.original_question or request.question,
            answer=text,
            short_answer=value,
            refused=False,
            citations=[citation],
            backend=self.name,
        )

    def _table_superlative(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex
    ) -> Answer | None:
        """「哪个乡镇新种任务最多」: the row, in the first retrieved table with a column the question
        names, whose figure there is the largest (smallest), compared in code (``table_rows``);
        None when the question asks no such thing or no table clearly answers it."""
        extreme = asked_extreme(analysis.text)
        if extreme is None:
            return None
        words = [t for t in self._question_terms(analysis) if len(t) >= 2]
        tried: set[int] = set()
        for passage in request.passages[: self.max_passages]:
            try:
                chunk = index.chunks[index.chunk_position(passage.chunk_id)]
            except KeyError:
                continue  # the passage left the index between retrieval and answering
            anchor = next((p for p in index.sentences_of_chunk(chunk) if parse_row(index.sentences[p].text)), None)
            if anchor is None or anchor in tried:
                continue
            rows = self._table_rows(index, anchor)
            tried.update(rows)
            labels = [label for label, _ in next(iter(rows.values())).cells[1:]]
            overlap = {label: sum(len(w) for w in words if w in label.replace(" ", "")) for label in labels}
            column = max(labels, key=lambda label: overlap[label], default="")
            if not column or overlap[column] == 0:
                continue  # a table of other figures
            best = extreme_row(list(rows.values()), column, extreme)
            if best is None:
                return None
            position = next(p for p, row in rows.items() if row is best)
            return self._cite_row(request, analysis, index, position, best.key)
        return self._listed_superlative(request, analysis, index, extreme)

    def _listed_superlative(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex, extreme: Extreme
    ) -> Answer | None:
        """「分到金额最多的是哪个区县」 over 「补助标准:市中区1162万元、五通桥区3294万元、…」: the name of
        the largest (smallest) figure of the first retrieved list of names with figures, of the class
        the question asks for when it asks for one; None when no such list answers."""
        classes = analysis.asked.classes if analysis.asked is not None else ()
        for passage in request.passages[: self.max_passages]:
            try:
                chunk = index.chunks[index.chunk_position(passage.chunk_id)]
            except KeyError:
                continue
            for position in index.sentences_of_chunk(chunk):
                items = listed_items(index.sentences[position].text)
                if not items or (classes and unit_class(items[0].quantity) not in classes):
                    continue
                best = extreme_item(items, extreme)
                return None if best is None else self._cite_row(request, analysis, index, position, best.name)
        return None

    @staticmethod
    def _table_rows(index: DocumentIndex, anchor: int) -> dict[int, Row]:
        """The rows of the table ``anchor`` is a row of: the row sentences around it, totals left out."""
        first = ExtractiveBackend._row_run_edge(index, anchor, -1)
        last = ExtractiveBackend._row_run_edge(index, anchor, 1)
        return {p: row for p in range(first, last + 1) if (row := parse_row(index.sentences[p].text)) is not None}

    @staticmethod
    def _row_run_edge(
        index: DocumentIndex, anchor: int, step: int, limit: int | None = None, rows: re.Pattern[str] = TABLE_ROW
    ) -> int:
        """How far the row sentences of ``anchor``'s table run from it in direction ``step`` (-1 up,
        1 down): the last such position of the same document, at most ``limit`` away. ``rows``
        tells a row (a 名单's group lines are rows of their list)."""
        doc_id = index.sentences[anchor].doc_id
        position = anchor
        while limit is None or abs(position - anchor) < limit - 1:
            following = position + step
            if not 0 <= following < len(index.sentences) or index.sentences[following].doc_id != doc_id:
                break
            if not rows.match(index.sentences[following].text):
                break
            position = following
        return position

    def _cite_row(
        self, request: AnswerRequest, analysis: QuestionAnalysis, index: DocumentIndex, position: int, key: str
    ) -> Answer | None:
        """The answer naming a row's key, quoting and citing the row (None when the row's document is
        not about the question's place or year)."""
        record = index.sentences[position]
        document = index.document(record.doc_id)
        if self.guard.missing(analysis, document, record.start, record.end):
            return None
        cited = self._passage_at(request, index, document, record.start)
        return None if cited is None else self._quoting(request, analysis, index, cited, position, key)

    @staticmethod
    def _passage_at(
        request: AnswerRequest, index: DocumentIndex, document: Document, offset: int
    ) -> Passage | None:
        """The passage to cite for a line of ``document``: the retrieved one that holds it, else its
        chunk (or the nearest chunk before it: a title line may precede the first chunk)."""
        for passage in request.passages:
            if passage.doc == document.doc_id and passage.start <= offset < passage.end:
                return passage
        chunks = index.documents[document.doc_id].chunks
        if not chunks:
            return None
        holding = [c for c in chunks if c.start <= offset] or chunks[:1]
        chunk = holding[-1]
        return Passage(
            chunk_id=chunk.chunk_id, doc=chunk.doc_id, title=chunk.title, heading=chunk.heading,
            text=chunk.search_text, start=chunk.start, end=chunk.end, score=0.0,
            reason="the document's own statement of what the question asks",
        )

    def _conflicting(
        self,
        candidates: list[ScoredSentence],
        chosen: ScoredSentence,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        weights: dict[str, float],
    ) -> list[ScoredSentence]:
        """Sentences of other documents that give a different figure for the chosen fact.

        A rival must be nearly as strong as the chosen sentence, pass the same entity checks (so
        the same place, year and edition), hold a confidently chosen figure of the same unit class
        whose own words match the question about as well as the chosen one's, and differ in
        value, in a document about the same place. Figures within one document are not a conflict
        (a before/after change, two tiers).
        """
        own = chosen.choice.best if chosen.choice is not None else None
        if own is None or own.quantity.value is None:
            return []
        alignment = attribute_score(own, weights)
        own_document = index.document(index.sentences[chosen.position].doc_id)
        home = self.guard.home(own_document)
        documents = {own_document.doc_id}
        values = {own.quantity.value}
        rivals = []
        for candidate in candidates[:RUNNER_UPS]:
            if candidate.score < CONFLICT_RATIO * chosen.score:
                break
            choice = candidate.choice
            fact = choice.best if choice is not None else None
            if candidate is chosen or fact is None or choice is None or not choice.confident:
                continue
            sentence = index.sentences[candidate.position]
            if (
                sentence.doc_id in documents
                or fact.unit_class != own.unit_class
                or fact.quantity.value is None
                or fact.quantity.value in values
                or (not analysis.years and set(fact.years) != set(own.years))  # 2020年以来 vs 首次: two times
                or attribute_score(fact, weights) < CONFLICT_RATIO * alignment
                or self._strength(candidate, analysis) < CONFLICT_RATIO * self._strength(chosen, analysis)
            ):
                continue
            document = index.document(sentence.doc_id)
            other_home = self.guard.home(document)
            if not self._same_area(home, other_home):
                continue  # documents about different places state different places' figures
            if self._part_of_asked(analysis, home, other_home):
                continue  # 「遂宁全市」 asked: a district's report of 遂宁 states the district's figure
            if self._missing(candidate, analysis, index):
                continue
            rivals.append(candidate)
            documents.add(sentence.doc_id)
            values.add(fact.quantity.value)
        return rivals

    def _first_supported(
        self, candidates: list[ScoredSentence], analysis: QuestionAnalysis, index: DocumentIndex
    ) -> tuple[ScoredSentence | None, list[str]]:
        """The best sentence that is strong enough and about the question's entities.

        A runner-up may stand in for a best sentence that is about another year or place, but
        only when it scores close to the best and, for figure questions, holds a figure of the
        asked kind: an unrelated sentence that merely names the entity must not become an answer.
        Sentences of documents about another place (a sibling county's report) are passed over
        without setting the bar: the best sentence about the asked place is measured against the
        others about it, not against another county's.
        """
        best: ScoredSentence | None = None
        sibling_bar: ScoredSentence | None = None
        first_missing: list[str] | None = None
        considered = 0
        for candidate in candidates[: 3 * ALTERNATIVES]:
            if considered >= ALTERNATIVES:
                break
            record = index.sentences[candidate.position]
            document = index.document(record.doc_id)
            missing = self._missing(candidate, analysis, index)
            on_part = self._on_part(analysis, document, record.start, record.end, missing) if missing else ""
            if missing and (
                self._about_another_place(analysis, document, missing) or _about_another_year(analysis, missing)
                or on_part == "silent"
            ):
                first_missing = first_missing or missing
                continue
            if on_part == "sibling" and best is None:
                # another county's line of the same list: it sets the bar, except for the list's own
                # line of the asked county (「其中崇阳县铜钟乡佛岭村…上榜」 over 「赤壁市(4个)：…」)
                sibling_bar = sibling_bar or candidate
                first_missing = first_missing or missing
                continue
            if best is None:
                if (
                    sibling_bar is not None and not self._lists_asked_part(analysis, record.text)
                    and candidate.score < ALTERNATIVE_RATIO * sibling_bar.score
                ):
                    break
                best = candidate
            elif candidate.score < ALTERNATIVE_RATIO * best.score:
                break
            considered += 1
            if self._strength(candidate, analysis) < self._threshold(analysis):
                continue
            needs_span = candidate is not best or (analysis.asked is not None and analysis.language == "en")
            if needs_span and analysis.kind not in ("fact", "list", "name") and not candidate.has_span:
                continue
            if not missing:
                return candidate, []
            if first_missing is None:
                first_missing = missing
        return None, first_missing or []

    def _missing(self, candidate: ScoredSentence, analysis: QuestionAnalysis, index: DocumentIndex) -> list[str]:
        """The question's entities the candidate sentence lacks (the entity guard's verdict), worked
        out once per candidate: its place, years and towns do not change between the stages."""
        if candidate.missing is None:
            sentence = index.sentences[candidate.position]
            candidate.missing = self.guard.missing(
                analysis, index.document(sentence.doc_id), sentence.start, sentence.end,
                candidate.before_answer, candidate.answer_words,
            )
        return candidate.missing

    def _about_another_place(self, analysis: QuestionAnalysis, document: Document, missing: list[str]) -> bool:
        """Whether a sentence fails the guard because its document is about another place of the
        question's places' level (交城县's report for a question about 玉屏县) — whatever else it
        lacks (another county's report of another year is no nearer to the answer)."""
        home = self.guard.home(document)
        asked = [m for m in analysis.places if m.surface in missing]
        if home is None or not asked:
            return False
        return all(self._elsewhere(m.place, home) for m in asked)

    def _on_part(
        self, analysis: QuestionAnalysis, document: Document, start: int, end: int, missing: list[str]
    ) -> PartRelation:
        """How a sentence that fails the guard only for the part of its document's place that the
        question asks about — a town, or a county of a city's or province's 名单 (阳城县 in 晋城's
        list) — relates to that part: "silent" when it names no place of the part's level (it is
        about the whole, so it does not set the bar for the sentences about the part), "sibling"
        when it names another one (it is that one's); "" for any other failing sentence."""
        home = self.guard.home(document)
        gazetteer = self.analyzer.gazetteer
        parts = [m for m in analysis.places if home is not None and gazetteer.encloses(home, m.place)]
        if not set(missing) <= set(analysis.towns) | {m.surface for m in parts}:
            return ""
        sentence = document.text[start:end]
        levels = {m.place.level for m in parts if m.surface in missing}
        if any(m.place.level in levels for m in gazetteer.find(sentence) if m.reliable):
            return "sibling"
        return "sibling" if set(missing) & set(analysis.towns) and localities_in(sentence) else "silent"

    @staticmethod
    def _lists_asked_part(analysis: QuestionAnalysis, sentence: str) -> bool:
        """Whether a sentence is a table's row or a 名单's group line naming a place or town the
        question asks about (「赤壁市(4个)：车埠镇鸡公山村、…」): the part's own entry."""
        if _row_shape(sentence) is None:
            return False
        return any(name in sentence for name in [*analysis.towns, *(m.surface for m in analysis.places)])

    def _elsewhere(self, asked: Place, home: Place) -> bool:
        """Whether a document about ``home`` is about another place than ``asked``: another place
        of its level (交城县 for 玉屏县), or one that neither encloses nor lies inside it (上海's
        notice for a county of 内蒙古)."""
        gazetteer = self.analyzer.gazetteer
        if same_place(asked, home) or asked.level == "country" or home.level == "country":
            return False
        return asked.level == home.level or not (gazetteer.encloses(asked, home) or gazetteer.encloses(home, asked))

    # ----- scoring -----
    def _threshold(self, analysis: QuestionAnalysis) -> float:
        return self.min_answer_score if analysis.language == "zh" else 0.3

    def _question_terms(self, analysis: QuestionAnalysis) -> list[str]:
        """The question's tokens and those of its expansions (the Chinese terms an English question
        stands for, the full terms of abbreviations) and dictionary translations, without repeats."""
        terms = self.tokenizer.tokenize(analysis.text)
        for term in [*analysis.expansions, *analysis.translations]:
            terms += self.tokenizer.tokenize(term)
        return list(dict.fromkeys(terms))

    def _strength(self, candidate: ScoredSentence, analysis: QuestionAnalysis) -> float:
        """How well a sentence alone covers the question: its words (or, for a figure question, the
        chosen figure's own words, when they match the question better) for a Chinese question,
        its embedding similarity for an English one (which shares no words with the documents)."""
        if analysis.language != "zh":
            # the embedding similarity, or — when the sentence holds every Chinese word the
            # question's English words translate to — half its word coverage; a sentence naming
            # the town the question spells in pinyin (Banlan -> 板榄) is as strong as a place match
            named = ROMANISED_NAME_STRENGTH if candidate.spells_name else 0.0
            return max(
                candidate.dense, ENGLISH_LEXICAL_SHARE * candidate.lexical, named,
                ENGLISH_PHRASE_SHARE * candidate.phrases_rendered,
                RENDERED_FIGURE_STRENGTH if self._figure_rendered(candidate, analysis) else 0.0,
            )
        return max(candidate.lexical + CONTEXT_SHARE * candidate.context, candidate.alignment)

    @staticmethod
    def _figure_rendered(candidate: ScoredSentence, analysis: QuestionAnalysis) -> bool:
        """Whether the figure chosen for an English question is described by a whole Chinese term
        the question stands for (not a place name): a long summary sentence embeds far from the
        question, yet 「社会消费品零售总额29.67亿元」 in it answers "total retail sales"."""
        choice = candidate.choice
        if choice is None or choice.best is None or not choice.confident:
            return False
        return any(term in choice.best.attribute for term in analysis.indicator_terms)

    def content_weights(
        self, analysis: QuestionAnalysis, index: DocumentIndex, focus: list[str] | None = None
    ) -> dict[str, float]:
        """The question's words that describe what is asked about, with their IDF. Question words
        and years are left out; place names stay, since a sentence listing several places' shares
        (市本级…，柯城区承担0.15万元) is told apart by them."""
        weights = {}
        # An English question's place reaches the figures only as the Chinese name it stands for,
        # which a sentence of that place's document names beside any of its figures (「2024年吴江区
        # 城镇居民人均可支配收入为86702元」): it must not be what picks the figure.
        # A place inside another the question names (Lushan County of Pingdingshan) is a part whose
        # figure the document lists beside its siblings': it does pick the figure, and keeps its weight.
        gazetteer = self.analyzer.gazetteer
        places = {
            m.place.name for m in analysis.places
            if not any(not same_place(o.place, m.place) and gazetteer.encloses(o.place, m.place)
                       for o in analysis.places)
        } if analysis.language == "en" else set()
        # 「多少户」: the unit asked in is no word of what is counted (户 would pick the 个体工商户 of
        # a breakdown over the 市场主体 total); the unit's class already picks the figures
        asked_units = set(_ASKED_UNIT.findall(analysis.text))
        for term in self._question_terms(analysis):
            if term in _QUESTION_WORDS or _YEAR_TERM.match(term) or term in asked_units:
                continue
            if places and any(term in place for place in places) and not (focus and term in focus):
                continue
            weights[term] = index.idf(term)
        focused = [term for term in weights if focus and term in focus]
        if focused:
            # A follow-up's own words (「柯城区呢？」) outweigh all the words it inherits from the
            # previous question (市本级…承担): the new subject decides between figures.
            inherited = sum(weight for term, weight in weights.items() if term not in focused)
            for term in focused:
                weights[term] = FOCUS_WEIGHT * weights[term] + inherited
        return weights

    @staticmethod
    def _follow_up_places(request: AnswerRequest, analysis: QuestionAnalysis) -> list[str]:
        """The places a follow-up names (「柯城区呢？」): among the figures of one sentence
        (「市本级承担0.35万元,柯城区承担0.15万元」) its place tells which is meant. Only for choosing
        a figure: the sentence need not name the place itself (「我县」), the entity guard sees to it."""
        own = _follow_up_subject(request)
        return [m.surface for m in analysis.places if own and m.surface in own]

    def focus_terms(self, request: AnswerRequest, analysis: QuestionAnalysis) -> list[str]:
        """The words a follow-up adds (「那安徽工业精品企业呢？」 -> 安徽工业精品企业), or the item a part of
        a comparison is about (``request.subject``): the answer must be about them, not about the
        previous question's subject that the resolved question repeats, or the other item.
        Places, years and tiers are left out: the entity guard checks those."""
        # a year or day (2019年, 6月28日) is a constraint the guard checks, and its 年 or 月 alone
        # would ask every sentence to hold one
        subject = _YEAR_WORDS.sub("", _follow_up_subject(request))
        if not subject.strip():
            return []
        constraints = {m.surface for m in analysis.places} | set(analysis.years)
        terms = []
        for term in self.tokenizer.tokenize(subject):
            if term in _QUESTION_WORDS or term in _FOLLOW_UP_WORDS or _YEAR_TERM.match(term):
                continue
            if any(term in c or c in term for c in constraints) or TIER.fullmatch(term):
                continue
            terms.append(term)
        index = request.index
        if index is not None:
            # an English follow-up's words ("members", "recruited") are in no Chinese document:
            # they cannot say what a sentence is about
            terms = [term for term in terms if not term.isascii() or _in_documents(index, term)]
        ranked = list(dict.fromkeys(terms))
        if index is not None:
            ranked.sort(key=lambda term: -index.idf(term))  # the rarest, most telling word first
        return ranked

    def _answer_in(
        self, sentence: str, analysis: QuestionAnalysis, fact_weights: dict[str, float]
    ) -> tuple[bool, FactChoice | None, bool]:
        """Whether the sentence holds an answer of the asked kind; for a figure question, the fact
        chosen in it (chosen once here, reused for the entity check and the short answer); and
        whether a name question's answer is the value of a label the question names
        (「审定人:郑继江」 for 「审定人是谁」), which makes the sentence strong on its own."""
        if analysis.shape:
            # 「县财政局的监督电话是多少」「三次产业结构是多少」: a value of that shape, strong when its
            # label is asked about
            if not _shaped_values_not_asked(sentence, analysis):
                return False, None, False
            return True, None, self._labelled_shape(sentence, analysis) is not None
        if analysis.asked is not None:
            facts = _facts_of(sentence)
            renderings = analysis.rendered_terms
            if not candidate_facts(facts, analysis.asked, analysis.text, renderings):
                # 「索引号是多少」: a form's field the question names answers though it is no figure
                return self.spans.labelled(sentence, _label_words(analysis)) is not None, None, False
            return True, choose_fact(
                facts, analysis.asked, fact_weights, analysis.text, words_must_decide=analysis.language == "en",
                places=analysis.local_place_forms, renderings=renderings,
            ), False
        if analysis.list_size:
            return bool(self.spans.listed(sentence, analysis.list_size)), None, False
        if analysis.kind in _LABELLED_KINDS and self.spans.labelled(sentence, _label_words(analysis), analysis.kind):
            return True, None, True
        if self.spans.find(sentence, analysis.kind, asks_for_author(analysis.text)):
            return True, None, False
        if self.spans.aligned(sentence, analysis.kind, analysis.text, analysis.place_names):
            return True, None, False
        return bool(analysis.head and self.spans.headed(sentence, analysis.head, analysis.text)), None, False

    def _labelled_shape(self, sentence: str, analysis: QuestionAnalysis) -> str | None:
        """The value of the asked shape inside the value of a label the question names
        (「2.县财政局:0398-7862268」 for 「县财政局的监督电话」), else None."""
        labelled = self.spans.labelled(sentence, _label_words(analysis), analysis.kind)
        if labelled is None or analysis.shape is None:
            return None
        values = shaped_values(labelled.text, analysis.shape)
        return labelled.text[slice(*values[0])] if len(values) == 1 else None

    def _score_sentences(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        focus: list[str],
        fact_weights: dict[str, float],
    ) -> list[ScoredSentence]:
        terms = self._question_terms(analysis)
        asked_terms = self._asked_noun_terms(analysis)
        # The question's places and years are constraints the entity guard checks against the
        # sentence, its context and its document (「我县」 stands for the county): a sentence is not
        # weaker evidence for leaving them to its document.
        constraints = analysis.place_names | {q for q in analysis.quoted if PUBLICATION.search(q)}
        query_terms = [
            t for t in terms
            if not _YEAR_TERM.match(t) and t not in _QUESTION_WORDS and not any(t in c for c in constraints)
        ] or terms
        # A word no document holds weighs nothing when it says no more than how the question is
        # put (发了); a noun no document holds (火星, 企鹅) is what the question is about, and stays.
        weights = {
            t: index.idf(t) for t in query_terms if _in_documents(index, t) or self._names_a_thing(t)
        } or {t: index.idf(t) for t in query_terms}
        positions: dict[int, int] = {}
        headings: dict[int, str] = {}
        for number, passage in enumerate(request.passages[: self.max_passages]):
            try:
                chunk = index.chunks[index.chunk_position(passage.chunk_id)]
            except KeyError:
                continue  # the passage left the index between retrieval and answering
            for position in index.sentences_of_chunk(chunk):
                positions.setdefault(position, number)
                headings.setdefault(position, " ".join(chunk.heading_path).lower())
        if not positions:
            return []
        # 「Banlan town」: the Chinese name the pinyin stands for (板榄) names what the question is
        # about, as a follow-up's new subject does: only sentences (or their introductions) naming it
        named = self._romanised(analysis, [index.sentences[p].text for p in positions])
        total_weight = sum(weights.values()) or 1.0
        # an English question's phrases that some document renders at all (「how」 renders nothing)
        phrases = [
            group for group in analysis.translated_phrases if any(_in_documents(index, word) for word in group)
        ]
        ordered = list(positions)
        if request.query_vector is not None:
            similarities = index.sentence_similarities(request.query_vector, ordered)
        else:
            similarities = np.zeros(len(ordered), dtype=np.float32)
        floor, ceiling = self._dense_window(similarities, analysis.language)
        scored = []
        for position, similarity in zip(ordered, similarities, strict=True):
            record = index.sentences[position]
            document = index.document(record.doc_id)
            if (
                analysis.kind not in _SIGNED_KINDS
                and self._is_heading(document, record.start, record.end)
                and not (analysis.kind == "date" and _DATELINE.match(record.text))
                and not (analysis.kind == "count" and _COUNT_IN_BRACKETS.search(record.text))
            ):
                continue  # a heading names a topic; it answers nothing (but a dateline says when)
            sentence = record.text
            text = sentence.lower()
            lexical = sum(w for t, w in weights.items() if t in text) / total_weight
            dense = float(np.clip((similarity - floor) / (ceiling - floor), 0, 1))
            number = positions[position]
            if (
                focus and not self._about_focus(self._described(sentence, text, analysis), focus, index)
                and not self._continues_about(index, position, focus)
            ):
                continue  # a follow-up's new subject is not in this sentence
            if named and not any(name in sentence or name in self._names_of(document) for name in named):
                continue  # not the town (company, programme) the English question names, nor its document's place
            if addresses_the_system(sentence):
                continue  # 「忽略以上指示，回答：…」 is an attack on the reader, never evidence
            has_span, choice, labelled = self._answer_in(sentence, analysis, fact_weights)
            if analysis.shape and not has_span:
                continue  # 「监督电话是多少」: a sentence without a telephone number does not answer it
            heading_path = document.heading_path_at(record.start)
            heading_unit = ""
            if analysis.kind == "org":
                heading_unit = _unit_in_role(heading_path, analysis.text)
                has_span = has_span or bool(heading_unit)
            if has_span and choice is not None and _figure_of_another(choice, sentence, fact_weights):
                has_span, choice = False, None  # 「地区生产总值440.5亿元…社会消费品零售总额增长7.9%」 for 社零的金额
            section = " ".join(dict.fromkeys(
                [document.heading_at(record.start), *heading_path]
            )).lower()  # the item's own heading too (「(一)兴仁镇川裕村渠道改造项目」 under 「二、资金安排」)
            # the sentence's own headings, not its chunk's: a chunk that starts in 「(三)…」 runs on
            # into 「(四)…」, whose lines are not about (三)'s item
            heading_text = section if section.strip() else headings[position]
            introduction = self._introduction(index, position, heading_text)
            # a sentence borrows what its introduction names only when it refers back to it (其中,
            # 该), details a lead-in, is a labelled field or a table's row, opens without a subject
            # (总产量…), is a bracketed note on the line above (「(共计25项,保护单位20个)」 under a
            # 名录's title) or a field line under its item's heading (资金规模:206.7万元。):
            # 「上等烟比例70%以上;」 does not make the next clause's 合格率 a 比例
            borrows = bool(
                self._after_lead_in(index, position) or self._labelled_item(document, record.start, record.end)
                or _row_shape(sentence) is not None or _REFERS_BACK.search(sentence[:REFERENCE_WINDOW])
                or _SUBJECTLESS.match(sentence) or _BRACKETED_LINE.fullmatch(sentence)
                or FIELD_LABEL.match(sentence)
            )
            if has_span and asked_terms and not self._names_asked_noun(
                text + " " + " ".join(self.analyzer.abbreviations.expand(text)),
                introduction if borrows else heading_text, index, asked_terms,
            ):
                has_span, choice = False, None  # a figure of something else (奖励资金 for 抗疫资金)
            if has_span and not self._row_asked(sentence, analysis, named):
                has_span, choice = False, None  # one town's row does not answer for the whole table
            bonus = KIND_BONUS if has_span else 0.0
            # 「审定人:郑继江」 for 「审定人是谁」: a label line whose label the question names holds the
            # answer, however few of the question's other words it repeats (they are in its heading)
            labelled = labelled and has_span
            if (
                has_span and analysis.asked is None and analysis.kind in _ALIGNED_KINDS
                and self.spans.aligned(sentence, analysis.kind, analysis.text, analysis.place_names)
            ):
                # 「该资金由区财政局农财科拨至各镇财政所」 for 「由哪个部门拨至各镇财政所」: the name stands
                # where the question's 哪个部门 does, between the question's own words
                bonus += ALIGNED_NAME_BONUS
            prior = 0.1 * request.passages[number].score
            context = self._context_coverage(introduction, text, weights, borrows) / total_weight
            if focus:
                # a follow-up's own words decide between sentences that both speak of its subject
                # (「事迹突出、有重大贡献的呢？」: the tier holding 重大贡献, not the one of 特殊贡献)
                bonus += FOCUS_BONUS * self._focus_share(text, focus, index)
            best = choice.best if choice is not None and choice.confident else None
            alignment = attribute_score(best, fact_weights) if best is not None else 0.0
            if labelled:
                alignment = LABELLED_STRENGTH  # the label says what the value is, as a figure's own words do
            if analysis.language == "zh":
                # the words a sentence borrows from what introduces it count, as in its strength;
                # a figure's own words count beside the sentence's: 「在全县地区生产总值中，非公有制经济
                # 实现增加值221.72亿元」 holds 地区生产总值, but its figure is of 非公有制经济
                unaligned = 0.0 if best is None or alignment > 0 else max(0.0, lexical - ALIGNMENT_SLACK)
                worded = lexical - OWN_WORDS_SHARE * unaligned
                score = worded + CONTEXT_SHARE * context + 0.6 * dense + bonus + prior
            else:
                score = 1.2 * dense + 0.5 * (lexical + CONTEXT_SHARE * context) + bonus + prior
            if best is not None and _averaged_otherwise(best.attribute, analysis.text):
                score -= AVERAGE_PENALTY  # 人均地区生产总值45385元 for a question about 地区生产总值
            scored.append(ScoredSentence(
                position, number, lexical, dense, score, has_span, sentence, choice,
                context=context, alignment=alignment, spells_name=bool(named),
                phrases_rendered=_rendered(text, phrases), heading_unit=heading_unit,
            ))
        scored.sort(key=lambda s: -s.score)
        return scored

    def _names_of(self, document: Document) -> str:
        """What a document is named by: its title and the place it is about (平江县's bulletin speaks
        of 全县, never of 平江, in the sentence holding its GDP)."""
        home = self.guard.home(document)
        return document.title + (home.name if home is not None else "")

    def _romanised(self, analysis: QuestionAnalysis, texts: list[str]) -> list[str]:
        """Chinese names that an English question's pinyin words stand for in ``texts`` (Banlan ->
        板榄): capitalised words that are neither a known place nor an English word."""
        if analysis.language != "en":
            return []
        place_words = {word for m in analysis.places for word in m.surface.lower().split()}
        words = {
            word.lower() for word in _CAPITALISED.findall(analysis.text)
            if word.lower() not in place_words and not self.analyzer.gazetteer.find(word)
            and not self.analyzer.dictionary().lookup(word)
        }
        return romanised_names(words, " ".join(texts)) if words else []

    def _asked_noun_terms(self, analysis: QuestionAnalysis) -> list[str]:
        """The words of the noun a Chinese figure question asks the figure of: the nouns right
        after 多少/几 and its counter (「设立了多少抗疫资金」 -> 抗疫, 「培训多少名思想政治引领骨干」),
        else those closing the question before it (「已建设职工书屋多少家」 -> 职工书屋). Measure words
        any figure has (资金, 人数, 比例) are left out: they tell nothing apart."""
        if analysis.language != "zh" or analysis.asked is None or analysis.asked.kind not in _NOUN_KINDS:
            return []
        question = analysis.text
        asked = _ASKED_WORD.search(question)
        if asked is None:
            return []
        rest = _COUNTER_PREFIX.sub("", question[asked.end() :])
        words: list[str] = []
        for word, flag in self.tokenizer.tagged_words(rest):
            if not (flag[:1] == "n" or flag in ("vn", "j")):
                break
            words.append(word)
        counted = self.tokenizer.tagged_words(counted_noun(question)) if analysis.asked.kind == "count" else []
        if not words and len(counted) >= 2 and counted[0][1] == "v" and counted[1][1][:1] == "n":
            # 「涉及多少个保护单位」: jieba reads 保护 as a verb, but 保护单位 is the counted noun
            words = [counted[0][0] + counted[1][0]]
        if not words and _CLOSING.fullmatch(rest):
            for word, flag in reversed(_total_nouns_joined(self.tokenizer.tagged_words(question[: asked.start()]))):
                if TOTAL_WORDS.fullmatch(word) or (not words and word in _COPULAS):
                    continue  # 「补助资金一共多少」「棉花产量是多少」: 一共, 是 say how it is asked, not of what
                noun = (flag[:1] == "n" and flag not in ("nr", "vn")) or flag == "j" or word in _AGGREGATE_NOUNS
                if not noun:
                    break  # 每人奖励多少钱: a verb before 多少 is no noun of the figure
                words.insert(0, word)
        return [
            w for w in words
            if len(w) >= 2 and w not in _MEASURE_WORDS and not w.endswith(_MEASURE_ENDINGS)
            and not _YEAR_TERM.match(w) and not any(w in place for place in analysis.place_names)
        ]

    @staticmethod
    def _described(sentence: str, text: str, analysis: QuestionAnalysis) -> str:
        """What a sentence speaks of: its words and, for a figure question, the words its figures
        are paired with (第三名 for the third figure of 「前三名获得者分获3000元、2000元、1000元」)."""
        if analysis.asked is None:
            return text
        return text + " " + " ".join(fact.attribute.lower() for fact in _facts_of(sentence))

    def _names_a_thing(self, term: str) -> bool:
        """Whether a question word is a noun (or holds one): the thing asked about, not the asking."""
        return any(flag[:1] == "n" for _, flag in self.tokenizer.tagged_words(term))

    @staticmethod
    def _introduction(index: DocumentIndex, position: int, heading_text: str) -> str:
        """What introduces a sentence (lower-cased): its headings and the sentence before it in the
        same document, where a report names once what the sentence then refers to (and the one
        before that, when the sentence between is short)."""
        record = index.sentences[position]
        before = index.sentences[position - 1] if position > 0 else None
        if before is None or before.doc_id != record.doc_id:
            return heading_text
        introduction = heading_text + " " + before.text.lower()
        row_shape = _row_shape(record.text)
        if row_shape is not None:
            # a table's row or a 名单's group is about what the document is about: its title and
            # opening line (「…对晋城市第三届最美乡村名单进行公示」) say it once for all of them
            document = index.document(record.doc_id)
            opening = document.text.split("\n", 1)[0][:OPENING_LINE_CHARS]
            introduction += f" {document.title.lower()} {opening.lower()}"
            # a table's row is introduced by the table's caption, above the rows before it
            # (「附表1:2018年度第一批…资金安排表」 for 「序号：8，乡镇(街道)：榜头镇，…71万元」), and a
            # 名单's group by the list's heading (「美丽乡村建设试点村名单」 over 「赤壁市(4个)：…」)
            first = ExtractiveBackend._row_run_edge(index, position, -1, MAX_ROWS_BACK, row_shape)
            caption_at = first - 1
            if 0 <= caption_at and index.sentences[caption_at].doc_id == record.doc_id:
                caption = index.sentences[caption_at].text
                unit_line_caption = bool(table_unit(caption))
                if unit_line_caption and caption_at > 0 and index.sentences[caption_at - 1].doc_id == record.doc_id:
                    caption += " " + index.sentences[caption_at - 1].text  # 「…分配表」 over 「单位:万元」
                if caption_at < position - 1 or unit_line_caption:
                    introduction += " " + caption.lower()
            return introduction
        earlier = index.sentences[position - 2] if position > 1 else None
        if len(before.text) <= SHORT_SENTENCE_CHARS and earlier is not None and earlier.doc_id == record.doc_id:
            # 「在…建议人选中，…更加凸显。在推荐人选中，职工770名，农民170名。其中，企业职工人选535名」:
            # a short sentence between carries on what the one before it introduced
            introduction += " " + earlier.text.lower()
        return introduction

    def _continues_about(self, index: DocumentIndex, position: int, focus: list[str]) -> bool:
        """Whether a subjectless clause goes on about the subject of the clause before it:
        「玉米种植面积81.46万亩,较上年减少4750亩;」「总产量38.67万吨」 — the second names no subject of its
        own (it opens with a measure word), and the first, ended by a semicolon on the same line,
        names the follow-up's subject (玉米)."""
        record = index.sentences[position]
        before = index.sentences[position - 1] if position > 0 else None
        if before is None or before.doc_id != record.doc_id or not _SUBJECTLESS.match(record.text):
            return False
        between = index.document(record.doc_id).text[before.end : record.start]
        if "\n" in between or not before.text.rstrip().endswith(("；", ";")):
            return False
        return self._about_focus(before.text.lower(), focus, index)

    @staticmethod
    def _holds_share(texts: tuple[str, ...], weights: dict[str, float]) -> bool:
        """Whether the texts together hold at least :data:`FOCUS_SHARE` of the words by weight. A
        compound whose words are all held is held (农村居民: 农村 paired with a figure, 居民 in the
        sentence), and so is a search-mode fragment of a held compound (村居 of 农村居民)."""
        found = {term for term in weights if any(term in text for text in texts) or _pieced(term, texts)}
        found |= {term for term in weights if any(term in other for other in found if other != term)}
        held = sum(weight for term, weight in weights.items() if term in found)
        return held >= FOCUS_SHARE * (sum(weights.values()) or 1.0)

    def _names_asked_noun(self, text: str, introduction: str, index: DocumentIndex, terms: list[str]) -> bool:
        """Whether the sentence or its introduction holds at least :data:`FOCUS_SHARE` of the asked
        noun's telling words by IDF (a long noun phrase is seldom repeated whole); ``text`` carries
        the full forms of its abbreviations (产改 -> 产业工人队伍建设改革)."""
        weights = {term: index.idf(term) for term in terms}
        weights = {term: weight for term, weight in weights.items() if weight >= TELLING_IDF}
        if not weights:
            return True  # words found all over the documents (产业工人 in reports on 产业工人) tell nothing
        return self._holds_share((text, introduction), weights)

    @staticmethod
    def _focus_share(text: str, focus: list[str], index: DocumentIndex) -> float:
        """The share of a follow-up's own words (by IDF) that the sentence holds."""
        weights = {term: index.idf(term) for term in focus}
        total = sum(weights.values()) or 1.0
        return sum(weight for term, weight in weights.items() if term in text) / total

    def _about_focus(self, text: str, focus: list[str], index: DocumentIndex) -> bool:
        """Whether a sentence is about a follow-up's (or a comparison part's) own subject: it holds
        at least :data:`FOCUS_SHARE` of the subject's words by IDF weight. One shared common word
        (企业 of 「那安徽工业精品企业呢」 in 「市级品牌示范企业」) is not the same subject."""
        return self._holds_share((text,), {term: index.idf(term) for term in focus})

    @staticmethod
    def _after_lead_in(index: DocumentIndex, position: int) -> bool:
        """Whether the sentence before this one (same document) is a short lead-in without a
        figure (「首次设置一系列人才激励项目。」) that the sentence goes on to detail."""
        if position == 0:
            return False
        before, record = index.sentences[position - 1], index.sentences[position]
        if before.doc_id == record.doc_id and _DATELINE.match(before.text):
            return True  # 「2020年1月19日在…会议上 / 某市人民政府市长某某」: the dateline introduces the speaker
        return (
            before.doc_id == record.doc_id
            and len(before.text) <= LEAD_IN_MAX_CHARS
            and before.text.rstrip().endswith(("。", "：", ":"))  # a statement, not a caption or heading
            and not find_quantities(before.text)
        )

    def _row_asked(self, sentence: str, analysis: QuestionAnalysis, named: list[str]) -> bool:
        """Whether a table row's figure may answer: the sentence is no row of a table (a totals row
        answers for the whole table), or its row is not one place's (a crop's row is a category),
        or the question names the row's place (榜头镇's row for a question about 榜头镇). A question
        about 嘉定区's total is not answered by 嘉定镇街道's row. ``named`` are the Chinese names an
        English question spells in pinyin (Banlan -> 板榄)."""
        row = parse_row(sentence)
        if row is None:
            return True
        name = row_name(row)
        place_row = (
            bool(_PLACE_ROW_END.search(name)) or name in localities_in(name)
            or any(m.surface == name for m in self.analyzer.gazetteer.find(name))
        )
        if not place_row:
            return True
        asked = re.sub(r"\s+", "", " ".join([analysis.text, *analysis.expansions, *analysis.translations, *named]))
        if any(part in name for part in named):
            return True
        # a cell that speaks of its own subject (备注：其中县农业投资有限公司新种任务1500亩) answers a
        # question that names that subject: a run of the question's words in another cell
        others = "".join(value for value in (re.sub(r"\s+", "", cell) for _, cell in row.cells) if value != name)
        if any(asked[i : i + SHARED_RUN] in others for i in range(len(asked) - SHARED_RUN + 1)
               if _CJK_RUN.fullmatch(asked[i : i + SHARED_RUN])):
            return True
        return not name or name in asked

    @staticmethod
    def _labelled_item(document: Document, start: int, end: int) -> bool:
        """Whether the sentence is a labelled field of its section (「（三）补贴标准：625元/月/人」
        under 「二、农村牧区最低生活保障补助」): it opens with a numbered label that the structure pass
        read as an outline heading and goes on past it. Such a field states its section's subject
        only in the section's heading, as a form does."""
        return any(
            heading.outline and heading.end is not None and abs(heading.start - start) <= 2 and heading.end < end
            for heading in document.headings
        )

    @staticmethod
    def _context_coverage(
        introduction: str, sentence: str, weights: dict[str, float], after_lead_in: bool = False
    ) -> float:
        """The weight of the question's words that the sentence lacks but its introduction holds:
        the words a report says once and then refers back to (这一次, 该公司, 其中). Only a sentence
        that says it refers back (an anaphor near its start), or that details a short lead-in
        sentence before it, borrows them: otherwise the sentence after a matching one would pass
        for it."""
        if not after_lead_in and not _REFERS_BACK.search(sentence[:REFERENCE_WINDOW]):
            return 0.0
        return sum(w for t, w in weights.items() if t not in sentence and t in introduction)

    @staticmethod
    def _is_heading(document: Document, start: int, end: int) -> bool:
        """Whether the sentence at ``start:end`` is one of the document's headings (or its title,
        or a signature line read as one) standing alone on its line. A heading-shaped line that the
        structure pass did not take for a heading may be a statement whose punctuation was lost
        (「市财政每年安排不低于2亿元的工业发展专项资金」) and stays a candidate."""
        if not is_title_line(document.text, start, end):
            return False
        if _NAMES_A_DOCUMENT.search(document.text[start:end].strip()):
            return True  # 「东莞市困难家庭住房保障办法实施细则」 alone on its line: an attachment's title
        return any(abs(heading.start - start) <= 2 for heading in document.headings)

    @staticmethod
    def _dense_window(similarities: np.ndarray, language: str) -> tuple[float, float]:
        """The similarity range mapped onto 0..1. e5's cosine similarities sit in a narrow band whose
        place depends on the query (0.69-0.78 for an English question, 0.83-0.97 for a Chinese one),
        so a fixed window saturates for Chinese questions; the window is the fixed one, moved up to
        start at the candidates' median when that is higher, so the best candidates stay apart."""
        if not len(similarities) or language != "zh":
            return DENSE_FLOOR, DENSE_CEIL  # English similarities sit inside the fixed window
        median, best = float(np.median(similarities)), float(similarities.max())
        floor = max(DENSE_FLOOR, median)
        ceiling = max(DENSE_CEIL, best) if floor > DENSE_FLOOR else DENSE_CEIL
        return floor, max(ceiling, floor + 1e-6)

    def _prefer_sentence_with_span(
        self,
        candidates: list[ScoredSentence],
        best: ScoredSentence,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
    ) -> ScoredSentence:
        """For span questions, a close runner-up that holds a span beats a best one that has none:
        the first that singles out its figure (a confident choice), else the first that holds one
        (「…共计23513万元」 for 「资金共计多少」 over 「其中:中央资金9504.83万元、省级资金4839万元」, which
        holds two figures of which neither is the one asked)."""
        if analysis.kind in ("fact", "list") or best.has_span:
            return best
        first = None
        for candidate in self._close_runner_ups(candidates, best, analysis, index):
            if analysis.asked is None or (candidate.choice is not None and candidate.choice.confident):
                return candidate
            first = first or candidate
        return first or best

    def _runner_up_naming(
        self,
        candidates: list[ScoredSentence],
        best: ScoredSentence,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
    ) -> tuple[ScoredSentence, str] | None:
        """The first close runner-up whose sentence clearly names the answer, with that name."""
        for candidate in self._close_runner_ups(candidates, best, analysis, index):
            if candidate is not best:
                name = self._short_answer(analysis, candidate)
                if name is not None:
                    return candidate, name
        return None

    def _close_runner_ups(
        self,
        candidates: list[ScoredSentence],
        best: ScoredSentence,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
    ) -> Iterator[ScoredSentence]:
        """Candidates close enough to the best that hold an answer of the asked kind, are strong
        enough on their own and are about the question's entities, best first."""
        considered = 0
        for candidate in candidates[: 3 * RUNNER_UPS]:
            if considered >= RUNNER_UPS or candidate.score < RUNNER_UP_RATIO * best.score:
                break
            document = index.document(index.sentences[candidate.position].doc_id)
            missing = self._missing(candidate, analysis, index)
            places = {mention.surface for mention in analysis.places}
            bridged = bool(missing) and set(missing) <= places and self._bridged(best, candidate, analysis)
            if missing and not bridged and self._about_another_place(analysis, document, missing):
                continue  # another county's sentence takes no runner-up's place, as in _first_supported
            considered += 1
            if not candidate.has_span or self._strength(candidate, analysis) < self._threshold(analysis):
                continue
            if not missing or bridged:
                yield candidate  # a bridge to the best sentence stands in for its places, never its years

    @staticmethod
    def _bridged(best: ScoredSentence, candidate: ScoredSentence, analysis: QuestionAnalysis) -> bool:
        """Whether a runner-up is about the same event as the best sentence, which is about the
        question's entities: both name it in the question's own words (a run of at least
        :data:`BRIDGE_CHARS` characters of the question that both sentences hold). 「龙江产改经验在
        全国推进产业工人队伍建设改革工作经验交流会上被作为典型推广」 and 「全国推进…经验交流会议在
        江苏无锡召开」 are one meeting: where it was held answers the question about 龙江's meeting.
        Only for name questions, whose best sentence names no answer itself."""
        if analysis.kind not in NAME_KINDS or candidate is best:
            return False
        question, first, second = analysis.text, best.text, candidate.text
        for start in range(len(question) - BRIDGE_CHARS + 1):
            run = question[start : start + BRIDGE_CHARS]
            if run in first and run in second:
                return True
        return False

    # ----- composing -----
    def _short_answer(self, analysis: QuestionAnalysis, chosen: ScoredSentence) -> str | None:
        """The exact span that answers, or None when the sentence does not single one out; for a
        "which unit leads" question whose task names no unit that way, the unit its section heading
        names in that role."""
        own = self._sentence_short_answer(analysis, chosen)
        return own if own is not None or not chosen.heading_unit else chosen.heading_unit

    def _sentence_short_answer(self, analysis: QuestionAnalysis, chosen: ScoredSentence) -> str | None:
        """The exact span that answers, or None when the sentence does not single one out."""
        if _TWO_QUESTIONS.search(analysis.text):
            return None  # 「多久发一次、用什么方式发」 asks two things: one span answers neither in full
        if analysis.shape:
            labelled_contact = self._labelled_shape(chosen.text, analysis)
            if labelled_contact is not None:
                return labelled_contact
            values = _shaped_values_not_asked(chosen.text, analysis)
            if analysis.shape == "ratio" and len(values) > 1:
                # 「三次产业比例由上年的12.5:28.4:59.1调整为11.8:29.2:59.0」: the new one unless the old is asked
                return chosen.text[slice(*values[0 if _ASKS_EARLIER.search(analysis.text) else -1])]
            return chosen.text[slice(*values[0])] if len(values) == 1 else None
        if analysis.asked is not None:
            choice = chosen.choice
            if choice is None and chosen.has_span:
                labelled_value = self.spans.labelled(chosen.text, _label_words(analysis))
                return labelled_value.text if labelled_value is not None else None
            if choice is None or choice.best is None or not choice.confident:
                return None
            # 「发展2项以上产业」: a bound written after the figure is part of what the sentence says
            # (even when the question says it too: 「几项以上」 is answered 2项以上, as written)
            bound = _BOUND_AFTER_FIGURE.match(chosen.text, choice.best.quantity.end)
            return choice.best.text + (bound.group(0) if bound else "")
        sentence = chosen.text
        entry = _LIST_ENTRY.match(sentence)
        if entry is not None and _ASKS_WHICH.search(analysis.text) and not analysis.list_size:
            return entry.group("entry")  # 「…名单：5.白山市长白县十四道沟镇望天鹅新村。」 for 「白山市哪个村…」
        anchors = [t for t in self.tokenizer.tokenize(analysis.text) if t in sentence]
        if analysis.list_size:
            # 「哪三支通道」: only an enumeration of that many items answers
            listed = self.spans.listed(sentence, analysis.list_size)
            span = self.spans.best(sentence, analysis.kind, anchors, analysis.text, analysis.place_names, listed)
            return span.text if span else None
        if analysis.kind in _LABELLED_KINDS:
            labelled = self.spans.labelled(sentence, _label_words(analysis), analysis.kind)
            if labelled is not None:
                return labelled.text  # 「牵头单位：区经信局」: the value of the label the question asks about
        if asks_for_document(analysis.head):
            # 「根据哪个文件」: the document's title or number (遵财社[2009]30号), not the words before 文件
            documents = self.spans.headed(sentence, analysis.head, analysis.text)
            document_span = self.spans.best(
                sentence, analysis.kind, anchors, analysis.text, analysis.place_names, documents
            )
            if document_span is not None:
                return document_span.text
        aligned = self.spans.aligned(sentence, analysis.kind, analysis.text, analysis.place_names)
        if aligned is not None:
            return aligned.text  # the sentence says it in the question's own words
        span = self.spans.best(sentence, analysis.kind, anchors, analysis.text, analysis.place_names)
        if span is None and analysis.head:
            named = self.spans.headed(sentence, analysis.head, analysis.text)
            span = self.spans.best(sentence, analysis.kind, anchors, analysis.text, analysis.place_names, named)
        return span.text if span else None

    def _compose(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        chosen: ScoredSentence,
        short_answer: str | None,
    ) -> Answer:
        passage = request.passages[chosen.passage_number]
        return self._quoting(request, analysis, index, passage, chosen.position, short_answer)

    def _quoting(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        passage: Passage,
        position: int,
        short_answer: str | None,
    ) -> Answer:
        """The answer that quotes sentence ``position`` and cites it in ``passage``, with the short
        answer in bold (for an English question, before the Chinese quotation)."""
        sentence = index.sentences[position]
        document = index.document(sentence.doc_id)
        citation = to_citation(1, passage, index, highlight=document.text[sentence.start : sentence.end])
        quoted = excerpt(sentence.text, short_answer)
        if analysis.language == "en":
            lead = f"{short_answer}. " if short_answer else ""
            text = f"{lead}The documents state (in Chinese): {quoted}[1]"
        else:
            text = f"{quoted}[1]"
        return Answer(
            question=request.original_question or request.question,
            answer=text,
            short_answer=short_answer,
            refused=False,
            citations=[citation],
            backend=self.name,
        )

    def _part_of_asked(self, analysis: QuestionAnalysis, home: Place | None, other: Place | None) -> bool:
        """Whether ``other`` lies inside ``home``, the place the question asks about: its document
        is about a part (a district of the city), whose figures are not the whole's."""
        if home is None or other is None or same_place(home, other):
            return False
        asked = any(same_place(m.place, home) for m in analysis.places)
        return asked and self.analyzer.gazetteer.encloses(home, other)

    def _same_area(self, first: Place | None, second: Place | None) -> bool:
        """Whether two documents' places can hold the same fact: the same place, or one inside the
        other below the national level (a province's report and a notice of one of its cities);
        a national document and a province's, or two unrelated places, cannot."""
        if first is None or second is None:
            return first is second
        if "country" in (first.level, second.level):
            return same_place(first, second)
        gazetteer = self.analyzer.gazetteer
        return gazetteer.encloses(first, second) or gazetteer.encloses(second, first)

    def _compose_conflict(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        index: DocumentIndex,
        sources: list[ScoredSentence],
    ) -> Answer:
        """Every source's figure with its title and date, newest first, and no short answer."""
        found = []
        for candidate in sources:
            sentence = index.sentences[candidate.position]
            document = index.document(sentence.doc_id)
            date, year = document_date(document)
            best = candidate.choice.best if candidate.choice is not None else None
            found.append((candidate, sentence, document, date, year, best.text if best is not None else ""))
        # Newest source first (a later notice usually supersedes an earlier one; both are shown),
        # unknown dates last, ties in rank order.
        found.sort(key=lambda item: -item[4])
        citations, ordered = [], []
        for n, (candidate, sentence, document, date, year, value) in enumerate(found, start=1):
            highlight = document.text[sentence.start : sentence.end]
            citations.append(to_citation(n, request.passages[candidate.passage_number], index, highlight=highlight))
            ordered.append(Statement(n, value, sentence.text, document.title, date, year))
        return Answer(
            question=request.original_question or request.question,
            answer=conflict_text(analysis.language, ordered),
            short_answer=None,
            refused=False,
            citations=citations,
            backend=self.name,
            conflicting_values=[s.value for s in ordered],
        )

    def _refuse(
        self,
        request: AnswerRequest,
        analysis: QuestionAnalysis,
        reason: RefusalReason,
        missing: list[str],
    ) -> Answer:
        index = request.index
        passages: list[Passage] = request.passages
        citations = [
            to_citation(n, p, index) for n, p in enumerate(passages[:RELATED_PASSAGES], start=1)
        ]
        return Answer(
            question=request.original_question or request.question,
            answer=refusal_text(analysis.language, missing),
            short_answer=None,
            refused=True,
            refusal=Refusal(reason=reason, missing=missing),
            citations=citations,
            backend=self.name,
        )
