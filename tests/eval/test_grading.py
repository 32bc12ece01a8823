"""The answer-grading rules in ``eval.grading``: every rule and the near-misses that must fail."""

from __future__ import annotations

import pytest

from eval.grading import (
    MAX_ANSWER_CHARS,
    answer_matches,
    citation_supports,
    evidence_parts,
    is_correct,
    normalize,
    passage_hit,
    refusal_correct,
    short_answer_exact,
)

HARBIN_EVIDENCE = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"
# A realistic dumped chunk: it contains the gold figure but is no answer.
DUMPED_PASSAGE = (
    "与此同时，哈尔滨市对于高层次产业工人也加大了评选奖励的力度。" + HARBIN_EVIDENCE
    + "对于获得中华技能大奖、全国技术能手等不同层级奖项的高技能人才，根据去年印发的《哈尔滨市提高技术工人待遇的具体措施》，"
    "连续五年每月可以获得500~1000元的生活补贴，高技能领军人才在哈连续工作满10年以上，在办理退休手续时，按照国家级、省级、"
    "市级获奖类别，分别给予一次性10万元、8万元、5万元退休补助。不仅是哈尔滨，黑龙江省多地都在产业工人队伍建设过程中拿出真金白银，"
    "奖励高技能职工。牡丹江对获得省级以上称号的高技能人才，一次性给予1万元到30万元奖励；七台河市、鸡西市两家煤城的市总工会分别"
    "拿出了20万元、14.3万元作为全市劳动竞赛奖励资金。"
)


# ----------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("５万元", "5万元"),  # full-width digits
        ("ＡＰＰ", "app"),  # full-width letters, lower-cased
        ("App", "app"),
        ("15,484名", "15484名"),  # digit grouping
        ("15，484名", "15484名"),  # full-width grouping comma
        ("1,317,200人", "1317200人"),
        ("1,2", "1,2"),  # not a grouping comma
        ("2018,2019", "2018,2019"),
        ("“龙江工匠”", '"龙江工匠"'),  # quotes unified
        ("「龙江工匠」", '"龙江工匠"'),
        ("‘产改’", '"产改"'),
        ("5 万 元", "5万元"),  # whitespace dropped
        ("管理人才储\n\n备", "管理人才储备"),  # broken lines
        ("\u3000哈尔滨\t", "哈尔滨"),
        ("哈\u200b尔滨", "哈尔滨"),
        ("（工种）", "(工种)"),
        ("54.76％", "54.76%"),
        ("500～1000元", "500-1000元"),  # ranges
        ("2019—2021年", "2019-2021年"),
        ("500余家", "500多家"),  # approximation marker
        ("业余", "业余"),  # 余 not after a number is untouched
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent() -> None:
    text = "２０２１年，黑龙江省总工会投入４６６万元，培训“骨干”15,484名。"
    assert normalize(normalize(text)) == normalize(text)


# ----------------------------------------------------------------------------- answer_matches


@pytest.mark.parametrize(
    ("answer", "short", "gold"),
    [
        ("哈尔滨市对大工匠每人奖励5万元[1]。", None, ["5万元"]),
        ("每人奖励５万元。", None, ["5万元"]),  # full-width digits pass
        ("共培训15,484名骨干。", None, ["15484名"]),  # grouping comma
        ("共培训15484名骨干。", None, ["15,484名"]),
        ("", "5万", ["5万元"]),  # short answer without unit: unit tolerance
        ("每人奖励5万。", None, ["5万元"]),
        ("每人奖励5万的奖金。", None, ["5万元"]),
        ("每人奖励5万元。", None, ["5万"]),  # gold without unit accepts the unit
        ("约1.4亿", None, ["1.4亿人次"]),  # two-character unit 人次
        ("15484", None, ["15484名"]),
        ("确定了500余家试点单位", None, ["500多家"]),
        ("2019-2021年", None, ["2019—2021年"]),
        ("比例为31％", None, ["31%"]),
        ("答案见下", "齐齐哈尔", ["齐齐哈尔市", "齐齐哈尔"]),  # any alternative suffices
        ("“人教岗”模式抓住技工教育这个纽带", None, ["技工教育"]),
        ("HARBIN", None, ["harbin"]),
    ],
)
def test_answer_matches_accepts(answer: str, short: str | None, gold: list[str]) -> None:
    assert answer_matches(answer, short, gold)


@pytest.mark.parametrize(
    ("answer", "short", "gold"),
    [
        ("每人奖励1万元。", None, ["5万元"]),  # a different number (the old Harbin figure)
        ("每人奖励15万元。", None, ["5万元"]),  # digit boundary on the left
        ("每人奖励1.5万元。", None, ["5万元"]),  # decimal boundary
        ("", "15万", ["5万元"]),
        ("每人奖励5万人。", None, ["5万元"]),  # a different unit
        ("每人奖励5万美元。", None, ["5万元"]),
        ("5万多元", None, ["5万元"]),  # approximate, a different figure
        ("约5.5万元", None, ["5万元"]),
        ("奖励50万元", None, ["5万元"]),
        ("奖励5亿元", None, ["5万元"]),
        ("黑龙江高技能人才占技能人才总量的31%。", None, ["28%"]),  # another province's figure
        ("全国的比例是28.5%", None, ["28%"]),
        ("128%", None, ["28%"]),
        ("河北省高技能人才78.6万人", None, ["309.7万人"]),  # Heilongjiang's figure for Hebei
        ("2019年招生142万人", None, ["160万人"]),  # another year's figure
        ("共154840名", None, ["15484名"]),
        ("", None, ["5万元"]),  # nothing answered
        ("5万元", None, []),  # empty gold never matches
    ],
)
def test_answer_matches_rejects(answer: str, short: str | None, gold: list[str]) -> None:
    assert not answer_matches(answer, short, gold)


def test_dumped_passage_over_300_chars_is_rejected() -> None:
    assert len(normalize(DUMPED_PASSAGE)) > MAX_ANSWER_CHARS
    assert "5万元" in DUMPED_PASSAGE
    assert not answer_matches(DUMPED_PASSAGE, None, ["5万元"])
    assert not answer_matches(DUMPED_PASSAGE, "5万元", ["5万元"])  # the whole answer is rejected


def test_answer_length_limit_boundary() -> None:
    padding = "据文件记载" * 100
    at_limit = ("每人奖励5万元。" + padding)[:MAX_ANSWER_CHARS]
    assert len(normalize(at_limit)) == MAX_ANSWER_CHARS
    assert answer_matches(at_limit, None, ["5万元"])
    assert not answer_matches(at_limit + "。", None, ["5万元"])
    # whitespace is not counted
    spaced = "每人奖励5万元。" + " " * 400
    assert answer_matches(spaced, None, ["5万元"])


def test_overlong_short_answer_is_ignored() -> None:
    assert not answer_matches("见文件", DUMPED_PASSAGE, ["5万元"])
    assert answer_matches("5万元", DUMPED_PASSAGE, ["5万元"])


def test_match_all_requires_every_item() -> None:
    gold = ["郭明义", "巨晓林", "高凤林"]
    assert answer_matches("郭明义、巨晓林、高凤林当选全总兼职副主席", None, gold, "all")
    assert not answer_matches("郭明义、巨晓林当选全总兼职副主席", None, gold, "all")
    assert answer_matches("郭明义、巨晓林当选全总兼职副主席", None, gold, "any")
    # items may be split between the answer and the short answer
    assert answer_matches("郭明义、巨晓林", "高凤林", gold, "all")


def test_match_all_with_figures() -> None:
    gold = ["50人", "5万元"]
    assert answer_matches("每年评选50人，每人奖励5万元", None, gold, "all")
    assert not answer_matches("每年评选10人，每人奖励5万元", None, gold, "all")


def test_numbers_side_by_side_stay_two_numbers() -> None:
    """Whitespace between two digits separates two figures: a phone list given as the text writes
    it holds each number, and neither reads as the head of one longer number."""
    gold = ["12317", "0478-5235020"]
    assert answer_matches("监督电话:12317 0478-5235020", "12317 0478-5235020", gold, "all")
    assert not answer_matches("监督电话:123170478-5235020", None, gold, "all")
    assert normalize("12317 0478") != normalize("123170478")
    assert normalize("5 万元") == "5万元"  # a space before a magnitude still goes

# ----------------------------------------------------------------------------- is_correct / refusal


def _record(answer: str, gold: list[str], *, refused: bool = False, short: str | None = None, match: str = "any"):
    return {"answers": gold, "match": match, "answer": answer, "short_answer": short, "refused": refused}


def test_is_correct_answerable() -> None:
    assert is_correct(_record("哈尔滨市大工匠每人奖励5万元[1]。", ["5万元"], short="5万元"))
    assert not is_correct(_record("哈尔滨市大工匠每人奖励1万元[1]。", ["5万元"], short="1万元"))


def test_refusal_on_answerable_question_is_wrong() -> None:
    assert not is_correct(_record("文档中没有找到答案。", ["5万元"], refused=True))
    # even when the refusal text happens to contain the figure
    assert not is_correct(_record("无法确定是否为5万元。", ["5万元"], refused=True))


def test_unanswerable_needs_a_refusal() -> None:
    assert is_correct(_record("文档中没有齐齐哈尔市的相关数据。", [], refused=True))
    assert not is_correct(_record("齐齐哈尔市对大工匠每人奖励5万元。", [], refused=False))


def test_is_correct_defaults() -> None:
    assert is_correct({"answers": ["5万元"], "answer": "5万元"})  # match any, not refused
    assert not is_correct({"answers": ["5万元"]})  # no answer at all
    assert is_correct({"answers": [], "refused": True})
    assert is_correct(_record("郭明义、巨晓林、高凤林", ["郭明义", "巨晓林", "高凤林"], match="all"))
    assert not is_correct(_record("郭明义、巨晓林", ["郭明义", "巨晓林", "高凤林"], match="all"))


@pytest.mark.parametrize(
    ("refused", "gold", "expected"),
    [(True, [], True), (False, [], False), (True, ["5万元"], False), (False, ["5万元"], True)],
)
def test_refusal_correct(refused: bool, gold: list[str], expected: bool) -> None:
    assert refusal_correct(refused, gold) is expected


# ----------------------------------------------------------------------------- short_answer_exact


@pytest.mark.parametrize(
    ("short", "gold"),
    [
        ("5万元", ["5万元"]),
        ("５万元", ["5万元"]),
        ("5万", ["5万元"]),  # unit left off
        ("5万元", ["5万"]),  # unit added
        ("15,484名", ["15484名"]),
        ("15484", ["15484名"]),
        ("1.4亿", ["1.4亿人次"]),
        (" 齐齐哈尔 ", ["齐齐哈尔市", "齐齐哈尔"]),
        ("“龙工之家”", ["“龙工之家”"]),
    ],
)
def test_short_answer_exact_accepts(short: str, gold: list[str]) -> None:
    assert short_answer_exact(short, gold)


@pytest.mark.parametrize(
    ("short", "gold"),
    [
        ("5万人", ["5万元"]),  # different unit
        ("15万元", ["5万元"]),
        ("每人5万元", ["5万元"]),  # contains, but is not, the gold
        ("5", ["5万元"]),  # magnitude lost
        ("齐齐哈尔市总工会", ["齐齐哈尔市"]),
        (None, ["5万元"]),
        ("", ["5万元"]),
        ("5万元", []),
    ],
)
def test_short_answer_exact_rejects(short: str | None, gold: list[str]) -> None:
    assert not short_answer_exact(short, gold)


# ----------------------------------------------------------------------------- evidence, citations, passages


def test_evidence_parts() -> None:
    assert evidence_parts("甲 || 乙||丙") == ["甲", "乙", "丙"]
    assert evidence_parts("") == []
    assert evidence_parts(HARBIN_EVIDENCE) == [HARBIN_EVIDENCE]


def test_passage_hit() -> None:
    assert passage_hit(DUMPED_PASSAGE, HARBIN_EVIDENCE)
    # a chunk with broken lines and full-width digits still contains the evidence
    broken = "哈尔滨市大工匠由每年评选10人增加到50人，\n\n由每人奖励１万元提高到５万元。"
    assert passage_hit(broken, HARBIN_EVIDENCE)
    assert not passage_hit("牡丹江对获得省级以上称号的高技能人才，一次性给予1万元到30万元奖励", HARBIN_EVIDENCE)
    assert not passage_hit(DUMPED_PASSAGE, "")
    # a passage holding only part of a sentence is no hit
    assert not passage_hit("哈尔滨市大工匠由每年评选10人增加到50人", HARBIN_EVIDENCE)


def test_passage_hit_multihop_any_part() -> None:
    evidence = "4月21日,龙江产改经验在全国推进产业工人队伍建设改革工作经验交流会上被作为典型推广 || 2021年4月21日，全国推进产业工人队伍建设改革工作经验交流会议在江苏无锡召开"
    assert passage_hit("……2021年4月21日，全国推进产业工人队伍建设改革工作经验交流会议在江苏无锡召开，王东明……", evidence)
    assert passage_hit("4月21日，龙江产改经验在全国推进产业工人队伍建设改革工作经验交流会上被作为典型推广", evidence)
    assert not passage_hit("全国推进产业工人队伍建设改革工作电视电话会议在北京召开", evidence)


def test_citation_supports_by_evidence() -> None:
    assert citation_supports(["无关段落", DUMPED_PASSAGE], HARBIN_EVIDENCE, ["5万元"])
    broken = "由每年评选10人增加\n到50人，由每人奖励1万元提高到5万元。哈尔滨市大工匠由每年评选10人增加到\n50人，由每人奖励1万元提高到5万元。"
    assert citation_supports([broken], HARBIN_EVIDENCE, ["不相干"])


def test_citation_supports_by_gold_string() -> None:
    assert citation_supports(["市级获奖类别给予一次性5万元退休补助"], HARBIN_EVIDENCE, ["5万元"])
    assert not citation_supports(["市级获奖类别给予一次性15万元退休补助"], HARBIN_EVIDENCE, ["5万元"])


def test_citation_supports_multihop_any_part() -> None:
    evidence = "组队参加第七届全国职工职业技能大赛决赛，我省代表队取得团体总分第5名 || 美丽蓉城成都的中国西部国际博览城，隆重举行了第七届全国职工职业技能大赛决赛。"
    cited = ["2021年金秋十月，在有着3000年历史的“天府之国”、美丽蓉城成都的中国西部国际博览城，隆重举行了第七届全国职工职业技能大赛决赛。"]
    assert citation_supports(cited, evidence, ["某个不在段落中的答案"])


def test_citation_supports_rejects() -> None:
    assert not citation_supports([], HARBIN_EVIDENCE, ["5万元"])
    assert not citation_supports([""], HARBIN_EVIDENCE, ["5万元"])
    # another province's passage: neither the evidence nor the gold figure
    hebei = "截至目前，全省技能人才总量达到1046.6万人，高技能人才309.7万人"
    assert not citation_supports([hebei], "全省高技能人才达到78.6万人，占技能人才总量的31%", ["78.6万人"])
    assert not citation_supports(["任意段落"], "", [])
