"""Sentence splitting and chunk packing (rag.ingest.chunking), on synthetic text and the real corpus."""

from pathlib import Path

import pytest

from rag.ingest.chunking import chunk_document
from rag.ingest.cleaning import repair
from rag.ingest.loading import load_document
from rag.schema import Chunk, Document, Heading
from rag.text.sentences import is_heading_shaped, split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))
HARBIN = "哈尔滨市大工匠由每年评选10人增加到50人，由每人奖励1万元提高到5万元。"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def corpus_doc(prefix: str) -> Document:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return load_document(path)


@pytest.fixture(scope="module", params=[p.name for p in CORPUS_FILES])
def doc(request: pytest.FixtureRequest) -> Document:
    return load_document(CORPUS / request.param)


def is_heading_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line == text[start:end] and (is_heading_shaped(line) or line.startswith("——"))


# --- sentences ---


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert sentences("他说：“好。”然后走了。") == ["他说：“好。”", "然后走了。"]
    assert sentences("「完成了！」『是吗？』（见附件。）下一句。") == ["「完成了！」", "『是吗？』", "（见附件。）", "下一句。"]


def test_decimals_and_percentages_are_not_sentence_ends() -> None:
    assert sentences("全省会员1.53亿人，占比3.5%。增长2.0倍。") == ["全省会员1.53亿人，占比3.5%。", "增长2.0倍。"]


def test_english_full_stops() -> None:
    text = "It rose 3.5% in 2020. Then it fell! Dr. Smith agreed; see e.g. the U.S. report."
    assert sentences(text) == [
        "It rose 3.5% in 2020.", "Then it fell!", "Dr. Smith agreed;", "see e.g. the U.S. report."
    ]


def test_list_numbers_are_not_sentences() -> None:
    assert sentences("1.加强领导\n2.完善制度。") == ["1.加强领导", "2.完善制度。"]


def test_terminators_include_semicolons_and_western_marks() -> None:
    assert sentences("一是加强领导；二是完善制度;三是落实责任！真的吗?是的。") == [
        "一是加强领导；", "二是完善制度;", "三是落实责任！", "真的吗?", "是的。"
    ]


def test_paragraph_breaks_end_sentences_but_broken_lines_do_not() -> None:
    text = "小标题\n\n在省委的坚强领导下，在省委深改委的具体指导下，省总工会牵头协\n\n调13个成员单位。\n\n新的段落"
    assert sentences(text) == [
        "小标题",
        "在省委的坚强领导下，在省委深改委的具体指导下，省总工会牵头协\n\n调13个成员单位。",
        "新的段落",
    ]


def test_spans_are_absolute_and_exclude_whitespace() -> None:
    text = "  前言。  \n\n  正文第一句。 正文第二句。  "
    spans = split_sentences(text, 8)
    assert [text[s:e] for s, e in spans] == ["正文第一句。", "正文第二句。"]
    for s, e in split_sentences(text):
        assert not text[s].isspace() and not text[e - 1].isspace()
    assert split_sentences(text, 0, 5) == [(2, 5)]


def test_corpus_broken_sentences_are_whole(doc: Document) -> None:
    spans = split_sentences(doc.text)
    texts = [doc.text[s:e] for s, e in spans]
    for broken in ("省总工会牵头协\n\n调13个", "立体\n\n化、全方位的", "成立\n\n100周年之际"):
        if broken in doc.text:
            assert any(broken in t for t in texts)
    for s, e in spans:
        assert doc.text[s] not in "”’」』）)"  # a closer never starts a sentence
        assert not (doc.text[e - 1] == "." and e < len(doc.text) and doc.text[e].isdigit())


def test_corpus_decimal_1_53_yi_is_one_sentence() -> None:
    text = corpus_doc("001").text
    assert [t for t in sentences(text) if "1.53亿" in t] == [
        "全年全额返还小微企业工会经费1.53亿元,工会经费促进消费合计5.02亿元,助力企业克服疫情影响,加速市场主体恢复;"
    ]


# --- chunks on the corpus ---


def test_chunk_text_is_the_exact_slice(doc: Document) -> None:
    chunks = chunk_document(doc, 300, 1)
    assert chunks
    for i, chunk in enumerate(chunks):
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.search_text == repair(doc.text, chunk.start, chunk.end)
        assert chunk.chunk_id == f"{doc.doc_id}#{i}"
        assert chunk.doc_id == doc.doc_id and chunk.title == doc.title
        assert chunk.heading in {h.text for h in doc.headings}


def test_chunk_ids_unique_across_corpus() -> None:
    ids = [c.chunk_id for p in CORPUS_FILES for c in chunk_document(load_document(p))]
    assert len(ids) == len(set(ids)) > 100


@pytest.mark.parametrize("size", [100, 200, 300, 600])
def test_chunks_respect_the_limit_unless_one_sentence(doc: Document, size: int) -> None:
    spans = split_sentences(doc.text)
    for chunk in chunk_document(doc, size, 1):
        if len(chunk.search_text) <= size:
            continue
        body = [
            (s, e) for s, e in spans
            if s < chunk.end and e > chunk.start and not is_heading_line(doc.text, s, e)
        ]
        assert len(body) == 1, chunk.text  # heading lines plus (part of) one sentence


def test_sentences_are_never_cut(doc: Document) -> None:
    spans = split_sentences(doc.text)
    starts, ends = {s for s, _ in spans}, {e for _, e in spans}
    assert max(len(repair(doc.text, s, e)) for s, e in spans) <= 300  # so no sentence needs cutting
    for chunk in chunk_document(doc, 300, 1):
        assert chunk.start in starts and chunk.end in ends


def test_neighbours_share_a_sentence(doc: Document) -> None:
    chunks = chunk_document(doc, 300, 1)
    pairs = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.heading == b.heading]
    overlapping = [(a, b) for a, b in pairs if b.start < a.end]
    assert len(overlapping) >= 0.8 * len(pairs)
    spans = set(split_sentences(doc.text))
    for a, b in overlapping:
        shared = (b.start, a.end)
        assert shared in spans  # exactly one whole sentence
    no_overlap = chunk_document(doc, 300, 0)
    assert all(b.start >= a.end for a, b in zip(no_overlap, no_overlap[1:]))


def test_chunks_cover_all_text(doc: Document) -> None:
    covered = bytearray(len(doc.text))
    for chunk in chunk_document(doc, 300, 1):
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    missing = [i for i, ch in enumerate(doc.text) if not ch.isspace() and not covered[i]]
    assert missing == []


def test_no_chunk_spans_two_sections(doc: Document) -> None:
    chunks = chunk_document(doc, 300, 1)
    for heading in doc.headings[1:]:  # the first may share its chunk with a short preamble
        line_start = doc.text.rfind("\n", 0, heading.start) + 1
        assert not any(c.start < line_start < c.end for c in chunks), heading
        (first,) = [c for c in chunks if c.start == line_start]
        assert first.heading == heading.text
        assert len(first.search_text) > len(heading.text) + 10  # the heading is not a chunk alone


def test_harbin_sentence_is_whole_in_one_chunk() -> None:
    doc = corpus_doc("000")
    assert HARBIN in doc.text
    holders = [c for c in chunk_document(doc, 300, 1) if HARBIN in c.text]
    assert holders and all(HARBIN in c.search_text for c in holders)
    assert all(c.heading == "求是：因地制宜闯新路" for c in holders)


def test_corpus_chunk_count_at_default_size() -> None:
    chunks = [c for p in CORPUS_FILES for c in chunk_document(load_document(p), 300, 1)]
    sizes = [len(c.search_text) for c in chunks]
    assert 100 <= len(chunks) <= 200
    assert max(sizes) <= 300 and sum(sizes) / len(sizes) > 200  # chunks are filled, not fragments


# --- chunks on synthetic documents ---


def make_doc(text: str, headings: list[Heading] | None = None) -> Document:
    return Document("t.txt", "标题", text, headings=headings or [])


def test_heading_travels_with_the_following_text() -> None:
    text = "第一章 总则\n\n" + "这是一个相当长的句子，用来填满整个分块的大小限制，" * 2 + "结束。\n\n第二句话。"
    doc = make_doc(text, [Heading(0, "第一章 总则")])
    chunks = chunk_document(doc, 60, 1)
    assert chunks[0].text.startswith("第一章 总则\n\n这是一个")
    assert all(c.text != "第一章 总则" for c in chunks)
    assert all(c.heading == "第一章 总则" for c in chunks)


def test_over_long_sentence_is_cut_at_commas_then_hard() -> None:
    clause = "这是一个分句，"
    text = clause * 30 + "结束。"
    chunks = chunk_document(make_doc(text), 50, 0)
    assert "".join(c.text for c in chunks) == text
    assert all(len(c.search_text) <= 50 for c in chunks)
    assert all(c.text.endswith("，") for c in chunks[:-1])
    no_commas = "字" * 130 + "。"
    hard = chunk_document(make_doc(no_commas), 50, 0)
    assert [len(c.text) for c in hard] == [50, 50, 31]


def test_hard_cut_avoids_splitting_latin_words() -> None:
    text = " ".join(["word"] * 40)
    for chunk in chunk_document(make_doc(text), 30, 0):
        assert not chunk.text.startswith("ord") and chunk.text.split()[0] == "word"


def test_markdown_sections_start_at_the_heading_line(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("# 标题\n\n引言很短。\n\n## 第一节\n\n第一节的内容。\n\n## 第二节\n\n第二节的内容。\n", encoding="utf-8")
    chunks = chunk_document(load_document(path), 300, 1)
    assert [c.text for c in chunks] == ["# 标题\n\n引言很短。", "## 第一节\n\n第一节的内容。", "## 第二节\n\n第二节的内容。"]
    assert [c.heading for c in chunks] == ["标题", "第一节", "第二节"]


def test_long_preamble_is_its_own_section() -> None:
    preamble = "这是没有标题的前言，内容相当长。" * 12
    text = preamble + "\n\n小标题\n\n正文。"
    doc = make_doc(text, [Heading(len(preamble) + 2, "小标题")])
    chunks = chunk_document(doc, 100, 1)
    assert chunks[0].heading == "" and chunks[-1].heading == "小标题"
    assert chunks[-1].text == "小标题\n\n正文。"


def test_empty_document_and_bad_arguments() -> None:
    assert chunk_document(make_doc("  \n\n ")) == []
    with pytest.raises(ValueError):
        chunk_document(make_doc("正文。"), 0)
    with pytest.raises(ValueError):
        chunk_document(make_doc("正文。"), 100, -1)


def test_chunk_is_the_schema_dataclass() -> None:
    (chunk,) = chunk_document(make_doc("只有一句话。"))
    assert isinstance(chunk, Chunk)
    assert (chunk.start, chunk.end, chunk.heading) == (0, 6, "")
