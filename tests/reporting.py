"""What a run reports at its end: bad inputs refused, faults' tally, scale-out, its own timing.

A plugin of tests/conftest.py. Under pytest-xdist the tests run in worker processes: each
sends what its tests gathered (the faults' tally, the scale-out lines) to the controller,
which prints it all once, as a run without workers does.
"""

import os
import sys
from dataclasses import asdict

import pytest

from tests import timings

# The bad-input suites: every door's refusals, counted at the end of the run (docs/reliability.md).
BAD_INPUT_SUITES = {
    "test_rejects.py": "fichiers de cas",
    "test_cli_bad_input.py": "arguments de la commande dla",
    "test_bad_parameters.py": "paramètres des formulaires Prefect",
    "test_headers_bad_input.py": "adresses et en-têtes de courriel",
}
_bad_inputs: dict[str, set[str]] = {}
_cpu_at = pytest.StashKey[float]()
FAULTS, DEPLOYMENTS = "tests.faults.conftest", "tests.deployments.conftest"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Give each phase's report the CPU its own process used (tests/timings.py)."""
    report = yield
    start = item.stash.get(_cpu_at, None)
    now = timings.cpu_seconds()
    report.user_properties.append(("cpu", round(now - start, 3) if start is not None else 0.0))
    item.stash[_cpu_at] = now
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    item.stash[_cpu_at] = timings.cpu_seconds()


def pytest_runtest_logreport(report) -> None:
    """Count each bad input tried (its database twins once); note each phase's worker and time."""
    timings.phase(report)
    suite = BAD_INPUT_SUITES.get(report.nodeid.partition("::")[0].rpartition("/")[2])
    if suite and report.when == "call" and report.passed:
        case = report.nodeid.replace("[postgresql-", "[").replace("[sqlite-", "[")
        case = case.replace("[postgresql]", "").replace("[sqlite]", "")
        _bad_inputs.setdefault(suite, set()).add(case)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """Gather what a finished xdist worker's tests measured (controller side)."""
    output = getattr(node, "workeroutput", {})
    if output.get("faults"):
        from tests.faults.conftest import LEDGER, Tally

        LEDGER.tallies += [Tally(**t) for t in output["faults"]]
    if output.get("scale_out"):
        from tests.deployments.conftest import SCALE_OUT

        SCALE_OUT.extend(output["scale_out"])


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the bad inputs each door refused cleanly, the faults' tally, the scale-out."""
    if _bad_inputs:
        total = sum(len(cases) for cases in _bad_inputs.values())
        terminalreporter.section("entrées invalides essayées (refusées sans rien changer)")
        for suite, cases in sorted(_bad_inputs.items()):
            terminalreporter.write_line(f"{suite} : {len(cases)}")
        terminalreporter.write_line(f"total : {total}")
    if FAULTS in sys.modules:
        sys.modules[FAULTS].print_tally(terminalreporter)
    if DEPLOYMENTS in sys.modules:
        sys.modules[DEPLOYMENTS].print_scale_out(terminalreporter)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Send a worker's figures to the controller; write how long `make check`/`make test` took."""
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        if FAULTS in sys.modules:
            config.workeroutput["faults"] = [asdict(t) for t in sys.modules[FAULTS].LEDGER.tallies]
        if DEPLOYMENTS in sys.modules:
            config.workeroutput["scale_out"] = list(sys.modules[DEPLOYMENTS].SCALE_OUT)
        return
    tier = os.environ.get("DLA_TEST_TIER")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    ran = sum(len(stats.get(k, [])) for k in ("passed", "failed", "error"))
    if not tier or config.option.collectonly or not ran:  # a run's figures, not a listing's
        return
    workers = getattr(config.option, "numprocesses", None) or 1
    timings.record(
        tier,
        tests=ran,
        failed=len(stats.get("failed", [])) + len(stats.get("error", [])),
        workers=workers if isinstance(workers, int) else os.cpu_count() or 1,
        postgres=bool(os.environ.get("DLA_TEST_DATABASE_URL")),
    )
