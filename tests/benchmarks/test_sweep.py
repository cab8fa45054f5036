"""The sweep decision benchmark measures every due row, against the bare claim, and leaves them due."""

from benchmarks import bench_sweep


def test_the_decision_claims_and_rechecks_every_due_row_then_puts_them_back(engine, portfolio, now):
    figures = bench_sweep.run(engine, now, runs=2)
    assert figures["kept"] + figures["cancelled"] == figures["due"] == portfolio.due > 0
    assert {k: len(t.runs) for k, t in figures["timings"].items()} == {
        "decision": 2,
        "claim": 2,
    }
    assert bench_sweep.count_due(engine, now) == portfolio.due
