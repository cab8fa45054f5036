"""The rendering benchmark produces monographies in every format and renders the floor."""

from benchmarks import bench_render
from dla.clock import FixedClock


def test_monographies_are_generated_in_each_format_and_by_bare_jinja2(engine, portfolio, now):
    figures = bench_render.run(engine, portfolio.references[:2], FixedClock(now), runs=1, heavy=1)
    assert (figures["documents"], figures["heavy"]) == (2, 1)
    assert set(figures["timings"]) == {"html", "render", "floor", "docx", "pdf"}
    assert bench_render.bare(bench_render.bare_environment(), [], FixedClock(now)) == 0
