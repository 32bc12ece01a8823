"""Broken-line repair, whitespace folding, and title/heading detection (rag.ingest.cleaning)."""

from pathlib import Path

import pytest

from rag.ingest.cleaning import detect_title_and_headings, repair
from rag.text.sentences import is_heading_shaped, is_soft_break, line_breaks

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def corpus_text(prefix: str) -> str:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def paragraph_around(text: str, needle: str) -> tuple[int, int]:
    """Offsets from the start of the line holding ``needle`` to the end of the line after it."""
    at = text.index(needle)
    start = text.rfind("\n", 0, at) + 1
    line_end = text.index("\n", at)
    next_line = len(text) - len(text[line_end:].lstrip())
    end = text.find("\n", next_line)
    return start, len(text) if end < 0 else end


# --- the two broken lines of the brief, on the real corpus ---


def test_corpus_002_broken_line_is_repaired() -> None:
    text = corpus_text("002")
    assert "省总工会牵头协\n\n调13个成员单位" in text  # the damage is really there
    start, end = paragraph_around(text, "省总工会牵头协")
    repaired = repair(text, start, end)
    assert "省总工会牵头协调13个成员单位" in repaired
    assert "\n" not in repaired
    (brk,) = [b for b in line_breaks(text, start, end)]
    assert brk.soft and text[brk.start - 1] == "协" and text[brk.end] == "调"


def test_corpus_004_broken_line_is_repaired() -> None:
    text = corpus_text("004")
    assert "立体\n\n化、全方位的" in text
    start, end = paragraph_around(text, "构建了多层次、立体")
    repaired = repair(text, start, end)
    assert "构建了多层次、立体化、全方位的试点工作格局。" in repaired
    at = text.index("立体\n\n化") + 2
    assert is_soft_break(text, at, at + 2)


def test_corpus_slice_repair_matches_brief() -> None:
    """repair() on a plain slice (what a caller holding only a chunk's text does) works too."""
    text = corpus_text("002")
    at = text.index("在省委的坚强领导下")
    end = text.index("全力推动“产改”向纵深发展。", at) + len("全力推动“产改”向纵深发展。")
    assert "牵头协调13个" in repair(text[at:end])


def test_context_decides_for_a_line_that_starts_mid_paragraph() -> None:
    """``在中国共产党成立`` alone looks like a heading; with its line it is a sentence's start."""
    text = corpus_text("000")
    start = text.index("在中国共产党成立")
    end = text.index("受众113万人次。") + len("受众113万人次。")
    assert "在中国共产党成立100周年之际" in repair(text, start, end)


def test_real_paragraph_breaks_are_kept_in_the_corpus() -> None:
    text = corpus_text("000")
    soft = [b for b in line_breaks(text) if b.soft]
    hard = [b for b in line_breaks(text) if not b.soft]
    assert len(hard) > 50
    # exactly the three broken sentences of this file, and none after a full stop
    assert [text[b.start - 2 : b.start] for b in soft] == ["比赛", "成立", "才储"]
    assert all(text[b.start - 1] not in "。！？；" for b in soft)


# --- synthetic strings ---


def test_long_line_continued_by_cjk_is_joined() -> None:
    text = "在省委的坚强领导下，在省委深改委的具体指导下，省总工会牵头协\n\n调13个成员单位，制定实施40余项政策。"
    assert repair(text) == "在省委的坚强领导下，在省委深改委的具体指导下，省总工会牵头协调13个成员单位，制定实施40余项政策。"


def test_line_ending_in_digit_is_joined() -> None:
    text = "省委组织部、省发改委、省人社厅等各有关部门和单位，全力配合的成员单位共计13\n\n个，合力推进。"
    assert repair(text) == "省委组织部、省发改委、省人社厅等各有关部门和单位，全力配合的成员单位共计13个，合力推进。"


def test_short_heading_is_not_joined_to_next_paragraph() -> None:
    text = "求是：因地制宜闯新路\n\n寻“人”、强“教”、找“岗”，简称“人教岗”。"
    assert is_heading_shaped("求是：因地制宜闯新路")
    assert repair(text) == "求是：因地制宜闯新路\n寻“人”、强“教”、找“岗”，简称“人教岗”。"
    heading_then_cjk = "支持：顶层设计开新局\n\n五年，黑龙江省集合最优势的资源，支持一项工作持续开展。"
    assert "开新局\n五年" in repair(heading_then_cjk)


def test_finished_sentence_is_not_joined() -> None:
    text = "这一段很长，它讲完了一件事情，而且以句号结尾，所以下一段是新的开始。\n\n下一段从这里开始，继续讲。"
    assert repair(text) == "这一段很长，它讲完了一件事情，而且以句号结尾，所以下一段是新的开始。\n下一段从这里开始，继续讲。"


def test_long_line_is_not_joined_to_a_following_heading() -> None:
    text = "这一段很长而且作者忘了在末尾写句号，所以它看起来像是没有说完的一个句子\n\n抓改革重点\n\n正文。"
    assert repair(text).count("\n") == 2


def test_subtitle_is_not_joined_to_the_body() -> None:
    text = "——全省上下同向发力、同频共振，推动产业工人队伍建设改革向纵深发展\n\n6月13日，河钢集团邯钢公司用户技术研究中心主任张龙柱来到武汉。"
    assert "\n" in repair(text)


def test_soft_wrapped_english_gets_a_space() -> None:
    text = "This is a long English paragraph line that wraps without punctuation\nand continues here."
    assert repair(text) == text.replace("\n", " ")


def test_whitespace_is_folded_and_dropped_between_cjk() -> None:
    assert repair("  阅 读  提 示  ") == "阅读提示"
    assert repair("Hello \t  world") == "Hello world"
    assert repair("深化“产改” 赋能职工成长") == "深化“产改” 赋能职工成长"  # ” is not CJK: the space stays
    assert repair("全省\u3000\u3000职工") == "全省职工"
    assert repair("零\u200b宽") == "零宽"


def test_repair_keeps_offsets_semantics() -> None:
    text = "前言。\n\n正文第一句。正文第二句。"
    assert repair(text, 5, len(text)) == "正文第一句。正文第二句。"
    assert repair(text, 0, 3) == "前言。"


# --- title and headings on the real corpus ---


@pytest.mark.parametrize(
    ("prefix", "title"),
    [
        ("000", "为龙江凝聚起振兴发展的磅礴伟力——黑龙江省产业工人队伍建设改革纪实"),
        ("001", "为龙江发展凝聚起主力军磅礴力量"),
        ("002", "深化“产改” 赋能职工成长——全省上下同向发力、同频共振，推动产业工人队伍建设改革向纵深发展"),
        ("003", "新时代产业工人锻造记——产业工人队伍建设改革四年纪实"),
        ("004", "深化产业工人队伍建设改革"),
    ],
)
def test_corpus_titles(prefix: str, title: str) -> None:
    assert detect_title_and_headings(corpus_text(prefix))[0] == title


def test_corpus_000_headings() -> None:
    text = corpus_text("000")
    _, headings = detect_title_and_headings(text)
    assert [h.text for h in headings[1:]] == [
        "支持：顶层设计开新局",
        "求是：因地制宜闯新路",
        "齐放：车间厂矿生机旺",
        "硕果：黑土地上春潮涌",
    ]
    assert headings[0].text.startswith("为龙江凝聚起振兴发展的磅礴伟力")


def test_corpus_002_and_003_headings() -> None:
    texts = {h.text for h in detect_title_and_headings(corpus_text("002"))[1]}
    assert "抓建章立制 40余项举措助推“产改”开好局起好步" in texts
    assert "抓试点示范 全省分3批确定500余家“产改”试点单位" in texts
    texts3 = [h.text for h in detect_title_and_headings(corpus_text("003"))[1]]
    assert "健全组织 壮大队伍 这是一项强基固本的重大改革" in texts3  # two lines, one heading
    assert len(texts3) == 7


def test_heading_offsets_point_at_their_text() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _, headings = detect_title_and_headings(text)
        assert headings, path.name
        assert [h.start for h in headings] == sorted(h.start for h in headings)
        for heading in headings:
            first_word = heading.text.split()[0].split("——")[0]
            assert text[heading.start :].startswith(first_word), (path.name, heading)


def test_boilerplate_is_never_a_heading() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    all_headings = " | ".join(h.text for text in texts for h in detect_title_and_headings(text)[1])
    for noise in ("大众日报", "客户端", "微信", "阅 读 提 示", "李睿祎", "□谭政", "本版图片", "①", "(河北省总工会)", "2017—2022"):
        assert noise not in all_headings


def test_no_title_when_body_comes_first() -> None:
    body = "这是一段很长的正文，" * 10 + "结束。"
    title, headings = detect_title_and_headings(f"{body}\n\n后来的小标题\n\n更多正文内容，继续。")
    assert title == ""
    assert [h.text for h in headings] == ["后来的小标题"]


def test_caption_and_sentence_lines_are_not_headings() -> None:
    text = "正式标题\n\n图为职工在车间工作\n\n① 劳模宣讲到一线\n\n这是一句话。\n\n张三 摄"
    title, headings = detect_title_and_headings(text)
    assert title == "正式标题"
    assert [h.text for h in headings] == ["正式标题"]


def test_a_space_between_a_figure_and_its_chinese_unit_is_dropped() -> None:
    assert repair("首次突破100 亿元、1000 亿元的园区") == "首次突破100亿元、1000亿元的园区"
    assert repair("抓建章立制 40余项举措") == "抓建章立制 40余项举措"  # a space before a figure stays
    assert repair("① 全省住房") == "① 全省住房"  # a caption number is no figure
    assert repair("version 2 of the notice") == "version 2 of the notice"


def test_a_letter_spaced_report_title_is_closed_up_and_takes_its_dateline() -> None:
    text = "政 府 工 作 报 告\n(2023年1月6日在县第十八届人民代表大会第二次会议上)\n县长 某某\n各位代表:\n" + "现在我代表县人民政府向大会报告工作。" * 4
    title, _ = detect_title_and_headings(text)
    assert title == "政府工作报告——2023年1月6日在县第十八届人民代表大会第二次会议上"
    # a dateline over two lines is joined up to its meeting
    split = "政府工作报告\n2022年1月19日\n在某市某区第五届人民代表大会第二次会议上\n各位代表:\n" + "现在报告工作。" * 12
    assert detect_title_and_headings(split)[0] == "政府工作报告——2022年1月19日在某市某区第五届人民代表大会第二次会议上"


def test_a_letter_spaced_label_is_still_no_title() -> None:
    assert detect_title_and_headings("阅 读 提 示\n" + "这是正文的一句话，" * 10 + "。")[0] == ""


def test_a_long_first_line_naming_a_notice_is_its_title() -> None:
    first = "关于印发《吐鲁番市某区实施草原生态保护补助奖励政策实施方案(2023年)》的通知"
    text = first + "\n索引号 01 发布机构 某区政府办公室\n文 号 某财农〔2023〕45号\n各乡镇人民政府:\n" + "为认真贯彻落实有关文件精神，" * 6 + "。"
    assert detect_title_and_headings(text)[0] == first


def test_a_notice_title_under_its_issuers_header_or_a_portals_fields_is_the_title() -> None:
    title = "延安市人民政府关于印发《延安市行政许可项目监督管理办法》的通知"
    body = "各县区人民政府:\n" + "为认真贯彻落实有关文件精神，" * 6 + "。"
    assert detect_title_and_headings(f"陕西省延安市人民政府\n{title}\n延政发〔2009〕33号\n{body}")[0] == title
    notice = "平顶山市财政衔接推进乡村振兴补助资金(平财预[2022]376号)分配情况公告公示"
    assert detect_title_and_headings(f"{notice}\n发布日期:2022-07-29\n{body}")[0] == notice
    # a first line that is body text is no header: the notice title below it is not taken
    assert detect_title_and_headings(f"现将有关事项通知如下，请遵照执行。\n{notice}\n{body}")[0] != notice
