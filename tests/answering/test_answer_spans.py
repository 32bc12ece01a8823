"""Name answers (people, organisations, places, editions) and when a name clearly answers."""

import pytest

from rag.answering.answer_spans import SpanFinder, _same_thing_as_asked, aligned_answer
from rag.text.places import Gazetteer
from rag.text.tokenizing import shared_tokenizer


@pytest.fixture(scope="module")
def finder() -> SpanFinder:
    return SpanFinder(shared_tokenizer(), Gazetteer())


def test_person_needs_a_surname_and_prefers_the_title_the_question_names(finder: SpanFinder) -> None:
    sentence = "2021年金秋十月，隆重举行了第七届全国职工职业技能大赛决赛。全国总工会副主席陈刚宣布开幕。"
    span = finder.best(sentence, "person", ["宣布", "开幕"], "决赛由谁宣布开幕？")
    assert span is not None and span.text == "陈刚"
    assert finder.find("形成了一批宝贵经验。", "person") == []


def test_a_byline_or_photo_credit_is_never_the_person(finder: SpanFinder) -> None:
    assert finder.best("（文/张洪岩 省总工会宣教部供图）", "person", [], "省总工会主席是谁？") is None
    assert finder.best("记者王小明报道，县长张建国出席会议。", "person", [], "谁出席了会议？").text == "张建国"  # type: ignore[union-attr]


def test_two_names_that_answer_equally_give_no_short_answer(finder: SpanFinder) -> None:
    # each with a title of its own, not one list: no guess between them
    assert finder.best("市长李明，副市长王刚。", "person", [], "市长是谁？") is None


def test_organisation_names_lose_leading_function_words(finder: SpanFinder) -> None:
    spans = [s.text for s in finder.find("根据中共中央办公厅印发的意见，由省总工会牵头。", "org")]
    assert "中共中央办公厅" in spans and not any(s.startswith("根据") for s in spans)
    sentence = "依据东莞市残疾人联合会备案的名单确定。"
    assert finder.best(sentence, "org", ["依据"], "依据哪个单位的名单确定？").text == "东莞市残疾人联合会"  # type: ignore[union-attr]


def test_places_come_from_the_gazetteer_and_adjacent_places_join(finder: SpanFinder) -> None:
    sentence = "经验交流会议在江苏无锡召开。"
    assert finder.best(sentence, "place", ["会议"], "会议在哪里召开？").text == "江苏无锡"  # type: ignore[union-attr]
    assert finder.find("在美丽的城市举行。", "place") == []


def test_entity_the_question_names_is_not_the_answer(finder: SpanFinder) -> None:
    sentence = "河北省代表队在成都取得团体总分第5名。"
    span = finder.best(sentence, "place", [], "河北代表队在哪个城市比赛？", excluded={"河北"})
    assert span is not None and span.text == "成都"


def test_ordinal_answers(finder: SpanFinder) -> None:
    sentence = "习近平总书记主持召开中央全面深化改革领导小组第三十二次会议，审议通过改革方案。"
    span = finder.best(sentence, "ordinal", ["领导小组"], "领导小组第几次会议审议通过了方案？")
    assert span is not None and span.text == "第三十二次"


def test_no_span_of_the_kind(finder: SpanFinder) -> None:
    assert finder.find("任何句子", "fact") == []


def test_document_numbers_answer_questions_about_a_notice_number(finder: SpanFinder) -> None:
    sentence = "根据《某市人民政府关于推动创新的若干意见》(金政发〔2021〕7号)文件精神，现予公示。"
    span = finder.best(sentence, "docnumber", [], "这份意见的文号是什么？")
    assert span is not None and span.text == "金政发〔2021〕7号"
    assert finder.find("东府办[2005]42号印发", "docnumber")[0].text == "东府办[2005]42号"


def test_an_organisation_named_after_the_asked_place_can_answer(finder: SpanFinder) -> None:
    """A name that starts with the question's place but names more (黑龙江省顺丰速运有限公司) answers;
    the question's own organisation (黑龙江省总工会) and the bare place never do."""
    sentence = "黑龙江省总工会将黑龙江省顺丰速运有限公司列为第二批试点单位。"
    question = "黑龙江省总工会将哪家快递企业列为第二批试点单位？"
    span = finder.best(sentence, "org", ["总工会", "将"], question, excluded={"黑龙江省", "黑龙江"})
    assert span is not None and span.text == "黑龙江省顺丰速运有限公司"
    only_place = finder.best("工作由黑龙江省总工会牵头。", "org", ["牵头"], "黑龙江哪个单位牵头？", excluded={"黑龙江"})
    assert only_place is None or only_place.text != "黑龙江"


def test_a_name_in_quotation_marks_answers_a_what_is_it_called_question(finder: SpanFinder) -> None:
    sentence = "省总工会全新上线“龙工之家”APP，为职工提供一站式服务。"
    span = finder.best(sentence, "name", ["上线"], "省总工会全新上线的APP叫什么名字？")
    assert span is not None and span.text == "龙工之家"
    assert finder.best("省总工会上线了一款APP。", "name", ["上线"], "APP叫什么名字？") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("试点中，某市构建了政治建设、政策制度、技能培训、服务保障“四个体系”。", "政治建设、政策制度、技能培训、服务保障"),
        ("浙江、山东印发了改革规划。", "浙江、山东"),
        ("设计了包括高级工、助理技师、技师和首席技师的晋升通道。", "高级工、助理技师、技师和首席技师"),
    ],
)
def test_an_enumeration_is_one_list_answer_without_the_clause_around_it(
    finder: SpanFinder, sentence: str, expected: str
) -> None:
    assert [s.text for s in finder.find(sentence, "list")] == [expected]


def test_the_thing_a_what_x_question_asks_about_is_named_before_x(finder: SpanFinder) -> None:
    sentence = "某县坚持党建引领，成立全省首家非公党建学院，建设党建工作室。"
    assert [s.text for s in finder.headed(sentence, "学院", "某县成立了全省首家什么学院？")] == ["非公党建学院"]
    pointed = "这个模式紧紧抓住“技工教育”这个纽带，精准培养。"
    assert [s.text for s in finder.headed(pointed, "纽带", "该模式抓住了什么纽带？")] == ["技工教育"]
    # a head with only the question's own words before it names nothing
    assert finder.headed("该县成立了学院。", "学院", "该县成立了什么学院？") == []


def test_a_quoted_name_beats_an_unquoted_one_nearby(finder: SpanFinder) -> None:
    sentence = "某市打造涵盖劳模协会、劳模宣讲团的工作品牌，组建“百名劳模宣讲团”，开展宣讲。"
    question = "某市组建了什么宣讲团？"
    found = finder.headed(sentence, "宣讲团", question)
    span = finder.best(sentence, "fact", ["某市", "组建", "宣讲团"], question, found=found)
    assert span is not None and span.text == "百名劳模宣讲团"


@pytest.mark.parametrize(
    ("sentence", "question", "expected"),
    [
        # the answer stands where the question word stands, between the question's own words
        ("某县“产业工人实训基地”被省委宣传部确定为首批教育基地。", "某县“产业工人实训基地”被哪个机构确定为首批教育基地？", "省委宣传部"),
        # the question's type noun (企业) and a modifier it adds need not be in the sentence
        ("在保定，长城汽车试点做法被省总工会作为样板推广；", "河北哪家企业的“产改”试点做法被省总工会作为样板推广？", "长城汽车"),
        # the words after the question word decide between two clauses of one sentence
        ("市人社局负责组织实施，市财政局负责资金保障。", "哪个部门负责资金保障？", "市财政局"),
        ("市人社局负责组织实施，市财政局负责资金保障。", "谁负责组织实施？", "市人社局"),
    ],
)
def test_the_answer_aligned_with_the_question_word(sentence: str, question: str, expected: str) -> None:
    span = aligned_answer(sentence, question)
    assert span is not None and span.text == expected
    assert sentence[span.start : span.end] == expected


def test_no_aligned_answer_when_the_sentence_does_not_line_up() -> None:
    # nothing of the question follows any unshared words of the sentence
    assert aligned_answer("投资3000万元建设对虾工厂化养殖基地。", "对虾养殖基地这项工作由哪个单位牵头？") is None
    # two clauses fit equally well: no answer rather than a guess
    assert aligned_answer("甲局负责实施，乙局负责实施。", "哪个部门负责实施？") is None
    assert aligned_answer("市财政局负责资金保障。", "资金保障怎么安排？") is None, "no question word"


def test_an_aligned_person_must_look_like_a_name(finder: SpanFinder) -> None:
    sentence = "全国劳模、某港口集团高级技师张海涛就是改革的受益者。"
    question = "某港口集团的哪位全国劳模、高级技师是改革的受益者？"
    span = finder.aligned(sentence, "person", question)
    assert span is not None and span.text == "张海涛"
    assert finder.aligned("在保定，长城汽车试点做法被推广；", "person", "哪位试点做法被推广？") is None


def test_a_name_closing_a_title_line_is_a_person(finder: SpanFinder) -> None:
    # jieba reads 兴国 in 田兴国 as a county; after a title, at the line's end, it is a name
    byline = "某某县人民政府县长 田兴国"
    assert [span.text for span in finder.find(byline, "person")] == ["田兴国"]
    best = finder.best(byline, "person", ["县长"], "某某县的县长叫什么名字？")
    assert best is not None and best.text == "田兴国"
    assert finder.find("担任县长期间成绩突出。", "person") == [], "a title followed by words is no name"


def test_an_organisation_that_is_the_asked_thing_named_more_fully_is_not_the_answer(finder: SpanFinder) -> None:
    question = "某县对虾养殖基地这项工作由哪个单位牵头？"
    sentence = "1.投资3000万元建设对虾工厂化循环水养殖基地。"
    assert finder.best(sentence, "org", ["养殖基地"], question) is None
    led = "对虾养殖基地由县示范区管委会牵头建设。"
    best = finder.best(led, "org", ["牵头"], question)
    assert best is not None and best.text == "县示范区管委会"


def test_a_bare_ending_shared_with_the_question_does_not_make_the_same_thing() -> None:
    assert _same_thing_as_asked("工厂化循环水养殖基地", "对虾养殖基地由哪个单位牵头？")
    assert not _same_thing_as_asked("高新区管理委员会", "哪个管理委员会负责园区运营？")
    assert not _same_thing_as_asked("市财政局", "哪个部门负责资金保障？")


def test_names_listed_after_one_title_answer_together(finder: SpanFinder) -> None:
    # the text repair folded the space between the two names: they are split by their surnames
    glued = "联系人:方玉婷陈心贝"
    assert [span.text for span in finder.find(glued, "person")] == ["方玉婷", "陈心贝"]
    best = finder.best(glued, "person", [], "Who are the contact persons?")
    assert best is not None and best.text == "方玉婷、陈心贝"
    listed = finder.best("联系人：方玉婷、陈心贝。", "person", [], "联系人是谁？")
    assert listed is not None and listed.text == "方玉婷、陈心贝"


def test_only_an_enumeration_of_the_asked_size_is_listed(finder: SpanFinder) -> None:
    sentence = "某市构建了政治建设、政策制度、技能培训“三个体系”，走访企业、学校。"
    assert [s.text for s in finder.listed(sentence, 3)] == ["政治建设、政策制度、技能培训"]
    assert [s.text for s in finder.listed(sentence, 2)] == ["企业、学校"]
    assert finder.listed(sentence, 4) == []


def test_a_question_ending_in_its_question_word_is_answered_by_the_clause_after_its_last_words() -> None:
    sentence = "甲地区总工会联合有关部门，为竞赛前3名的选手晋升为技师，第4到10名晋级高级工。"
    span = aligned_answer(sentence, "甲地区竞赛中获得第4到10名的选手可以晋级为什么？")
    assert span is not None and span.text == "高级工"


def test_an_aligned_quotation_answers_whole_across_its_commas() -> None:
    sentence = "会议确定了今后一个时期的主线工作:“造就一支产业工人大军,当好主人翁”。"
    span = aligned_answer(sentence, "会议确定的今后一个时期的工作主线是什么？")
    assert span is not None and span.text == "造就一支产业工人大军,当好主人翁"


def test_a_fact_answer_takes_the_asked_noun_only_where_the_sentence_has_it(finder: SpanFinder) -> None:
    sentence = "奖励资金由企业提出申请,县统计、经贸、发改等相关部门初审后,报县政府审批。"
    span = finder.aligned(sentence, "fact", "某县奖励资金由哪些部门初审？")
    assert span is not None and span.text == "县统计、经贸、发改等相关部门"
    # the noun after 什么 is not right after the aligned words: the sentence is put another way
    assert finder.aligned("某市成立非公企业党建联盟，打造党建共同体。", "fact", "某市成立了什么联盟来打造党建共同体？") is None


def test_a_question_asking_which_document_is_answered_by_the_title_its_verb_introduces(finder: SpanFinder) -> None:
    sentence = "贯彻国务院《改革方案》安排部署，省委在全国率先出台《关于产业工人队伍建设改革的实施意见》。"
    question = "某省在全国率先出台了什么改革文件？"
    named = finder.headed(sentence, "改革文件", question)
    assert [s.text for s in named] == ["《改革方案》", "《关于产业工人队伍建设改革的实施意见》"]
    span = finder.best(sentence, "fact", ["率先", "出台"], question, (), named)
    assert span is not None and span.text == "《关于产业工人队伍建设改革的实施意见》"


def test_who_bears_or_approves_may_be_a_unit(finder: SpanFinder) -> None:
    sentence = "本次下达奖补资金共计30万元,该费用由开发区管委会承担。"
    span = finder.aligned(sentence, "person", "奖补费用由谁承担？")
    assert span is not None and span.text == "开发区管委会"
    # a plain 「谁」 still wants a person's name
    assert finder.aligned("会议由开发区管委会主持。", "person", "会议是谁主持的？") is None


def test_a_question_about_someones_post_is_answered_by_the_title_before_the_name(finder: SpanFinder) -> None:
    sentence = "会议在北京召开，全国人大常委会副委员长、全国总工会主席王东明作出部署。"
    posts = finder.headed(sentence, "职务", "王东明担任全国总工会什么职务？")
    assert [s.text for s in posts] == ["全国总工会主席"]
    both = finder.headed(sentence, "职务", "王东明担任什么职务？")
    assert [s.text for s in both] == ["全国人大常委会副委员长", "全国总工会主席"]


def test_items_the_sentence_itself_counts_answer_a_which_two_question(finder: SpanFinder) -> None:
    sentence = "获国家级、省级荣誉301个,林长制和“免督查”两项工作获国务院督查激励。"
    assert [s.text for s in finder.listed(sentence, 2)] == ["林长制和“免督查”"]
    cut = finder.listed("安排一定资金用于打造纤维新材料、智能汽车两大世界级产业集群。", 2)
    assert [s.text for s in cut] == ["纤维新材料、智能汽车"]


def test_a_label_line_answers_the_question_about_its_label(finder: SpanFinder) -> None:
    assert finder.labelled("3.支持企业开展技术改造。牵头单位:区经信局", "这几项政策的牵头单位是哪个部门？", "org").text == "区经信局"  # type: ignore[union-attr]
    contact = finder.labelled("联系人：方玉婷、陈心贝，联系电话：0579-82469012", "对公示有异议找谁联系？", "person")
    assert contact is not None and contact.text == "方玉婷、陈心贝"
    assert finder.labelled("联系人：方玉婷，联系电话：0579-82469012", "补助标准是多少？", "fact") is None


def test_a_role_such_as_expert_or_engineer_makes_the_name_beside_it_a_person(finder: SpanFinder) -> None:
    sentence = "② 某某机车车辆股份有限公司高级技师、首席技师、首席技能专家郭锐在查验齿轮箱加油量"
    best = finder.best(sentence, "person", ["首席技能专家"], "正在查验齿轮箱加油量的首席技能专家是谁？")
    assert best is not None and best.text == "郭锐"
    # the same name without any role beside it is not trusted as the answer
    assert finder.best("郭锐在查验齿轮箱加油量", "person", [], "谁在查验齿轮箱？") is None


def test_a_unit_named_with_and_is_one_unit_unless_a_complete_unit_comes_before_the_and(finder: SpanFinder) -> None:
    found = [s.text for s in finder.find("甲县工业信息化和商务局关于开展消费券活动的公告", "org")]
    assert found == ["甲县工业信息化和商务局"]
    found = [s.text for s in finder.find("请县人社局和县财政局共同负责。", "org")]
    assert found == ["县人社局", "县财政局"]  # the tier 县 starts each unit's name


def test_an_aligned_unit_is_more_than_a_verb(finder: SpanFinder) -> None:
    sentence = "第四条甲县水利局负责对全县农村饮水工程进行规划、建设和管理。"
    question = "甲县农村饮水工程由哪个部门负责规划、建设和管理？"
    assert aligned_answer(sentence, question).text == "进行"  # type: ignore[union-attr]  # where 哪个 stands
    assert finder.aligned(sentence, "org", question) is None  # but a verb is no unit
    best = finder.best(sentence, "org", ["负责"], question)
    assert best is not None and best.text == "甲县水利局"


def test_ranks_sharing_their_ranking_words_are_told_apart_by_their_own_lead(finder: SpanFinder) -> None:
    sentence = "过去一年,我们收获了不少荣誉,综合竞争力跻身全国百强县(市)第92位,投资潜力位列全国百强县(市)第91位、中国西部百强县(市)第15位。"
    for question, rank in (
        ("甲市综合竞争力在全国百强县（市）里排第几位？", "第92位"),
        ("甲市投资潜力在全国百强县（市）里排第几位？", "第91位"),
        ("甲市在中国西部百强县（市）中排第几位？", "第15位"),
    ):
        anchors = [t for t in finder.tokenizer.tokenize(question) if t in sentence]
        best = finder.best(sentence, "ordinal", anchors, question)
        assert best is not None and best.text == rank, question


def test_an_aligned_unit_cut_by_the_questions_place_is_answered_by_the_whole_unit(finder: SpanFinder) -> None:
    sentence = "11月11日,湖北省财政厅官网公示2020年度美丽乡村建设试点村名单。"
    question = "是哪个部门公示的湖北2020年度美丽乡村建设试点村名单？"
    assert aligned_answer(sentence, question).text == "省财政厅官网"  # type: ignore[union-attr]
    assert finder.aligned(sentence, "org", question).text == "湖北省财政厅"  # type: ignore[union-attr]


def test_units_side_by_side_in_one_list_answer_together(finder: SpanFinder) -> None:
    sentence = "日供水能力在100立方米以下的工程，由受益范围内的村委会或者用水户协会管理。"
    best = finder.best(sentence, "org", ["管理"], "100立方米以下的工程谁来管？")
    assert best is not None and best.text == "村委会或者用水户协会"
    # units far apart in the sentence stay two answers, and no guess is made between them
    apart = "市财政局负责拨付资金，审核工作交给市民政局。"
    assert finder.best(apart, "org", [], "由哪个部门负责？") is None



def test_a_quoted_name_before_an_evaluative_word_names_the_head(finder: SpanFinder) -> None:
    sentence = "全县经济社会发展呈现“总体平稳、稳中有进”的良好态势。"
    assert [s.text for s in finder.headed(sentence, "态势", "2022年全县经济社会发展呈现什么态势？")] == ["总体平稳、稳中有进"]


def test_a_document_asked_for_is_named_by_its_number_when_it_has_no_title(finder: SpanFinder) -> None:
    sentence = "根据(遵财社[2009]30号)文件的具体要求,决定下拨救灾补助资金。"
    assert [s.text for s in finder.headed(sentence, "文件", "这次下拨资金是根据哪个文件？")] == ["遵财社[2009]30号"]


def test_a_lists_edge_items_are_whole_after_a_label_or_before_the_end(finder: SpanFinder) -> None:
    group = "赤壁市(4个)：车埠镇鸡公山村、官塘驿镇葛仙山村、中伙铺镇罗县村、赤马港办事处月山村。"
    assert [s.text for s in finder.find(group, "list")] == ["车埠镇鸡公山村、官塘驿镇葛仙山村、中伙铺镇罗县村、赤马港办事处月山村"]
    # inside a clause the edge items are still cut to the others' length
    clause = "泰安市构建了政治建设、政策制度、技能培训、服务保障四大体系。"
    assert finder.find(clause, "list")[0].text == "政治建设、政策制度、技能培训、服务保障"


def test_a_question_with_two_ordinal_slots_gets_both_ordinals_of_one_name(finder: SpanFinder) -> None:
    sentence = "——2021年3月9日在某县第十四届人民代表大会第六次会议上"
    both = finder.best(sentence, "ordinal", ["人民代表大会"], "某县政府工作报告是在县第几届人大第几次会议上作的？")
    assert both is not None and both.text == "第十四届人民代表大会第六次会议"
    assert sentence[both.start : both.end] == both.text
    # ordinals in different clauses are different things: no joined span
    apart = finder.best("第三批名单已公布，张三获第二名", "ordinal", ["名单"], "第几批名单中张三第几名？")
    assert apart is None or apart.text in ("第三批", "第二名")


def test_a_word_the_question_shares_inside_the_answers_name_does_not_cut_it() -> None:
    # 财政 of 「区财政局农财科」 is also in 「拨至各镇财政所」 after the question word
    span = aligned_answer("该资金由区财政局农财科拨至各镇财政所。", "补贴资金由哪个部门拨至各镇财政所？")
    assert span is not None and span.text == "区财政局农财科"


def test_an_organisation_answer_is_not_widened_across_a_preposition(finder: SpanFinder) -> None:
    span = finder.aligned("该资金由区财政局农财科拨至各镇财政所。", "org", "补贴资金由哪个部门拨至各镇财政所？")
    assert span is not None and span.text == "区财政局农财科"


def test_the_ordinal_counted_in_the_questions_counter_answers(finder: SpanFinder) -> None:
    sentence = "——2024年2月28日在某县第十七届人民代表大会第四次会议上"
    session = finder.best(sentence, "ordinal", ["某县", "会议"], "某县2024年政府工作报告是在人代会的第几次会议上作的？")
    assert session is not None and session.text == "第四次"
    term = finder.best(sentence, "ordinal", ["某县"], "某县2024年政府工作报告是在县第几届人民代表大会上作的？")
    assert term is not None and term.text == "第十七届"


def test_a_label_naming_two_fields_answers_for_its_first(finder: SpanFinder) -> None:
    span = finder.labelled("联系人和电话:黄某某,13887692697。", "某县补助政策办事受理的联系人是谁？", "person")
    assert span is not None and span.text == "黄某某"
    assert finder.labelled("单位名称和地址:某县农业农村局,某路60号;", "某县补助政策的联系人是谁？", "person") is None


def test_a_label_over_numbered_items_is_no_value_of_its_own(finder: SpanFinder) -> None:
    line = "监督电话:2.县财政局:0398-7862268"
    assert finder.labelled(line, "县财政局的监督电话是多少？").text == "0398-7862268"  # type: ignore[union-attr]
    assert finder.labelled("(七)咨询电话:0482-8299146", "咨询电话是多少？").text == "0482-8299146"  # type: ignore[union-attr]


def test_two_fields_on_one_line_are_parted_at_the_space(finder: SpanFinder) -> None:
    line = "1.甲村饮水工程 投资:500万元 实施单位:泽库县农牧水利和科技局"
    unit = finder.labelled(line, "甲村饮水工程的实施单位是谁？", "org")
    assert unit is not None and unit.text == "泽库县农牧水利和科技局"
    investment = finder.labelled(line, "甲村饮水工程投资多少？")
    assert investment is not None and investment.text == "500万元"


def test_a_name_label_answers_what_its_noun_is(finder: SpanFinder) -> None:
    row = "序号：93，项目编号：Ⅰ-12，项目名称：郿岘双凤山传说，申报地区或单位：平凉市文化馆。"
    name = finder.labelled(row, "名录中序号93的项目是什么？")
    assert name is not None and name.text == "郿岘双凤山传说"



def test_a_unit_named_by_its_department_ending_is_whole(finder: SpanFinder) -> None:
    sentence = "市政主管部门负责全市城市道路范围内窨井设施的日常监管和应急处置工作。"
    unit = finder.best(sentence, "org", ["负责"], "窨井设施的日常监管由谁负责？")
    assert unit is not None and unit.text == "市政主管部门"


def test_a_forwarding_notices_own_number_is_asked_by_its_title() -> None:
    from rag.answering.answer_spans import ASKS_CITED_DOCUMENT

    assert not ASKS_CITED_DOCUMENT.search("某市转发省农业厅耕地轮作休耕专题调研通知的文号是什么？")
    assert ASKS_CITED_DOCUMENT.search("某市所转发的省农业厅通知的文号是什么？")
