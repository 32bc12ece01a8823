"""Follow-up questions are rewritten against the earlier user turns."""

import pytest

from rag.answering.conversation import FollowUpResolver
from rag.text.places import Gazetteer
from rag.schema import ChatTurn


@pytest.fixture(scope="module")
def resolver() -> FollowUpResolver:
    return FollowUpResolver(Gazetteer())


def turns(*questions: str) -> list[ChatTurn]:
    history = []
    for q in questions:
        history += [ChatTurn(role="user", content=q), ChatTurn(role="assistant", content="……")]
    return history


def test_place_swapped(resolver: FollowUpResolver) -> None:
    history = turns("黑龙江省高技能人才达到多少万人？")
    assert resolver.resolve("那河北呢？", history) == "河北高技能人才达到多少万人？"


def test_year_swapped_or_added(resolver: FollowUpResolver) -> None:
    assert resolver.resolve("那2021年呢？", turns("2020年省总工会设立了多少抗疫资金？")) == "2021年省总工会设立了多少抗疫资金？"
    assert resolver.resolve("那2020年呢？", turns("黑龙江省高技能人才达到多少万人？")).startswith("2020年黑龙江省")


def test_chain_of_followups(resolver: FollowUpResolver) -> None:
    history = turns("黑龙江省高技能人才达到多少万人？", "那河北呢？")
    assert resolver.resolve("那山东呢？", history) == "山东高技能人才达到多少万人？"


def test_english_followup(resolver: FollowUpResolver) -> None:
    history = turns("How many high-skilled workers does Heilongjiang have?")
    assert resolver.resolve("What about Hebei?", history) == "How many high-skilled workers does Hebei have?"


def test_topic_followup_keeps_context(resolver: FollowUpResolver) -> None:
    resolved = resolver.resolve("那技能大师工作室呢？", turns("黑龙江省建成高技能人才培训基地多少个？"))
    assert "黑龙江省" in resolved and "技能大师工作室" in resolved


def test_standalone_question_untouched(resolver: FollowUpResolver) -> None:
    question = "山东省首批省级改革试点中全面试点有多少个？"
    assert resolver.resolve(question, turns("黑龙江省高技能人才达到多少万人？")) == question
    assert resolver.resolve("那河北呢？", []) == "那河北呢？"


def test_tier_swapped(resolver: FollowUpResolver) -> None:
    resolved = resolver.resolve("那农村的呢？", turns("某区城市低保标准提高到多少？"))
    assert "农村" in resolved and "城市" not in resolved
    assert "低保标准" in resolved


def test_a_threshold_follow_up_swaps_the_figure_of_its_unit(resolver: FollowUpResolver) -> None:
    history = [ChatTurn(role="user", content="某县示范方集中连片400亩以上补助多少？"), ChatTurn(role="assistant", content="1万元。")]
    assert resolver.resolve("800亩以上呢？", history) == "某县示范方集中连片800亩以上补助多少？"
    revenue = [ChatTurn(role="user", content="对年营业收入首次突破300亿元的园区奖励多少？")]
    assert resolver.resolve("突破1000亿元的呢？", revenue) == "对年营业收入首次突破1000亿元的园区奖励多少？"


def test_a_question_opening_with_a_verb_asks_about_the_previous_subject() -> None:
    from rag.text.tokenizing import shared_tokenizer

    resolver = FollowUpResolver(Gazetteer(), shared_tokenizer())
    history = [ChatTurn(role="user", content="某市总工会推动建会多少个？"), ChatTurn(role="assistant", content="2622个。")]
    assert resolver.resolve("发展了多少会员？", history) == "某市总工会推动建会，发展了多少会员？"
    assert resolver.resolve("职工书屋有多少家？", history) == "职工书屋有多少家？"  # a subject of its own
    assert resolver.resolve("对应的公示期是多久？", history) == "对应的公示期是多久？"  # 对应的 modifies the subject


def test_an_english_follow_up_with_its_own_question_comes_first(resolver: FollowUpResolver) -> None:
    history = [ChatTurn(role="user", content="How many new trade unions has Hebei set up?")]
    resolved = resolver.resolve("And how many members have they recruited?", history)
    assert resolved == "How many members have they recruited, regarding: How many new trade unions has Hebei set up?"


@pytest.mark.parametrize(("follow_up", "previous", "expected"), [
    # the place of the new place's level is swapped; a place of another level stays
    ("去新疆的呢？", "吴江区去西藏服役的义务兵优待金增发多少？", "吴江区去新疆服役的义务兵优待金增发多少？"),
    # places inside the swapped one go with it
    ("那河北呢？", "黑龙江省哈尔滨市高技能人才有多少？", "河北高技能人才有多少？"),
    # another edition's date
    ("6月28日重新公示的那次呢？", "西平县5月份公示的补贴标准是多少？", "西平县6月28日公示的补贴标准是多少？"),
    # a threshold's bound swaps with it
    ("100立方米以下分散的那些呢？", "日供水能力100立方米以上的饮水工程谁来管？", "日供水能力100立方米以下的饮水工程谁来管？"),
])
def test_a_follow_up_swaps_the_matching_place_date_or_bound(
    resolver: FollowUpResolver, follow_up: str, previous: str, expected: str
) -> None:
    assert resolver.resolve(follow_up, turns(previous)) == expected


def test_town_swapped(resolver: FollowUpResolver) -> None:
    history = turns("融安县长安镇2023年金桔新种任务多少亩？")
    assert resolver.resolve("泗顶镇呢？", history) == "融安县泗顶镇2023年金桔新种任务多少亩？"


def test_a_change_against_last_year_is_asked_of_the_previous_figure(resolver: FollowUpResolver) -> None:
    history = [ChatTurn(role="user", content="某市2018年人均地区生产总值是多少？"), ChatTurn(role="assistant", content="5.18万元。")]
    assert resolver.resolve("比上年增加了多少？", history) == "某市2018年人均地区生产总值，比上年增加了多少？"
    assert resolver.resolve("比上年增加了多少？", []) == "比上年增加了多少？"
