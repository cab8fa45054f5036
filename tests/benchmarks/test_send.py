"""The sending benchmark sends the same messages three ways to a real SMTP server."""

from benchmarks import bench_send, bench_sweep


def test_the_sweep_the_naive_baseline_and_the_floor_send_the_same_messages(engine, portfolio, now):
    count = min(portfolio.due, 6)
    figures = bench_send.run(engine, now, count=count, runs=1)
    assert figures["claimed"] == figures["messages"] == figures["sent"] + figures["cancelled"]
    assert figures["messages"] > 0
    assert set(figures["timings"]) == {"ours", "naive", "floor"}
    assert bench_sweep.count_due(engine, now) == portfolio.due  # every run's rows were put back
