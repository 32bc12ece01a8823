"""Questions about a document itself: its number, issuing body, date of issue, author, speaker.

「沁县任务分解通知是哪天印发的？」, 「这份细则的文号是什么？」, 「哪个单位印发了这份意见？」 and
「《…》一文的作者是谁？」 are answered by lines that share no words with the question: the 成文日期
under the signature, the number line under the header, the byline 「文/张洪岩」. Sentence scoring
cannot find them, and a number the document merely cites (《办法》（东府办[2005]9号）) is the
wrong answer however well it scores. So these questions are answered here, before sentence
scoring: the document the question names (its title and opening hold the question's words, or
the 《…》 title it quotes) is looked up, and the line where it states the asked fact about
itself is quoted and cited. When no document is clearly named, or it does not state the fact,
the usual path answers or refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rag.answering.answer_spans import ASKS_CITED_DOCUMENT, SURNAMES, asks_for_author
from rag.answering.question import QuestionAnalysis
from rag.ingest.structure import cited_numbers, delivered_speaker, located_meta, text_lines
from rag.schema import Document
from rag.text.patterns import CJK_RANGE, ORG_SUFFIX_ALTERNATION

DocumentField = Literal["number", "issuer", "date", "author", "author_unit", "speaker", "addressee"]

#: How each field is named in an answer.
FIELD_LABELS: dict[DocumentField, tuple[str, str]] = {
    "number": ("发文字号", "document number"),
    "issuer": ("发文机关", "issuing body"),
    "date": ("日期", "date"),
    "author": ("作者", "author"),
    "author_unit": ("作者单位", "author's organisation"),
    "speaker": ("报告人", "speaker"),
    "addressee": ("主送机关", "addressee"),
}

#: What 公文 and reports call themselves (the noun that ends a reference to one: 「沁县任务分解通知」).
_DOCUMENT_KINDS = (
    "通知|意见|方案|办法|细则|规定|报告|公示|公告|通告|决定|批复|函|纪要|条例|规划|计划|文件|政策|措施|规则|章程|"
    "指南|清单|讲话|文章|一文|公报"
)
_ISSUE_VERBS = "印发|发布|出台|制定|下发|下达|发文|发出|公布|签发|成文|颁布|颁发|公示"
_ASKS_ISSUER = re.compile(
    rf"(?:哪个|哪家|哪一个|哪[两二三几]个|哪|什么)(?:单位|部门|机关|机构|办公室)[^，,。？?]{{0,10}}?(?:{_ISSUE_VERBS}|发(?=的|了))"
    rf"|(?:{_ISSUE_VERBS})(?:单位|机关|部门|机构)|发文机关|由谁(?:{_ISSUE_VERBS})|谁(?:{_ISSUE_VERBS})的"
    r"|\b(?:which|what)\s+(?:office|department|body|agency|authority|organi[sz]ation|government|unit)\s+"
    r"(?:issued|published|released|signed)|\bissued by\b|\bwho (?:issued|published|released|signed)\b",
    re.I,
)
_ASKS_DATE_OF_ISSUE = re.compile(
    rf"{_ISSUE_VERBS}|落款|(?:{_DOCUMENT_KINDS})的?日期|(?:会议?|大会|人代会)上(?:作|做)的|(?:作|做|发表)的?(?:报告|讲话)"
    r"|\b(?:issue[sd]?|publish(?:ed)?|release[sd]?|sign(?:ed)?|deliver(?:ed)?)\b",
    re.I,
)
#: 「公示哪天结束」「从哪天开始执行」: when a period the document sets ends or starts, not when it was issued.
_ASKS_PERIOD_END = re.compile(
    r"(?:哪天|哪一天|何时|什么时候|几月几日|几号|哪日)(?:结束|截止|开始|到期|生效|起|止|施行|执行|实施)"
)
#: An attachment line of a notice: 「附件:融安县2023年金桔生产任务分解表」, 「附件：1.《…》」.
_ATTACHMENT_LINE = re.compile(r"^\s*附件\s*\d*\s*[:：]?\s*(?:\d+[.、．])?\s*《?([^《》\n]{4,80}?)》?\s*$", re.M)
#: 「政府工作报告是谁作的」「是哪位县长作的」「Who delivered the report」: who delivered a report or speech.
_ASKS_SPEAKER = re.compile(
    r"(?:谁|哪位[^，,。？?]{0,4}|什么人)(?:来)?(?:作|做|发表|宣读)(?:的|了)"
    r"|(?:作|做|发表)(?:这份|该|此)?(?:报告|讲话)的(?:是谁|人|是哪位)"
    r"|\bwho (?:delivered|gave|presented|made|read)\b|\bdelivered by\b",
    re.I,
)
#: 「批复是发给哪个单位的」「主送机关是谁」「这份通知下发给哪些部门」: to whom the document is addressed.
_ASKS_ADDRESSEE = re.compile(
    r"主送|(?:发|下发|印发|批复|送|报送|发送|抄送)给(?:了)?(?:哪|谁|什么)"
    r"|\baddressed to\b|\bto whom\b|\b(?:sent|issued|addressed) to (?:which|whom|what)\b",
    re.I,
)
#: A 公文's 主送机关 line under its title: organisations, then a colon that ends the line
#: (「县环保局:」「各乡镇人民政府、街道办事处，县直各部门：」).
_ADDRESSEE_LINE = re.compile(
    rf"^\s*((?:各|有关)?[^\s:：。；;]{{0,60}}?(?:{ORG_SUFFIX_ALTERNATION}|单位|街道办事处|办事处|机构|委|办))\s*[:：]\s*$"
)
#: How many lines under the title the 主送机关 line may stand (after the document number, a date).
_ADDRESSEE_LINES = 4
_ASKS_AUTHOR_UNIT = re.compile(
    r"(?:作者|署名)(?:单位|机构|组织)|撰稿单位|供稿单位"
    r"|\b(?:which|what)\s+(?:organi[sz]ation|unit|body|department)\s+(?:wrote|authored|signed)",
    re.I,
)
#: Question words and the words that name the field: they say what is asked, not which document.
_FIELD_WORDS = re.compile(
    rf"文号|发文字号|字号|编号|作者|署名|单位|机构|机关|部门|哪天|哪一天|什么时候|何时|日期|时间|"
    rf"{_ISSUE_VERBS}|这份|这批|这项|这次|该|本|一文|文章|是谁|是什么|是哪|哪位|哪个|哪家|什么|多少|谁|的|了|是|在|上|作"
)

_NAME = f"[{CJK_RANGE}]{{2,3}}"
#: Bylines: 「（文/张洪岩 黑龙江省总工会宣教部供图）」, 「作者：李某」, a line 「□谭政 孙兆」.
_BYLINE_MARKED = re.compile(
    rf"(?:^|[（(\s　])(?:文|作者|撰稿|撰文|执笔)\s*[/／:：]\s*({_NAME}(?:[ 　、，,]+{_NAME})*)(?=$|[\s　）)，,。])"
)
_BYLINE_LINE = re.compile(rf"^[□■◎]\s*({_NAME}(?:[ 　、，,]+{_NAME})*)$")
_NAME_SEPARATOR = re.compile(r"[ 　、，,]+")
_AUTHOR_UNIT_MARKED = re.compile(r"(?:作者|撰稿|供稿)单位\s*[:：]\s*([^）)\n。；;]{2,40})")
#: A signing organisation alone on a line in brackets: 「(河北省总工会)」.
_AUTHOR_UNIT_LINE = re.compile(rf"^[（(]\s*([{CJK_RANGE}]{{2,30}}(?:{ORG_SUFFIX_ALTERNATION}))\s*[）)]$")
#: How much of a document's opening is read as its heading when matching the question's words.
OPENING_CHARS = 300
#: The share of the question's document words (IDF-weighted) that a document's title and opening
#: must hold, and by how much it must lead the next document, to count as the document named.
MIN_TITLE_MATCH = 0.6
TITLE_MARGIN = 0.15
#: Words at least this share as rare as the question's rarest word must all be in the document's
#: title or opening: they are what tells the named document from its siblings.
TELLING_SHARE = 0.8
_QUOTED_TITLE = re.compile(r"《([^》]{2,80})》")
#: What 公文 and reports call themselves: the noun that ends a question's reference to a document
#: (「沁县任务分解通知」是哪天印发的, 「交城县这份政府工作报告」是在…).
_DOCUMENT_NOUN = re.compile(rf"^[^，,。？?]{{2,40}}?(?:{_DOCUMENT_KINDS})")
_CJK_WORD = re.compile(f"[{CJK_RANGE}]+")
_PUNCTUATION = re.compile(rf"[^{CJK_RANGE}A-Za-z0-9]")


def asked_document_field(analysis: QuestionAnalysis) -> DocumentField | None:
    """Which fact about a document the question asks for, or None for an ordinary question (and
    for a question about another document the named one cites)."""
    question = analysis.text
    if ASKS_CITED_DOCUMENT.search(question):
        return None
    if _ASKS_AUTHOR_UNIT.search(question):
        return "author_unit"
    if asks_for_author(question) and analysis.kind in ("person", "org", "fact", "name"):
        return "author_unit" if analysis.kind == "org" else "author"
    if analysis.kind == "person" and _ASKS_SPEAKER.search(question):
        return "speaker"
    if analysis.kind == "docnumber":
        return "number"
    if analysis.kind in ("org", "fact", "person", "list") and _ASKS_ADDRESSEE.search(question):
        return "addressee"
    if analysis.kind in ("org", "fact", "person", "list") and _ASKS_ISSUER.search(question):
        return "issuer"
    if (
        analysis.asked is not None and analysis.asked.kind == "date" and _ASKS_DATE_OF_ISSUE.search(question)
        and not _ASKS_PERIOD_END.search(question)
    ):
        return "date"
    return None


@dataclass(frozen=True)
class DocumentStatement:
    """Where a document states the asked fact about itself."""

    value: str
    start: int
    end: int


def _bylines(text: str) -> list[DocumentStatement]:
    found = []
    for offset, line in text_lines(text):
        for pattern in (_BYLINE_LINE, _BYLINE_MARKED):
            for match in pattern.finditer(line):
                names = [n for n in _NAME_SEPARATOR.split(match.group(1)) if n[:1] in SURNAMES]
                if names:
                    found.append(
                        DocumentStatement("、".join(names), offset + match.start(1), offset + match.end(1))
                    )
    return found


def _author_units(text: str) -> list[DocumentStatement]:
    found = []
    for offset, line in text_lines(text):
        for pattern in (_AUTHOR_UNIT_MARKED, _AUTHOR_UNIT_LINE):
            match = pattern.search(line)
            if match:
                value = match.group(1).strip()
                found.append(DocumentStatement(value, offset + match.start(1), offset + match.start(1) + len(value)))
    return found


def document_statement(document: Document, field: DocumentField) -> DocumentStatement | None:
    """The line where ``document`` states ``field`` about itself, or None when it does not.

    A byline or signing unit must be the only one of its kind in the document: a report with
    several bylines (one per article on a page) does not say which is the author of what.
    """
    if field in ("author", "author_unit"):
        found = _bylines(document.text) if field == "author" else _author_units(document.text)
        values = {s.value for s in found}
        return found[0] if len(values) == 1 else None
    if field == "speaker":
        speaker = delivered_speaker(document.text)
        if speaker is None:
            return None
        # the whole line is quoted: the office before the name (县长, 代区长) is part of the answer
        text = document.text
        line_end = text.find("\n", speaker.end)
        line_start = text.rfind("\n", 0, speaker.start) + 1
        return DocumentStatement(speaker.value, line_start, len(text) if line_end < 0 else line_end)
    if field == "addressee":
        return _addressee(document.text)
    located = located_meta(document.text, document.title)
    line = {"issuer": located.issuer, "number": located.doc_number, "date": located.date}[field]
    if line is None or document.text[line.start : line.end] != line.value:
        return None  # not stated in the text itself (an issuer known only from a file's title)
    return DocumentStatement(line.value, line.start, line.end)


def cited_number(document: Document, question: str) -> tuple[str, DocumentStatement] | None:
    """The number of a document that ``document`` cites and the question names by its whole title
    (「舟山市美丽乡村建设专项资金管理暂行办法的文号」 of a notice citing 《…管理暂行办法》(舟财农〔2018〕18号)):
    the cited title and where its number stands. None when the question names no cited title, or
    names the document's own title (whose number is its own)."""
    asked = _compact(question)
    own_title = _compact(document.title)
    if own_title and own_title in asked:
        return None
    for title, line in cited_numbers(document.text):
        cited = _compact(title)
        if len(cited) >= 4 and cited in asked:
            return title, DocumentStatement(line.value, line.start, line.end)
    return None


def _addressee(text: str) -> DocumentStatement | None:
    """The 主送机关 line of a 公文: among the first lines under its title, organisations closed by a
    colon alone on their line (「县环保局:」). None when there is none (a report, a notice to the
    public)."""
    for number, (offset, line) in enumerate(text_lines(text)):
        if number > _ADDRESSEE_LINES:
            return None
        found = _ADDRESSEE_LINE.match(line) if number > 0 else None  # the first line is the title
        if found is not None:
            return DocumentStatement(found.group(1), offset + found.start(1), offset + found.end(1))
    return None


def _compact(text: str) -> str:
    return _PUNCTUATION.sub("", text)


def abbreviates(short: str, text: str) -> bool:
    """Whether a 2-4 character word is a Chinese abbreviation of a phrase in ``text``: its characters
    appear there in order, first and last included, within a short window (高企 in 高新技术企业,
    防汛办 in 防汛抗旱指挥部办公室 is too far apart to be trusted and is not matched)."""
    if not 2 <= len(short) <= 4 or not _CJK_WORD.fullmatch(short):
        return False
    window = 3 * len(short)
    pattern = re.compile("".join(f"{re.escape(c)}[{CJK_RANGE}]*?" for c in short[:-1]) + re.escape(short[-1]))
    return any(len(m.group()) <= window for m in pattern.finditer(text))


def named_document(
    analysis: QuestionAnalysis,
    documents: list[Document],
    terms: list[str],
    weight: Callable[[str], float],
) -> Document | None:
    """The document among ``documents`` that the question names, or None when none clearly is.

    A title in 《》 must be the document's title (or hold it). Otherwise the words of the question's
    reference to the document (up to the noun a document calls itself: 「沁县任务分解通知」), or of
    the whole question, that are neither question words nor the field's words are looked up in each
    document's title, opening and issuing body, weighted by rarity: the document must hold most of them and
    lead every other document by a margin, and hold every one of the rarest (most telling) words.
    """
    quoted = [_compact(q) for q in _QUOTED_TITLE.findall(analysis.text)]
    if quoted:
        matching = [
            d for d in documents
            if any(
                q and (q in _compact(d.title) or (_compact(d.title) and _compact(d.title) in q) or _attaches(d, q))
                for q in quoted
            )
        ]
        return matching[0] if len({d.doc_id for d in matching}) == 1 else None
    if analysis.language == "en":
        return _named_in_english(analysis, documents)
    reference = _DOCUMENT_NOUN.match(analysis.text)
    if reference is not None:
        terms = [t for t in terms if t in reference.group()]
    words = [t for t in dict.fromkeys(terms) if not _FIELD_WORDS.fullmatch(t) and len(t.strip()) > 0]
    total = sum(weight(t) for t in words)
    if not words or total <= 0:
        return None
    rarest = max(weight(t) for t in words)
    telling = [t for t in words if weight(t) >= TELLING_SHARE * rarest]
    scored = []
    for document in {d.doc_id: d for d in documents}.values():
        # the signing body names a document as its title does (「商丘市这份公示」 for a notice a mirror
        # copied without its title line and signed 商丘市财政局)
        head = (document.title + document.text[:OPENING_CHARS] + document.meta.issuer).lower()
        found = {t for t in words if t in head or abbreviates(t, head)}
        if any(t not in found for t in telling):
            continue  # the question's most telling word (抗旱 of 抗旱方案) names another document
        scored.append((sum(weight(t) for t in found) / total, document))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < MIN_TITLE_MATCH or best_score - runner_up < TITLE_MARGIN:
        return None
    return best


def _attaches(document: Document, compact_title: str) -> bool:
    """Whether ``document`` carries the titled piece as its attachment (「附件:融安县2023年金桔生产
    任务分解表」): an attachment is issued with, and by, the notice that carries it."""
    return any(
        _compact(match.group(1)) == compact_title for match in _ATTACHMENT_LINE.finditer(document.text)
    )


def _named_in_english(analysis: QuestionAnalysis, documents: list[Document]) -> Document | None:
    """An English question names a Chinese document by its place and field terms (Chongqing,
    high-skilled talent -> 重庆, 高技能人才: ``analysis.expansions``); dictionary translations are
    too loose to tell documents apart. The named document is the first retrieved one whose title
    and opening hold every such term, when no other retrieved document does."""
    terms = [t for t in analysis.expansions if t.strip()]
    if not terms or not documents:
        return None
    holding = {
        d.doc_id: d for d in documents if all(t.lower() in (d.title + d.text[:OPENING_CHARS]).lower() for t in terms)
    }
    return documents[0] if len(holding) == 1 and documents[0].doc_id in holding else None
