"""The rendering benchmark produces monographies in every format and renders the floor."""

import shutil

from benchmarks import bench_render, pdf_engines
from dla.clock import FixedClock


def test_monographies_are_generated_in_each_format_and_by_bare_jinja2(engine, portfolio, now):
    figures = bench_render.run(engine, portfolio.references[:2], FixedClock(now), runs=1, heavy=1)
    assert (figures["documents"], figures["heavy"]) == (2, 1)
    assert set(figures["timings"]) == {"html", "render", "floor", "docx", "pdf"}
    assert bench_render.bare(bench_render.bare_environment(), [], FixedClock(now)) == 0


def test_the_pdf_engines_are_measured_on_the_same_monographie(engine, portfolio, now):
    figures = bench_render.run(engine, portfolio.references[:1], FixedClock(now), runs=1, heavy=1)
    cost, chromium = figures["engines"]["weasyprint"], figures["engines"]["chromium"]

    assert cost["pages"] >= 1
    assert cost["layout_ms"] > 0
    assert cost["write_ms"] > 0
    if shutil.which(pdf_engines.CHROMIUM):  # the browser of the desk's tests
        assert chromium["documents"] == 1
        assert chromium["same_count"] <= 1
        assert 0 <= chromium["same_pages"] <= chromium["pages"] == cost["pages"]
        assert len(chromium["seconds"]) == 1
    note = bench_render.pdf_limit(figures["engines"], 1.0)
    assert f"{cost['pages']:.1f} pages" in note
