"""PDF engines compared on the same monographies: WeasyPrint's cost, and Chromium page by page.

WeasyPrint is the product's engine. Its CPU time per document is split into layout (HTML
parsing, the cascade, boxes, pages) and PDF writing (drawing, HarfBuzz font subsets,
compression), measured on this thread's clock so that the other processes of a shared machine
do not count. Chromium prints the very same HTML (its print-to-PDF, through Playwright): it is
timed the same way as the product's PDF, and each of its pages is compared with WeasyPrint's.
"""

import io
import shutil
import statistics
import time
import unicodedata
from collections import Counter

from pypdf import PdfReader

from dla.deliverables.pdf import check_available, font_configuration

CHROMIUM = "/usr/bin/chromium"
# WeasyPrint's user-agent rules on page breaks (its html5_ua.css), given to Chromium too, so that
# neither engine leaves a heading at the foot of a page: the comparison is of layouts, not of
# default stylesheets.
BREAKS = (
    "<style>h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid } "
    "ol, ul { break-before: avoid }</style></head>"
)


def weasyprint_cost(htmls: list[str], *, runs: int = 3) -> dict:
    """Return the median CPU ms per document in layout and in writing, and pages per document."""
    check_available()
    import weasyprint

    layout, write, pages = [], [], 0
    for _ in range(runs):
        started = time.thread_time()
        documents = [
            weasyprint.HTML(string=html).render(font_config=font_configuration()) for html in htmls
        ]
        laid_out = time.thread_time()
        for document in documents:
            document.write_pdf()
        layout.append(laid_out - started)
        write.append(time.thread_time() - laid_out)
        pages = sum(len(document.pages) for document in documents)
    per_document = 1000 / len(htmls)
    return {
        "layout_ms": statistics.median(layout) * per_document,
        "write_ms": statistics.median(write) * per_document,
        "pages": pages / len(htmls),
        "version": weasyprint.__version__,
    }


def page_contents(content: bytes) -> list[Counter]:
    """Return each page's characters, in any order: line breaks, word order and ligatures aside."""
    out = []
    for page in PdfReader(io.BytesIO(content)).pages:
        text = unicodedata.normalize("NFKC", page.extract_text())
        out.append(Counter(c for c in text if not c.isspace() and c != "•"))
    return out


def chromium(htmls: list[str], reference: list[bytes], *, timed: int, runs: int) -> dict | None:
    """Print `htmls` with Chromium and compare each page with `reference`'s (WeasyPrint's).

    The first `timed` documents are then printed again `runs` times: seconds per run.
    None when Playwright or a Chromium cannot be started here (the figures are left out).
    """
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None
    executable = CHROMIUM if shutil.which(CHROMIUM) else None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable)
            try:
                return _compare(browser.new_page(), htmls, reference, timed, runs)
            finally:
                browser.close()
    except Error:
        return None


def _compare(page, htmls: list[str], reference: list[bytes], timed: int, runs: int) -> dict:
    def print_all(batch: list[str]) -> list[bytes]:
        printed = []
        for html in batch:
            page.set_content(html.replace("</head>", BREAKS, 1))
            printed.append(page.pdf(prefer_css_page_size=True))
        return printed

    same_count = same_pages = pages = 0  # the comparison also warms the browser up
    for ours, theirs in zip(reference, print_all(htmls), strict=True):
        mine, other = page_contents(ours), page_contents(theirs)
        same_count += len(mine) == len(other)
        same_pages += sum(a == b for a, b in zip(mine, other, strict=False))
        pages += len(mine)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        print_all(htmls[:timed])
        seconds.append(time.perf_counter() - started)
    return {
        "seconds": seconds,
        "documents": len(htmls),
        "same_count": same_count,
        "same_pages": same_pages,
        "pages": pages,
    }
