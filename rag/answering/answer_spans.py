"""Finding the exact answer span (``short_answer``) of a given kind inside a sentence.

Numbers are found with patterns (their units are regular in official Chinese: 万元, 亿元, 人, 家,
%); people, places and organisations with jieba's part-of-speech tags plus suffix patterns. When a
sentence holds several candidates (由每人奖励1万元提高到5万元), the one after a change verb
(提高到, 增加到, 达到) wins, since a question asks for the current figure, then the one closest
after the question's own words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from rag.answering.question import AnswerKind
from rag.text.numbers import ORDINAL_NUMERAL_CHARS
from rag.text.patterns import CJK_RANGE, ORG_SUFFIX_ALTERNATION
from rag.text.tokenizing import ChineseTokenizer

_NUM = r"\d+(?:\.\d+)?"
_RANGE = rf"{_NUM}(?:\s*(?:~|～|-|—|－|至|到)\s*{_NUM})?"
_MAGNITUDE = r"(?:多|余)?(?:万亿|亿|万|千|百)?"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(rf"{_RANGE}{_MAGNITUDE}(?:元|美元)"),
    "count": re.compile(
        rf"{_RANGE}{_MAGNITUDE}(?:人次|余人|名|人|个|家|项|所|次|批|条|份|户|座|期|届|类|支|位|场|门|种|部|件|张|篇|天|家次|万人)"
    ),
    "percent": re.compile(rf"{_RANGE}(?:%|％)|百分之[零〇一二三四五六七八九十百点]+"),
    "ordinal": re.compile(rf"第[{ORDINAL_NUMERAL_CHARS}]+(?:次|届|批|名|期|位|轮)"),
    "date": re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|(?:19|20)\d{2}(?:—|-|至)(?:19|20)\d{2}"),
}
_ORG_SUFFIX = re.compile(rf"[{CJK_RANGE}（）()]{{2,24}}?(?:{ORG_SUFFIX_ALTERNATION})")
_CHANGE_VERBS = re.compile(r"(?:提高到|提高至|增加到|增加至|增长到|增长至|提升到|提升至|达到|达|增至|升至|扩大到|扩大至|上调到|上调至|突破|超过)\s*(?:每人|每年|了)?$")
_ASKED_UNIT = re.compile(r"(?:多少|几)((?:万|亿)?(?:元|人次|人|个|家|项|所|次|批|名|条|份|户|座|届|支|场))")
#: Common Chinese surnames: a "person" that does not start with one is a mis-tagged word (宝贵, 隆重举行).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
#: Titles next to a name make it the likely answer to "who": 副主席陈刚, 中心主任张龙柱.
_TITLE_NEAR = re.compile(r"(?:主席|书记|主任|部长|厅长|局长|院长|校长|经理|董事长|厂长|总裁|代表|劳模|工匠|技师|记者|同志|教授|委员)")
_POS_FOR_KIND = {"person": "nr", "place": "ns", "org": "nt"}


@dataclass(frozen=True)
class Span:
    """An answer candidate inside a sentence (offsets relative to the sentence)."""

    text: str
    start: int
    end: int


class SpanFinder:
    """Finds answer spans of one kind; uses the shared tokenizer for part-of-speech tags."""

    def __init__(self, tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer

    def find(self, sentence: str, kind: AnswerKind) -> list[Span]:
        """All spans of ``kind`` in ``sentence``, in order of appearance."""
        if kind in _PATTERNS:
            spans = [Span(m.group(0), m.start(), m.end()) for m in _PATTERNS[kind].finditer(sentence)]
            if kind == "count":
                # A count pattern must not re-find an amount (5万元 is money, not 5万 people).
                spans = [s for s in spans if not sentence[s.end : s.end + 1] == "元"]
            return spans
        if kind in _POS_FOR_KIND:
            return self._tagged(sentence, kind)
        return []

    def _tagged(self, sentence: str, kind: AnswerKind) -> list[Span]:
        spans: list[Span] = []
        if kind == "org":
            spans.extend(Span(m.group(0), m.start(), m.end()) for m in _ORG_SUFFIX.finditer(sentence))
        wanted = _POS_FOR_KIND[kind]
        position = 0
        for word, flag in self.tokenizer.tagged_words(sentence):
            start = sentence.find(word, position)
            if start < 0:
                continue
            position = start + len(word)
            if flag.startswith(wanted) and len(word) >= 2 and not any(s.start <= start < s.end for s in spans):
                if kind == "person" and (word[0] not in _SURNAMES or len(word) > 4):
                    continue
                spans.append(Span(word, start, start + len(word)))
        return sorted(spans, key=lambda s: s.start)

    def best(
        self,
        sentence: str,
        kind: AnswerKind,
        anchors: list[str],
        question: str = "",
        excluded: Collection[str] = (),
    ) -> Span | None:
        """The span most likely to answer: in the unit the question asks for (多少万人), the new
        value of a change, and nearest after the question's own words."""
        spans = self.find(sentence, kind)
        if not spans:
            return None
        anchor_ends = [
            (m.end(), len(a)) for a in anchors if a for m in re.finditer(re.escape(a), sentence)
        ]
        longest = max((length for _, length in anchor_ends), default=1)
        asked_unit = _ASKED_UNIT.search(question)
        unit = asked_unit.group(1) if asked_unit else ""

        def score(span: Span) -> float:
            value = 0.0
            if self._is_changed_to(sentence, span, spans):
                value += 0.5
            closeness = [
                (length / longest) * (1.0 - min(span.start - end, 40) / 40)
                for end, length in anchor_ends
                if end <= span.start
            ]
            value += max(closeness, default=0.0)
            if unit and span.text.endswith(unit):
                value += 1.0
            if kind == "person" and (
                _TITLE_NEAR.search(sentence[max(0, span.start - 4) : span.start])
                or _TITLE_NEAR.match(sentence[span.end : span.end + 3])
            ):
                value += 1.0
            # A span the question itself contains (its year, its figure) is not the answer.
            if question and span.text in question:
                value -= 3.0
            # Nor is one naming an entity the question is about (河北省 for a 河北 question).
            if any(e and (e in span.text or span.text in e) for e in excluded):
                value -= 3.0
            return value

        return max(spans, key=lambda s: (score(s), -s.start))

    @staticmethod
    def _is_changed_to(sentence: str, span: Span, spans: list[Span]) -> bool:
        """True for the new value of a change (由1万元提高到5万元): a change verb right before the
        span and an earlier span of the same kind in the same clause (the old value)."""
        if not _CHANGE_VERBS.search(sentence[max(0, span.start - 8) : span.start]):
            return False
        clause_start = max(sentence.rfind(mark, 0, span.start) for mark in "，,；;。") + 1
        return any(clause_start <= other.start and other.end <= span.start for other in spans)
