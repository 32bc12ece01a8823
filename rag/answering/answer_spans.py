"""Short answers that are names: people, organisations, places and editions (第三十二次).

Figures are typed facts (:mod:`rag.answering.facts`); this module finds the other kinds of exact
answer. People come from jieba's part-of-speech tags (with a surname check), organisations from
their endings (省总工会, 市人民政府, 残疾人联合会) and jieba's tags, places from the national
gazetteer, editions from the typed-figure patterns.

A name is a short answer only when it clearly answers:
* never a name the question itself contains or is about (河北省 for a 河北 question);
* never a byline or photo credit (「文/张某」「李某供图」「记者 王某」) for a person;
* the candidate nearest after the question's own words, or beside a title the question names
  (主席, 县长, 联系人), must win by a margin; a tie between different names gives no short answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass

from rag.answering.question import LIST_COUNTERS, AnswerKind
from rag.text.patterns import (
    CJK_RANGE,
    DOCUMENT_NOUNS,
    DOCUMENT_NUMBER,
    ORG_SUFFIX_ALTERNATION,
    PERSON_TITLES,
)
from rag.text.places import Gazetteer
from rag.text.quantities import find_quantities
from rag.text.tokenizing import ChineseTokenizer

#: A question about a document that the named one cites or carries out (「…意见依据的中办文件文号」,
#: 「根据哪个文件」): its own number, issuer or date is not the answer.
#: (「湛江市转发省农业厅…通知的文号」 names the 转发 notice itself by its title: only 所转发/转发的/
#: 被转发 ask about the document it forwards.)
ASKS_CITED_DOCUMENT = re.compile(
    r"依据|根据|按照|遵照|所转发|转发的|被转发|贯彻|落实|引用|援引|参照|上级"
    r"|\bbased on\b|\baccording to\b|\bpursuant\b|\bcites?\b|\bforwarded\b",
    re.I,
)
#: A clause that cites another document before its number (「根据…《关于…的通知》【闽财农指[2017]172号】」).
CITING_CLAUSE = re.compile(r"(?:依据|根据|按照|遵照|转发|贯彻|落实|参照)[^，,。；;：:]*$")

#: Organisation endings beyond the shared list that matter for the names officials ask about.
_MORE_ORG_ENDINGS = (
    "联合会|联席会议?办公室|党委会|常委会|党委|纪委|文明委|发改委|管委会|管理委员会|"
    "工作组|指挥部|事务所|研究院|研究所|医院|银行|学校|商会|合作社|"
    # the stations and offices of a county's services (县农村供水管理总站, 乡镇财政所)
    "总站|管理站|服务站|工作站|管理所|服务所|财政所|卫生院|用水户协会|村委会|居委会"
)
_ORG_ENDING = re.compile(rf"(?:{_MORE_ORG_ENDINGS}|{ORG_SUFFIX_ALTERNATION})$")
_ORG_SUFFIX = re.compile(rf"[{CJK_RANGE}（）()]{{2,24}}?(?:{_MORE_ORG_ENDINGS}|{ORG_SUFFIX_ALTERNATION})")
_ORG_SUFFIX_AT_END = re.compile(rf"(?:{_MORE_ORG_ENDINGS}|{ORG_SUFFIX_ALTERNATION})$")
#: Words that open a clause, not a name: 根据中共中央办公厅 is 中共中央办公厅.
_LEADING_FUNCTION_WORDS = re.compile(r"^(?:根据|依据|按照|经过|经|由|在|对|向|从|为|将"
    r"|把|被|与|和|及|同|以|并|请|报|其中|会同|联合)+")
#: Common Chinese surnames: a "person" that does not start with one is a mis-tagged word (宝贵, 隆重举行).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_TITLE = re.compile(PERSON_TITLES)
_TITLE_AT_END = re.compile(f"(?:{PERSON_TITLES})$")
#: A two- or three-character name after a title that closes the line or clause (县长 田兴国).
_NAME_AFTER_TITLE = re.compile(rf"[\s:：]*([{CJK_RANGE}]{{2,6}})(?=$|[\s，,。；;）)])")
#: A byline or photo credit around a name: 「文/张洪岩」「张洪岩供图」「记者 王某」「摄影：李某」.
_CREDIT_BEFORE = re.compile(r"(?:文|图|摄影|摄|记者|通讯员|编辑|责编|责任编辑|作者|撰稿|来源)\s*[/／:：|｜]?\s*$")
_CREDIT_AFTER = re.compile(r"^\s*(?:供图|摄影?|/文|／文|报道|编辑|整理|撰稿)")
_POS_FOR_KIND = {"person": "nr", "org": "nt"}
#: Characters that end a clause or join words: an organisation's name never spans them.
_NOT_IN_ORG_NAMES = "的被在将对把为是了、，,；;：:“”\"《》"
#: Words joining two units (县人社局和县财政局) that are also part of one unit's name
#: (工业和信息化局, 住房和城乡建设局): a cut only after a complete unit name.
_ORG_JOINERS = "和与及"
#: The tier a unit's name may start with (县农业农村局, 市财政局), which jieba leaves as a lone character.
_TIER_PREFIXES = "省市县区乡镇"
_ASKS_AUTHOR = re.compile(r"作者|署名|撰稿|撰文|执笔|供稿|\bauthor|written by|byline", re.I)
#: A name in quotation marks or title marks (“龙工之家”, 「匠心坊」, 《实施方案》): how official documents
#: set off the name of an app, a brand, a campaign or a document.
_QUOTED_NAME = re.compile(r"[“「『《\"]([^“”「」『』《》\"]{2,40})[”」』》\"]")
#: One enumeration: items joined by 、 (the last maybe by 和/及/以及/与); items are cut to whole
#: words afterwards (see SpanFinder._enumerations).
_ENUMERATION = re.compile(
    rf"[{CJK_RANGE}A-Za-z0-9（）()]{{2,24}}(?:、[{CJK_RANGE}A-Za-z0-9（）()]{{1,16}})+"
    rf"(?:(?:以及|和|及|与)[{CJK_RANGE}A-Za-z0-9（）()]{{1,16}})?"
)
_ENUMERATION_SPLIT = re.compile(r"、|以及|和|及|与")
#: Words an enumeration's first or last item never starts or ends with (the verb or particle
#: of the clause around it): 「包括高级工」 -> 高级工, 「山东印发了」 -> 山东.
_CLAUSE_WORDS = frozenset(
    "了 的 是 为 有 在 将 把 被 对 由 从 这个 这一 该 其 包括 包含 涵盖 构建 建立 形成 实施 开展 印发 等".split()
)
#: Words between a head noun and what names it that are not part of the name (这个纽带, 这一品牌,
#: 「“总体平稳、稳中有进”的良好态势」: an evaluative word after 的 describes the head, not the name).
_DEMONSTRATIVE = re.compile(rf"(?:这个|这一|这种|这项|这些|该|的[{CJK_RANGE}]{{0,2}})$")
_QUOTED_AT_END = re.compile(_QUOTED_NAME.pattern + "$")
_LIST_JOINER = re.compile(r"\s*(?:、|和|及|与|,|，)\s*")
#: What joins the units of one list of alternatives or partners (村委会或者用水户协会, 民政局、财政局).
_UNIT_JOINER = re.compile(r"\s*(?:、|和|及|与|或者|或|以及|,|，)\s*")


def _side_by_side(sentence: str, spans: list[Span]) -> Span | None:
    """The spans as one, when they stand side by side joined only by list words; else None."""
    ordered = sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)
    if len(ordered) < 2:
        return None
    for first, second in itertools.pairwise(ordered):
        if not _UNIT_JOINER.fullmatch(sentence[first.end : second.start]):
            return None
    return Span(sentence[ordered[0].start : ordered[-1].end], ordered[0].start, ordered[-1].end)
#: The question word a 「谁 / 哪个 / 哪家 / 什么」 question puts where its answer would stand.
_WH_WORD = re.compile(r"哪一?(?:位|家|个|些|所|座|支|项|种|类|里|儿)|谁|什么|何处|何地")
#: Characters an aligned answer is trimmed of at either end (particles, adverbs and punctuation
#: between the answer and the words the question shares with the sentence).
_ALIGN_TRIM = "的是为由被在就也都即将对把了、，,：: “”\"「」"
#: Clause punctuation: an aligned answer never spans it.
_CLAUSE_PUNCT = re.compile(r"[，,；;。！？!?]")
#: What an aligned answer must score: up to 1 for the question's words right after it, up to 1
#: for its words right before it (0.5 for a clause boundary there instead).
ALIGNED_MIN_SCORE = 1.5
ALIGNED_MAX_CHARS = 25
#: The longest quotation an aligned answer takes whole.
QUOTED_MAX_CHARS = 40
#: A head noun that asks for a document (文件, 实施意见, 管理办法).
_DOCUMENT_HEAD = re.compile(rf"(?:{DOCUMENT_NOUNS})$")
_DOCUMENT_TITLE = re.compile(r"《[^《》]{2,60}》")


def asks_for_document(head: str) -> bool:
    """Whether a 「什么X」/「哪个X」 head asks for a document (文件, 实施意见): its title or number
    answers, never the words around 文件 in the sentence."""
    return bool(head and _DOCUMENT_HEAD.search(head))
#: 「由谁承担」「需要谁核准」「向谁申请」: 谁 asks for whoever acts, a unit as often as a person.
_ASKS_AGENT = re.compile(r"(?:由|需要|需|向|经|报)谁")
AGENT_MAX_CHARS = 16
#: Heads of a question asking what post someone holds (担任什么职务).
_POSITION_HEADS = ("职务", "职位", "头衔")
_ASKED_POSITION = re.compile(rf"([{CJK_RANGE}]{{2,12}}?)(?:的)?(?:什么|哪些|哪个)(?:{'|'.join(_POSITION_HEADS)})")
#: How a sentence writes the number of items it counts (两项, 二大, 2个).
_NUMERALS = {2: ("两", "二", "2"), 3: ("三", "3"), 4: ("四", "4"), 5: ("五", "5"), 6: ("六", "6")}
_QUOTE_MARKS = "“”\"「」『』 "
_QUOTE_PAIRS = (("“", "”"), ("「", "」"), ("『", "』"))
#: 「牵头单位：区经信局」「联系人:方玉婷、陈心贝」: a short label standing on its own (no ideograph
#: right before it) and a colon; its value runs up to the next clause mark (``_LABEL_VALUE_RUN``).
_LABEL_AT = re.compile(rf"(?<![{CJK_RANGE}])([{CJK_RANGE}]{{2,6}})[：:]\s*")
_LABEL_VALUE_RUN = re.compile(r"[^：:；;。，,\n]{2,40}")
_LABEL_ENDING = re.compile(r"(?:人|单位|部门|方式|电话|地址|名称)$")
_LABEL_JOINT = re.compile(r"[和及与、]")
_KIND_LABEL_ENDINGS = {"person": r"人$", "org": r"(?:单位|部门|机构)$", "place": r"(?:地址|地点)$"}
_CJK_WORD = re.compile(rf"[{CJK_RANGE}]{{2,}}")
_OPENING_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》"}
#: How many of the question's characters next to the answer count as a full match on that side.
ALIGN_WINDOW = 6
#: How much the best name must outscore a different runner-up to be given as the short answer.
NAME_MARGIN = 0.25
#: Weight of the share of the question's words found in a candidate name's own lead.
LEAD_ANCHOR_SHARE = 0.5
#: Ranks of one sentence share their ranking words (全国百强县第92位、西部百强县第15位): only what
#: each rank's lead adds tells them apart, so the lead weighs double for them.
ORDINAL_LEAD_ANCHOR_SHARE = 1.0
#: What an ordinal counted in the question's slot's counter (届 of 第几届) adds: it decides.
SLOT_COUNTER_BONUS = 2.0
#: What being set off in quotation marks adds to a candidate name (组建“百名劳模宣讲团”).
QUOTED_BONUS = 0.3


def _label_values(sentence: str) -> list[tuple[str, int, str]]:
    """The (label, value offset, value) fields of ``sentence``. A value that runs into another
    label's colon is cut before it where a space parts them (「投资:500万元 实施单位:…」, two fields
    on one line); without a space it is a label itself (「监督电话:2.县财政局:0398-…」, a category over
    its item) and the outer label has no value of its own."""
    fields = []
    for label in _LABEL_AT.finditer(sentence):
        run = _LABEL_VALUE_RUN.match(sentence, label.end())
        if run is None:
            continue
        value = run.group(0)
        if run.end() < len(sentence) and sentence[run.end()] in "：:":
            space = max(value.rfind(" "), value.rfind("\u3000"), value.rfind("\t"))
            if space <= 0:
                continue
            value = value[:space]
        value = value.strip()
        if value:
            fields.append((label.group(1), run.start(), value))
    return fields


def asks_for_author(question: str) -> bool:
    """True for a question about who wrote a piece (作者, 署名): its byline is then the answer."""
    return bool(_ASKS_AUTHOR.search(question))


@dataclass(frozen=True)
class Span:
    """An answer candidate inside a sentence (offsets relative to the sentence)."""

    text: str
    start: int
    end: int


def _same_thing_as_asked(span: str, question: str) -> bool:
    """Whether an organisation span is the thing the question is about, named more fully: its
    head (the last words, with more than the bare ending) is in the question (工厂化循环水养殖基地
    for a question about the 南美白对虾养殖基地). A bare ending the question shares (人民政府) does
    not make it the same thing."""
    for size in range(len(span) - 1, 3, -1):
        tail = span[-size:]
        if tail in question:
            ending = _ORG_ENDING.search(tail)
            return ending is None or ending.start() >= 2
    return False


def _split_names(run: str) -> list[str]:
    """A run of two or three names of two or three characters each, each starting with a surname
    (方玉婷陈心贝 -> 方玉婷, 陈心贝); [] when the run does not read so. A lone name is two or three
    characters; two names are read three + three, else two + two (a split that is not unique is
    none)."""
    if 2 <= len(run) <= 3:
        return [run] if run[0] in SURNAMES else []
    if len(run) in (4, 6) and run[0] in SURNAMES and run[len(run) // 2] in SURNAMES:
        half = len(run) // 2
        return [run[:half], run[half:]]
    return []


def _only_names(span: str, excluded: Collection[str], question: str) -> bool:
    """Whether ``span`` is just one of the question's own names (河北省 for a 河北 question), or
    such a name plus words the question already says (黑龙江省总工会 when it asks about 总工会).
    黑龙江省顺丰速运有限公司 is not: beyond the place it names something the question does not."""
    for name in excluded:
        if not name:
            continue
        if span in name:
            return True
        if name in span:
            rest = span.replace(name, "")
            if len(rest) <= 1 or rest in question:  # 河北 + 省, or words asked already
                return True
    return False


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _covered(sentence: str, bigrams: set[str]) -> list[bool]:
    """Which characters of ``sentence`` lie in a two-character run that ``bigrams`` holds."""
    covered = [False] * len(sentence)
    for i in range(len(sentence) - 1):
        if sentence[i : i + 2] in bigrams:
            covered[i] = covered[i + 1] = True
    return covered


def _lead_words(sentence: str, previous_end: int, start: int) -> str:
    """The words before a candidate since the previous candidate, within the candidate's clause."""
    lead = sentence[previous_end:start]
    cut = max((m.end() for m in _CLAUSE_PUNCT.finditer(lead)), default=0)
    return lead[cut:]


#: Prepositions and particles that stand between a unit's name and the words around it, never inside it.
_NOT_IN_NAMES = re.compile(r"[由被将把对向的了在]")


def _free_islands(sentence: str, marks: list[bool], others: list[bool]) -> None:
    """Unmark a lone two-character run of the question's words inside a name: 「区财政局农财科」
    shares 财政 with 「拨至各镇财政所」, yet the run stands between unmarked characters of one name,
    not beside the answer. (``marks`` is changed in place; ``others`` are the other side's marks.)"""
    def free(i: int) -> bool:
        return 0 <= i < len(sentence) and not marks[i] and not others[i] and not _CLAUSE_PUNCT.match(sentence[i])

    for i in range(1, len(sentence) - 2):
        if marks[i] and marks[i + 1] and not others[i] and not others[i + 1] and free(i - 1) and free(i + 2):
            marks[i] = marks[i + 1] = False


def aligned_answer(sentence: str, question: str) -> Span | None:
    """The words of ``sentence`` that stand where the question's 谁/哪个/什么 stands.

    Officials ask in the words of the document: 「…基地被哪个机构确定为全国首批…联系点？」 against
    「…基地被中央文明委确定为全国首批…联系点」. Every character of the sentence that shares a
    two-character run with the question is marked as the question's, by the side of the question
    word it comes from; the answer is the unmarked run that the question's words after the
    question word follow (and, better, that its words before the question word or a clause
    boundary precede). It must be unique and short, and hold no clause punctuation: otherwise the
    sentence does not line up with the question and nothing is returned.
    """
    wh = _WH_WORD.search(question)
    if wh is None:
        return None
    before = _covered(sentence, _bigrams(question[: wh.start()]))
    after = _covered(sentence, _bigrams(question[wh.end() :]))
    _free_islands(sentence, after, before)
    runs: list[tuple[int, int]] = []
    start = None
    for i, char in enumerate(sentence + "。"):
        free = i < len(sentence) and not before[i] and not after[i] and not _CLAUSE_PUNCT.match(char)
        if free and start is None:
            start = i
        elif not free and start is not None:
            runs.append((start, i))
            start = None
    asked_before = len(question[: wh.start()].strip())
    last_words = _bigrams(question[max(0, wh.start() - ALIGN_WINDOW) : wh.start()])
    asked_after = len(question[wh.end() :].strip(" ？?。"))
    scored: list[tuple[float, Span]] = []
    for run_start, run_end in runs:
        text = sentence[run_start:run_end]
        trimmed = text.strip(_ALIGN_TRIM)
        if len(trimmed) < 2 or len(trimmed) > ALIGNED_MAX_CHARS:
            continue
        left = run_start + text.index(trimmed)
        if left and sentence[left - 1] in _OPENING_QUOTES:
            # a quotation answers whole, even across its own commas (「主线工作：“造就…大军,当好主人翁”」)
            close = sentence.find(_OPENING_QUOTES[sentence[left - 1]], left)
            if 0 < close - left <= QUOTED_MAX_CHARS:
                trimmed = sentence[left:close]
        following = _run_length(after, run_end, 1)
        preceding = _run_length(before, run_start - 1, -1)
        if asked_after:
            score = min(1.0, following / min(ALIGN_WINDOW, asked_after))
        else:
            # 「…第4到10名的选手晋级为什么？」: nothing follows the question word, so the answer runs
            # to the end of its clause (「第4到10名晋级高级工。」), right after the question's own last
            # words before it (晋级), not after any other words of the question
            at_end = run_end == len(sentence) or bool(_CLAUSE_PUNCT.match(sentence[run_end]))
            score = 1.0 if at_end and sentence[max(0, run_start - 2) : run_start] in last_words else 0.0
        if preceding:
            score += min(1.0, preceding / max(1, min(ALIGN_WINDOW, asked_before)))
        elif run_start == 0 or _CLAUSE_PUNCT.match(sentence[run_start - 1]) or after[run_start - 1]:
            score += 0.5  # a clause boundary, or the question's other words, before the answer
        scored.append((score, Span(trimmed, left, left + len(trimmed))))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    if best_score < ALIGNED_MIN_SCORE or (len(scored) > 1 and best_score - scored[1][0] < NAME_MARGIN):
        return None
    return best


#: A question slot asking for an ordinal (第几届, 第几次) and the words after it.
_ORDINAL_SLOT = re.compile(r"第几\S")
#: How far apart two ordinals of one name may stand (「第十四届人民代表大会第六次会议」).
ORDINAL_GAP_CHARS = 12


def _ordinals_joined(sentence: str, ordered: list[Span], first: Span, question: str,
                     slots: list[re.Match[str]]) -> Span | None:
    """「第几届人大第几次会议」 asks for two ordinals of one name (``slots``, two or more): the span from
    ``first`` through as many following ordinals as the question has slots, with the noun the last
    slot names (会议), when they follow each other within one clause."""
    following = [s for s in ordered if s.start > first.start][: len(slots) - 1]
    if len(following) < len(slots) - 1:
        return None
    previous = first
    for span in following:
        gap = sentence[previous.end : span.start]
        if len(gap) > ORDINAL_GAP_CHARS or any(mark in gap for mark in "，,；;。：:、"):
            return None
        previous = span
    end = _with_slot_noun(sentence, previous.end, question, slots[-1])
    return Span(sentence[first.start : end], first.start, end)


def _with_slot_noun(sentence: str, end: int, question: str, slot: re.Match[str]) -> int:
    """Where an ordinal answer ends with the noun the question's slot names after it (第四次 ->
    第四次会议 for 「第几次会议」): the characters the sentence and the question share there."""
    asked_after = question[slot.end() :]
    shared = 0
    limit = min(4, len(asked_after), len(sentence) - end)
    while shared < limit and sentence[end + shared] == asked_after[shared]:
        shared += 1
    return end + len(sentence[end : end + shared].rstrip("上的在了"))


def _balanced(text: str) -> bool:
    """Whether every quotation mark of ``text`` is closed within it."""
    return all(text.count(opening) == text.count(closing) for opening, closing in _QUOTE_PAIRS)


def _tail_words(qualifier: str) -> list[str]:
    """The last words of a qualifier (「当时担任全国总工会」 -> 全国总工会, 总工会): what a title holds."""
    return [qualifier[-n:] for n in range(min(len(qualifier), 8), 2, -1)]


def _run_length(marks: list[bool], position: int, step: int) -> int:
    """How many consecutive marked characters there are from ``position`` in direction ``step``."""
    count = 0
    while 0 <= position < len(marks) and marks[position]:
        count += 1
        position += step
    return count


class SpanFinder:
    """Finds name spans of one kind; uses the shared tokenizer's tags and the gazetteer."""

    def __init__(self, tokenizer: ChineseTokenizer, gazetteer: Gazetteer | None = None) -> None:
        self.tokenizer = tokenizer
        self.gazetteer = gazetteer

    def find(self, sentence: str, kind: AnswerKind, allow_credits: bool = False) -> list[Span]:
        """All spans of ``kind`` in ``sentence``, in order of appearance (bylines only with
        ``allow_credits``, for a question about who wrote a piece)."""
        if kind == "ordinal":
            return [Span(q.text, q.start, q.end) for q in find_quantities(sentence) if q.kind == "ordinal"]
        if kind == "place":
            return self._places(sentence)
        if kind == "docnumber":
            return [Span(m.group(0), m.start(), m.end()) for m in DOCUMENT_NUMBER.finditer(sentence)]
        if kind == "name":
            return [Span(m.group(1), m.start(1), m.end(1)) for m in _QUOTED_NAME.finditer(sentence)]
        if kind in _POS_FOR_KIND:
            return self._tagged(sentence, kind, allow_credits)
        if kind == "list":
            return self._enumerations(sentence)
        return []

    def _enumerations(self, sentence: str) -> list[Span]:
        """Enumerations (「政治建设、政策制度、技能培训、服务保障」), each as one span. The first and
        last items are cut at word boundaries to about the length of the others, so the clause
        around them (泰安市构建了…, …印发了) stays out."""
        spans = []
        for match in _ENUMERATION.finditer(sentence):
            items = _ENUMERATION_SPLIT.split(match.group(0))
            if len(items) < 2 or any(not item for item in items):
                continue
            inner = items[1:-1] or [items[-1] if len(items[-1]) <= len(items[0]) else items[0]]
            typical = sorted(len(item) for item in inner)[len(inner) // 2]
            # a label's list (「赤壁市(4个)：车埠镇鸡公山村、…、赤马港办事处月山村。」) has no clause
            # around its first and last items to cut away
            after_label = match.start() > 0 and sentence[match.start() - 1] in "：:"
            at_end = after_label and sentence[match.end() :].strip() in ("", "。", "；", ";")
            first = items[0] if after_label else self._cut_item(items[0], typical, from_right=True)
            last = items[-1] if at_end else self._cut_item(items[-1], typical, from_right=False)
            if not first or not last:
                continue
            start = match.start() + len(items[0]) - len(first)
            end = match.end() - (len(items[-1]) - len(last))
            spans.append(Span(sentence[start:end], start, end))
        return spans

    def _positions(self, sentence: str, question: str) -> list[Span]:
        """The titles a sentence puts before the name of the person a 「担任什么职务」 question is
        about (「全国人大常委会副委员长、全国总工会主席王东明」): each title of the run, or only those
        holding the words the question puts before 什么 (全国总工会什么职务 -> 全国总工会主席)."""
        names = [word for word, flag in self.tokenizer.tagged_words(question) if flag == "nr"]
        asked = _ASKED_POSITION.search(question)
        qualifier = asked.group(1) if asked else ""
        spans = []
        for name in names:
            for match in re.finditer(re.escape(name), sentence):
                start = max(sentence.rfind(mark, 0, match.start()) for mark in "，,。；;：:（(") + 1
                position = start
                for part in sentence[start : match.start()].split("、"):
                    if part and _TITLE_AT_END.search(part):
                        spans.append(Span(part, position, position + len(part)))
                    position += len(part) + 1
        fitting = [span for span in spans if any(word in span.text for word in _tail_words(qualifier))]
        return fitting or spans

    def labelled(self, sentence: str, question: str, kind: AnswerKind = "fact") -> Span | None:
        """The value of a label the question asks about (「牵头单位：区经信局」 for 「由哪个部门牵头」,
        「联系人：方玉婷、陈心贝」 for 「找谁联系」): official notices state who leads, whom to call
        and where, as label lines. The label, or its stem without 人/单位/部门/方式, must be in the
        question, and exactly one label of the sentence must be."""
        found: list[tuple[str, Span]] = []
        for label, value_start, value in _label_values(sentence):
            # 「联系人和电话:黄万伟,1388…」: a label naming two fields names each (its value opens with the first)
            names = [label, *(_LABEL_JOINT.split(label)[:1] if _LABEL_JOINT.search(label) else [])]
            stems = [_LABEL_ENDING.sub("", name) for name in names]
            if any(name in question for name in names) or any(len(stem) >= 2 and stem in question for stem in stems):
                if value not in question:
                    found.append((label, Span(value, value_start, value_start + len(value))))
        if len(found) > 1:
            # 「联系人：…，联系电话：…」 for 「找谁联系」: the label of the asked kind (人 for who)
            ending = _KIND_LABEL_ENDINGS.get(kind)
            found = [(label, span) for label, span in found if ending and re.search(ending, label)]
        return found[0][1] if len(found) == 1 else None

    def listed(self, sentence: str, size: int) -> list[Span]:
        """The enumerations of ``sentence`` with exactly ``size`` items: the answer to a question
        that says how many things it asks for (「哪三支通道」「“四项机制”是什么」). Items the sentence
        itself counts (「林长制和“免督查”两项工作」) are the answer before any other enumeration."""
        counted = self._counted_items(sentence, size)
        if counted is not None:
            return [counted]
        return [s for s in self._enumerations(sentence) if len(_ENUMERATION_SPLIT.split(s.text)) == size]

    def _counted_items(self, sentence: str, size: int) -> Span | None:
        """The ``size`` items right before the sentence counts them (「…和“免督查”两项工作」,
        「打造纤维新材料、智能汽车两大产业集群」), the first cut to whole words of about the others'
        length; None when the sentence does not count that many items."""
        numerals = "|".join(_NUMERALS.get(size, (str(size),)))
        for match in re.finditer(rf"[“”\"「」]?(?:{numerals})(?:{LIST_COUNTERS})", sentence):
            start = max(sentence.rfind(mark, 0, match.start()) for mark in "，,。；;：:") + 1
            end = match.start() + (1 if sentence[match.start()] in _QUOTE_MARKS else 0)
            items = [item.strip(_QUOTE_MARKS) for item in _ENUMERATION_SPLIT.split(sentence[start:end])]
            if len(items) != size or not all(items):
                continue
            # the longer of two equally near cuts: 纤维新材料 rather than 新材料 beside 智能汽车
            typical = max(len(item) for item in items[1:]) + 0.5
            first = self._cut_item(items[0], typical, from_right=True)
            if not first:
                continue
            first_start = sentence.rfind(first, start, end)
            while end > first_start and sentence[end - 1] in _QUOTE_MARKS and not _balanced(sentence[first_start:end]):
                end -= 1  # a quotation mark that belongs to no item of the span
            return Span(sentence[first_start:end], first_start, end)
        return None

    def _cut_item(self, item: str, typical: float, from_right: bool) -> str:
        """The run of whole words at one end of ``item`` whose length is nearest ``typical``."""
        words = [w for w, _ in self.tokenizer.tagged_words(item)]
        best, best_gap = "", None
        for count in range(1, len(words) + 1):
            chosen = words[-count:] if from_right else words[:count]
            if (chosen[0] if from_right else chosen[-1]) in _CLAUSE_WORDS:
                break
            text = "".join(chosen)
            gap = abs(len(text) - typical)
            if best_gap is None or gap < best_gap:
                best, best_gap = text, gap
        return best

    def headed(self, sentence: str, head: str, question: str) -> list[Span]:
        """Names of the thing a 「什么X」 question asks about: every X in ``sentence`` with the words
        that name it (组建“百名劳模宣讲团” -> 百名劳模宣讲团; 抓住“技工教育”这个纽带 -> 技工教育;
        成立全省首家非公党建学院 -> 非公党建学院 when the question says 全省首家). An X with nothing
        before it but the question's own words names nothing."""
        if _DOCUMENT_HEAD.search(head):
            # 「率先出台了什么产改文件」: a document is named by its title in 《》, else by its number
            # (「根据(遵财社[2009]30号)文件的具体要求」)
            titled = [Span(m.group(0), m.start(), m.end()) for m in _DOCUMENT_TITLE.finditer(sentence)]
            return titled or [Span(m.group(0), m.start(), m.end()) for m in DOCUMENT_NUMBER.finditer(sentence)]
        if head in _POSITION_HEADS:
            return self._positions(sentence, question)
        spans = []
        for match in re.finditer(re.escape(head), sentence):
            before = sentence[: match.start()]
            pointed = _DEMONSTRATIVE.search(before)
            quoted = _QUOTED_AT_END.search(before[: pointed.start()] if pointed else before)
            if quoted:
                spans.append(Span(quoted.group(1), quoted.start(1), quoted.end(1)))
                continue
            words = self.tokenizer.tagged_words(before[-16:])
            modifier: list[str] = []
            for word, flag in reversed(words):
                if word in _CLAUSE_WORDS or flag.startswith(("v", "p", "u", "c", "r", "y", "e")) and flag != "vn":
                    break
                if not re.fullmatch(rf"[{CJK_RANGE}A-Za-z0-9（）()]+", word):
                    break
                modifier.insert(0, word)
            while modifier and modifier[0] in question:
                modifier.pop(0)  # 全省首家 is what the question says, not the name
            if modifier:
                text = "".join(modifier) + head
                start = match.end() - len(text)
                spans.append(Span(text, start, match.end()))
        return spans

    def _places(self, sentence: str) -> list[Span]:
        """Gazetteer places, adjacent ones joined (江苏无锡 is one answer); else jieba's ns words."""
        if self.gazetteer is None:
            return self._tagged(sentence, "place")
        spans: list[Span] = []
        for mention in self.gazetteer.find(sentence):
            if not mention.reliable or mention.surface.isascii() or mention.place.level == "country":
                continue
            end = mention.start + len(mention.surface)
            if spans and spans[-1].end == mention.start:
                spans[-1] = Span(sentence[spans[-1].start : end], spans[-1].start, end)
            else:
                spans.append(Span(mention.surface, mention.start, end))
        return spans

    def _tagged(self, sentence: str, kind: AnswerKind, allow_credits: bool = False) -> list[Span]:
        spans: list[Span] = []
        tagged: list[tuple[str, str, int]] = []
        position = 0
        for word, flag in self.tokenizer.tagged_words(sentence):
            start = sentence.find(word, position)
            if start < 0:
                continue
            position = start + len(word)
            tagged.append((word, flag, start))
        if kind == "org":
            # An organisation's name starts at a noun (市示范区管委会), not inside a clause
            # (投资3000万元建设…基地 is not one).
            noun_starts = {start for word, flag, start in tagged if flag[:1] in ("n", "j") and flag != "nr"}
            for match in _ORG_SUFFIX.finditer(sentence):
                lead = _LEADING_FUNCTION_WORDS.match(match.group(0))
                start = match.start() + (lead.end() if lead else 0)
                inner = match.group(0)[start - match.start() :]
                cut = max(inner.rfind(mark) for mark in _NOT_IN_ORG_NAMES)
                joined = max(inner.rfind(mark) for mark in _ORG_JOINERS)
                if joined > cut and _ORG_SUFFIX_AT_END.search(inner[:joined]):
                    cut = joined  # 县人社局和县财政局: two units; 工业信息化和商务局 is one
                if cut >= 0:
                    start += cut + 1  # 承德钒钛试点做法被省总工会 -> 省总工会
                while start < match.end() and start not in noun_starts and sentence[start] not in _TIER_PREFIXES:
                    start += 1
                if match.end() - start >= 3:
                    spans.append(Span(sentence[start : match.end()], start, match.end()))
        if kind == "person":
            spans += self._titled_names(sentence)
        wanted = _POS_FOR_KIND.get(kind, "ns")
        for word, flag, start in tagged:
            position = start + len(word)
            if not flag.startswith(wanted) or len(word) < 2 or any(s.start <= start < s.end for s in spans):
                continue
            if kind == "person":
                if word[0] not in SURNAMES or len(word) > 4:
                    continue
                if self._is_credit(sentence, start, position) and not allow_credits:
                    continue
            spans.append(Span(word, start, start + len(word)))
        return sorted(spans, key=lambda s: s.start)

    @staticmethod
    def _one_list(sentence: str, tied: list[Span], titles_of: dict[Span, set[str]]) -> Span | None:
        """Equally good names that stand side by side after one title, as one span
        (「方玉婷、陈心贝」), or None when they are not one such list."""
        ordered = sorted({(s.start, s.end): s for s in tied}.values(), key=lambda s: s.start)
        if len(ordered) < 2 or len({frozenset(titles_of[s]) for s in ordered}) != 1:
            return None
        for first, second in zip(ordered, ordered[1:], strict=False):
            if not re.fullmatch(r"\s*(?:[、,，和及与]\s*)?", sentence[first.end : second.start]):
                return None
        return Span("、".join(s.text for s in ordered), ordered[0].start, ordered[-1].end)

    @staticmethod
    def _titled_names(sentence: str) -> list[Span]:
        """Names standing alone after a title, up to the end of the line or clause (「某县人民政府
        县长 田兴国」, 「联系人:方玉婷陈心贝」 whose space the text repair folded): jieba may read such
        a name as words (兴国 a county), but surnames of two or three characters closing a title's
        line are people."""
        spans = []
        for match in _TITLE.finditer(sentence):
            name = _NAME_AFTER_TITLE.match(sentence, match.end())
            if name is None:
                continue
            start = name.start(1)
            for part in _split_names(name.group(1)):
                spans.append(Span(part, start, start + len(part)))
                start += len(part)
        return spans

    @staticmethod
    def _is_credit(sentence: str, start: int, end: int) -> bool:
        before, after = sentence[max(0, start - 6) : start], sentence[end : end + 4]
        return bool(_CREDIT_BEFORE.search(before) or _CREDIT_AFTER.match(after))

    def aligned(self, sentence: str, kind: AnswerKind, question: str, excluded: Collection[str] = ()) -> Span | None:
        """The answer that stands where the question word stands (:func:`aligned_answer`), when it
        is a name of the asked kind: a person's name (a surname and at most four characters), an
        organisation (no clause inside), or a place of the gazetteer; never a name the question
        already holds or is about."""
        span = aligned_answer(sentence, question)
        if span is None or span.text in question or _only_names(span.text, excluded, question):
            return None
        if kind == "person":
            names = [s for s in self._tagged(span.text, "person") if s.text == span.text]
            ok = names or (2 <= len(span.text) <= 4 and span.text[0] in SURNAMES)
            if not ok and _ASKS_AGENT.search(question):
                # 「该费用由智造新城承担」 for 「费用由谁承担」: in official documents the one who bears,
                # approves or leads is usually a unit, named where the question's 谁 stands
                ok = not any(mark in span.text for mark in "的了") and len(span.text) <= AGENT_MAX_CHARS
            return span if ok and not self._is_credit(sentence, span.start, span.end) else None
        if kind == "org":
            # a unit is named by more than a verb (进行, 负责): two characters only with a unit's ending
            named = len(span.text) >= 3 or bool(_ORG_SUFFIX_AT_END.search(span.text))
            if not named or any(mark in span.text for mark in "的了"):
                return None
            # the aligned words may cut a unit's name where the question shares its place (「湖北」 of
            # 湖北省财政厅官网): the whole name of the unit they overlap answers
            for unit in self.find(sentence, "org"):
                outside = sentence[unit.start : span.start] + sentence[span.end : unit.end]
                if (
                    unit.start < span.end and span.start < unit.end <= span.end
                    and not _NOT_IN_NAMES.search(outside)
                ):
                    # (not 「资金由区财政局」, a tagging slip across the preposition 由, nor a unit
                    # running on into the question's words after the answer)
                    return unit
            return span
        if kind == "place":
            places = self._places(span.text)
            return span if places and places[0].start == 0 else None
        wh = _WH_WORD.search(question)
        if kind == "fact" and wh is not None and len(_WH_WORD.findall(question)) == 1:
            # 「晋级为什么」 -> 高级工: the words where the question's 什么 stands, when nothing follows
            # it; or with the noun that follows it, when the sentence has that noun right after them
            # too (哪些部门初审 -> 县统计…等相关部门); otherwise the sentence is put another way.
            rest = question[wh.end() :].strip(" ？?。")
            if not rest:
                return span
            words = self.tokenizer.tokenize(rest)
            if _CJK_WORD.fullmatch(words[0]) and sentence.startswith(words[0], span.end):
                return Span(span.text + words[0], span.start, span.end + len(words[0]))
        return None

    def best(
        self,
        sentence: str,
        kind: AnswerKind,
        anchors: list[str],
        question: str = "",
        excluded: Collection[str] = (),
        found: list[Span] | None = None,
    ) -> Span | None:
        """The name that answers, or None when none clearly does (see the module docstring).
        A question about who wrote a piece (作者, 署名) is answered by its byline. ``found``: the
        candidates, when they come from elsewhere than :meth:`find` (:meth:`headed`)."""
        asks_author = bool(_ASKS_AUTHOR.search(question))
        candidates = found if found is not None else self.find(sentence, kind, allow_credits=asks_author)
        spans = [
            s for s in candidates
            if not (question and s.text in question) and not _only_names(s.text, excluded, question)
            and not (kind == "org" and _same_thing_as_asked(s.text, question))
        ]
        if not spans:
            return None
        anchor_ends = [(m.end(), len(a)) for a in anchors if a for m in re.finditer(re.escape(a), sentence)]
        longest = max((length for _, length in anchor_ends), default=1)
        asked_titles = set(_TITLE.findall(question)) | ({"作者"} if asks_author else set())

        titles_of: dict[Span, set[str]] = {}
        previous: Span | None = None
        for span in spans:
            around = sentence[max(0, span.start - 6) : span.start] + "|" + sentence[span.end : span.end + 4]
            titles = set(_TITLE.findall(around))
            if asks_author and self._is_credit(sentence, span.start, span.end):
                titles.add("作者")
            # 「联系人：方玉婷、陈心贝」: names listed after a title share it.
            gap = sentence[previous.end : span.start] if previous is not None else None
            if not titles and previous is not None and (gap == "" or _LIST_JOINER.fullmatch(gap or "")):
                titles = titles_of[previous]
            titles_of[span] = titles
            previous = span

        ordered = sorted(spans, key=lambda s: s.start)
        lead_of = {
            span: _lead_words(sentence, ordered[i - 1].end if i else 0, span.start)
            for i, span in enumerate(ordered)
        }
        anchor_chars = sum(len(a) for a in set(anchors) if a) or 1
        slots = list(_ORDINAL_SLOT.finditer(question)) if kind == "ordinal" else []
        # 「第几届」 asks for the ordinal counted in 届 (第十七届), not the 第四次 beside it
        slot_counters = {m.group()[-1] for m in slots}

        def score(span: Span) -> float:
            closeness = [
                (length / longest) * (1.0 - min(span.start - end, 40) / 40)
                for end, length in anchor_ends
                if end <= span.start
            ]
            value = max(closeness, default=0.0)
            # 「综合竞争力跻身百强县第92位，投资潜力位列百强县第91位」: the question's words in a span's own
            # lead (since the previous candidate, within its clause) tell apart spans that the nearest
            # shared word (百强县) cannot
            led = sum(len(a) for a in set(anchors) if a and a in lead_of[span])
            share = ORDINAL_LEAD_ANCHOR_SHARE if kind == "ordinal" else LEAD_ANCHOR_SHARE
            value += share * led / anchor_chars
            if span.start and sentence[span.start - 1] in "“「『《\"":
                value += QUOTED_BONUS  # official documents set a name off in quotation marks
            if len(slot_counters) == 1 and span.text[-1:] in slot_counters:
                value += SLOT_COUNTER_BONUS
            if kind == "person":
                if titles_of[span] & asked_titles:
                    value += 1.5
                elif titles_of[span]:
                    value += 0.5
            return value

        if kind == "person":
            # jieba tags words such as 金秋 or 金白银 as names: only a name with a title or role
            # beside it (副主席陈刚, 联系人：方玉婷) is trusted as the answer to "who".
            spans = [s for s in spans if titles_of[s]]
            if not spans:
                return None

        ranked = sorted(spans, key=lambda s: (-score(s), s.start))
        best = ranked[0]
        for first in ordered if len(slots) >= 2 else []:
            joined = _ordinals_joined(sentence, ordered, first, question, slots)
            if joined is not None and joined.start <= best.start < joined.end:
                return joined
        listed = self._one_list(sentence, [s for s in ranked if score(s) >= score(best) - 1e-9], titles_of)
        if kind == "person" and listed is not None:
            return listed  # 「联系人：方玉婷、陈心贝」: the names of one list answer together
        rivals = [s for s in ranked[1:] if s.text != best.text]
        if rivals and score(best) - score(rivals[0]) < NAME_MARGIN:
            if kind == "org":
                # 「由村委会或者用水户协会管理」: close units side by side in one list answer together
                return _side_by_side(sentence, [s for s in ranked if score(best) - score(s) < NAME_MARGIN])
            return None
        return best
