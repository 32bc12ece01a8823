"""Question kinds and entities: they decide the short answer and the refusal."""

import pytest

from rag.answering.question import QuestionAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> QuestionAnalyzer:
    return QuestionAnalyzer()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("哈尔滨市对大工匠每人奖励多少钱？", "amount"),
        ("How much did Harbin award each of its great craftsmen?", "amount"),
        ("河北省高技能人才有多少万人？", "count"),
        ("How many pilot units did Shandong set up?", "count"),
        ("黑龙江省高技能人才占技能人才总量的比例是多少？", "percent"),
        ("《新时期产业工人队伍建设改革方案》是什么时候颁发的？", "date"),
        ("谁是河钢集团邯钢公司用户技术研究中心主任？", "person"),
        ("河北省产改工作由哪个单位牵头？", "org"),
        ("首届大国工匠创新交流大会在哪里开幕？", "place"),
        ("山东省试点工作重点围绕哪些方面？", "list"),
        ("黑龙江省为什么要推进产业工人队伍建设改革？", "fact"),
        # 哪个 + a few words + an organisation noun asks for an organisation, not for a province
        ("甲省哪个省直部门率先实行企业技能人才自主评价？", "org"),
        ("乙市总工会将哪家快递企业列为试点单位？", "org"),
        ("会议在哪个城市举行？", "place"),
        ("Which Shandong city first created the platform?", "place"),
        # 哪几位 asks which ones (a list of names), not how many
        ("执行委员会上，哪几位以一线劳动者身份当选兼职副主席？", "list"),
        # the name of a thing (found in quotation marks), but a person's name is still a person
        ("丙县总工会上线的APP叫什么名字？", "name"),
        ("该活动被称为什么？", "name"),
        ("What is the new app called?", "name"),
        # 'when' opening a condition asks for no date
        ("What award does a referrer get when the enterprise's tax reaches 500,000 yuan?", "amount"),
        ("When was the notice issued?", "date"),
        # where something ranks is a rank, not a place
        ("Where did Jianyang rank among the top-100 counties of western China in 2019?", "ordinal"),
        ("这位劳模叫什么名字？", "person"),
        # any title before 叫什么名字 makes it a person (区长, 镇长, 专家 are titles as much as 县长)
        ("丁区区长叫什么名字？", "person"),
        ("戊镇镇长的名字是什么？", "person"),
        # the party that manages or approves is a unit in a 公文; who announced something is a person
        ("日供水能力100立方米以上的工程归谁统一管理？", "org"),
        ("分散的小工程谁来管？", "org"),
        ("决赛由谁宣布开幕？", "person"),
        # 资金 names the topic; 哪个部门 asks for a unit (not a figure, not a bare fact)
        ("补贴资金由哪个部门拨至各镇财政所？", "org"),
        ("奖励资金由哪些部门初审？", "fact"),
        ("补助资金要送到哪里核销？", "fact"),
        ("补助资金多少？", "amount"),
    ],
)
def test_kind(analyzer: QuestionAnalyzer, question: str, kind: str) -> None:
    assert analyzer.analyze(question).kind == kind


def test_entities_chinese(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("2021年齐齐哈尔市对大工匠每人奖励多少钱？")
    assert [m.place.name for m in analysis.places] == ["齐齐哈尔"]
    assert analysis.years == ["2021"]
    assert analysis.language == "zh"


def test_entities_english_names_map_to_chinese(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("How much did Harbin award each great craftsman in Heilongjiang?")
    assert [m.place.name for m in analysis.places] == ["哈尔滨", "黑龙江"]
    assert analysis.language == "en"


def test_english_name_needs_word_boundary(analyzer: QuestionAnalyzer) -> None:
    # "Jilin" must not be found inside another word, nor "Hebei" in "Hebeiish".
    assert analyzer.analyze("Hebeiish workers?").places == []


def test_quoted_programme(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("《哈尔滨市提高技术工人待遇的具体措施》规定了什么？")
    assert analysis.quoted == ["哈尔滨市提高技术工人待遇的具体措施"]


def test_ordinal_kind(analyzer: QuestionAnalyzer) -> None:
    assert analyzer.analyze("中央全面深化改革领导小组第几次会议审议通过了方案？").kind == "ordinal"
    assert analyzer.analyze("What ranking did Hebei's team achieve?").kind == "ordinal"


def test_a_follow_up_that_asks_for_its_own_figure_decides_what_is_asked() -> None:
    from rag.answering.question import QuestionAnalyzer

    analysis = QuestionAnalyzer().analyze("某县任务分解有多少项具体任务，涉及几个责任单位？", follow_up="涉及几个责任单位？")
    assert analysis.asked is not None and "个" in analysis.asked.classes and "项" in analysis.asked.classes
    plain = QuestionAnalyzer().analyze("某县任务分解有多少项具体任务？")
    assert plain.asked is not None and plain.asked.classes == ("项", "个")


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("某市组建了什么宣讲团？", "宣讲团"),
        ("某县成立了什么联盟来打造党建共同体？", "联盟"),
        ("某公司探索建立了怎样的同步培养模式？", "同步培养模式"),
        ("这份通知是什么时候印发的？", ""),  # 什么时候 asks for a date, not a thing
        ("为什么要推进改革？", ""),
        ("某省实施什么工程、构建了什么体系？", ""),  # two things asked: no single head
    ],
)
def test_head_noun_of_a_what_x_question(analyzer: QuestionAnalyzer, question: str, head: str) -> None:
    assert analyzer.analyze(question).head == head


def test_only_qualifying_figures_are_constraints() -> None:
    from rag.answering.question import qualifying_figures

    assert [q.text for q in qualifying_figures("集中连片600亩以上的示范方补助多少？")] == ["600亩"]
    for question in ("哪两个省份印发了规划？", "工作部署中的两个“10”分别指什么？", "十三届全国人大代表是谁？",
                     "开展“五个百万”竞赛多少场？", "2023年生产总值是多少？"):
        assert qualifying_figures(question) == [], question


def test_a_translation_adds_words_but_not_another_place(analyzer: QuestionAnalyzer) -> None:
    question = analyzer.analyze("How many model workers did Harbin commend?")
    translated = analyzer.with_translation(question, "齐齐哈尔市表彰了多少名劳动模范？")
    assert translated.translation == "齐齐哈尔市表彰了多少名劳动模范？"
    assert any("劳动模范" in term for term in translated.expansions)
    assert not any("齐齐哈尔" in term for term in translated.expansions), "a rival place is cut out"
    assert [m.place.name for m in translated.places] == [m.place.name for m in question.places]
    faithful = analyzer.with_translation(question, "黑龙江省哈尔滨市表彰了多少名劳动模范？")
    assert any("哈尔滨" in term for term in faithful.expansions), "the question's own place (and its province) stay"


def test_a_translated_question_must_agree_on_places_years_and_editions(analyzer: QuestionAnalyzer) -> None:
    question = analyzer.analyze("How many model workers did Harbin commend in 2020?")
    assert analyzer.agrees(question, analyzer.analyze("2020年黑龙江省哈尔滨市表彰了多少名劳动模范？"))
    assert not analyzer.agrees(question, analyzer.analyze("2020年齐齐哈尔市表彰了多少名劳动模范？"))
    assert not analyzer.agrees(question, analyzer.analyze("2021年哈尔滨市表彰了多少名劳动模范？"))
    assert not analyzer.agrees(question, analyzer.analyze("2020年表彰了多少名劳动模范？")), "the place was dropped"


@pytest.mark.parametrize(
    ("question", "size"),
    [
        ("某集团畅通的三支人才发展通道是哪三支？", 3),
        ("哪两个省份印发了改革规划？", 2),
        ("某市构建了哪“四个体系”？", 4),
        ("协调小组建立的“四项机制”是什么？", 4),
        ("某市有哪些试点单位？", 0),
        ("某县有多少个试点？", 0),
    ],
)
def test_a_question_that_counts_what_it_asks_for_is_a_list_of_that_size(
    analyzer: QuestionAnalyzer, question: str, size: int
) -> None:
    analysis = analyzer.analyze(question)
    assert analysis.list_size == size
    if size:
        assert analysis.kind == "list" and analysis.asked is None


@pytest.mark.parametrize(
    ("question", "head"),
    [("某市奖励依据的是哪个文件？", "文件"), ("某省率先出台了什么改革文件？", "改革文件"), ("某市由哪个单位牵头？", "")],
)
def test_a_question_asking_which_document_has_the_document_as_its_head(
    analyzer: QuestionAnalyzer, question: str, head: str
) -> None:
    assert analyzer.analyze(question).head == head


def test_an_english_place_word_that_starts_an_organisations_name_is_no_place_constraint(
    analyzer: QuestionAnalyzer,
) -> None:
    named = analyzer.analyze("What salary can a chief technician at Harbin Electric Group receive?")
    assert [m.surface for m in named.places] == []
    place = analyzer.analyze("How much did Harbin award each of its great craftsmen?")
    assert [m.surface for m in place.places] == ["Harbin"]


def test_a_year_naming_the_report_is_no_year_of_the_figure(analyzer: QuestionAnalyzer) -> None:
    analysis = analyzer.analyze("黎平县2022年政府工作报告里，2021年全县地区生产总值是多少？")
    assert analysis.report_years == ["2022"] and analysis.years == ["2021"]
    both = analyzer.analyze("2022年黎平县人民政府工作报告是哪位县长作的？")
    assert both.report_years == ["2022"] and both.years == []
    # a year with its month is a date of the meeting, checked as a year
    dated = analyzer.analyze("2020年1月简阳市人代会上作政府工作报告的市长是谁？")
    assert dated.report_years == [] and dated.years == ["2020"]


def test_which_few_asks_for_a_list_and_how_many_for_a_count(analyzer: QuestionAnalyzer) -> None:
    assert analyzer.analyze("赤壁市入选试点村的是哪几个村？").kind == "list"
    assert analyzer.analyze("赤壁市有几个村入选试点村？").kind == "count"


def test_an_english_question_names_the_report_it_reads_from() -> None:
    """"according to its 2019 government work report" names the report's year, not the figure's."""
    analysis = QuestionAnalyzer().analyze(
        "What was the estimated GDP of the city in 2018 according to its 2019 government work report?"
    )
    assert analysis.report_years == ["2019"] and analysis.years == ["2018"]


def test_an_english_place_name_is_not_translated_as_words() -> None:
    """「Hangjin Rear Banner」 is a place, not 饲养 (to rear) and 旌旗 (a banner)."""
    analysis = QuestionAnalyzer().analyze("What was the GDP of Hangjin Rear Banner in 2021?")
    assert not {"饲养", "旌旗", "横幅"} & set(analysis.translations)
    assert "杭锦后旗" in {m.place.name for m in analysis.places}


def test_a_year_before_according_to_the_report_is_the_figures_year() -> None:
    analysis = QuestionAnalyzer().analyze("What was the county's GDP for 2025 according to its government work report?")
    assert analysis.report_years == [] and analysis.years == ["2025"]


@pytest.mark.parametrize(("question", "named"), [
    ("按某县2004年办法，每村运转经费基数是多少？", ["2004"]),
    ("某县2023年通知要求的补助标准是多少？", ["2023"]),
    ("某县2023年通知书发放了多少份？", []),
    ("某市2020年第三批市级美丽乡村建设专项资金下达了多少？", []),
])
def test_a_year_right_before_a_documents_kind_names_that_document(question: str, named: list[str]) -> None:
    analysis = QuestionAnalyzer().analyze(question)
    assert analysis.report_years == named
    assert ("2004" in analysis.years or "2023" in analysis.years or "2020" in analysis.years) == (not named)
