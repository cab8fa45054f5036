"""Pages of two PDFs are compared by their text, line breaks and ligatures aside."""

from benchmarks.pdf_engines import page_contents
from dla.deliverables.pdf import to_pdf

BREAK = '<p style="break-before: page">'


def test_the_same_text_on_the_same_pages_compares_equal_whatever_the_line_breaks():
    narrow = to_pdf(
        f"<p style='width: 3cm'>une ﬁne demande initiale</p>{BREAK}suite</p>", title="a"
    )
    wide = to_pdf(f"<p>une fine demande initiale</p>{BREAK}suite</p>", title="b")

    assert len(page_contents(narrow)) == 2
    assert page_contents(narrow) == page_contents(wide)


def test_text_moved_to_another_page_compares_different():
    before = to_pdf(f"<p>une demande</p><p>initiale</p>{BREAK}suite</p>", title="a")
    after = to_pdf(f"<p>une demande</p>{BREAK}initiale suite</p>", title="b")

    first, second = page_contents(before), page_contents(after)
    assert [a == b for a, b in zip(first, second, strict=True)] == [False, False]
