"""Citation cards (ui.rendering) say which page a passage is on and when its text came from OCR."""

from rag.schema import Citation
from ui.rendering import OCR_LABEL, pages_label, sources_html


def citation(**fields: object) -> Citation:
    base: dict[str, object] = {"n": 1, "doc": "scan.pdf", "title": "通知", "text": "每个资助12万元。", "start": 0, "end": 9,
                               "score": 1.0}
    return Citation(**(base | fields))


def test_ocr_citation_is_marked_with_its_page() -> None:
    html = sources_html([citation(pages=[2], ocr=True)])
    assert OCR_LABEL in html and "第2页" in html


def test_text_layer_citation_has_no_ocr_mark() -> None:
    html = sources_html([citation(pages=[1, 2])])
    assert OCR_LABEL not in html and "第1–2页" in html
    assert pages_label(citation()) == ""
