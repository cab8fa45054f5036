"""A server that stores a message, then drops the connection before its 250: the sender cannot
know, sends it again with the same Message-ID, and the server has it twice. Bounded: at most
one duplicate per drop, nothing lost (docs/delivery-guarantees.md, « coupure après DATA »)."""

import pytest

from dla.clock import FixedClock
from tests.faults.conftest import BIN, LEDGER, dla_env, run
from tests.faults.tally import backend, figures
from tests.faults.test_killed_sweep import DAY, load_cases

DROPS = 2


@pytest.mark.parametrize(
    ("attempts", "passes"),
    [("1", 2), ("3", 1)],
    ids=["renvoi-au-passage-suivant", "renvoi-sur-une-nouvelle-connexion"],
)
def test_a_drop_after_data_costs_at_most_one_duplicate_per_drop_and_loses_nothing(
    engine, database_url, smtp, tmp_path, attempts, passes
):
    load_cases(engine, tmp_path)
    env = dla_env(
        database_url,
        tmp_path / "var",
        **smtp.env() | {"DLA_SMTP_MAX_ATTEMPTS": attempts},
        DLA_OUTBOX_RETRY_BACKOFF="0",
    )
    smtp.inbox.drop_first = DROPS
    # With one try per message, the dropped ones wait for the next pass; with more, the
    # transport reconnects and sends them again at once.
    for n in range(passes):
        remind = [str(BIN / "dla"), "remind", "--no-digest", "--today", DAY.isoformat()]
        run(remind, env, tmp_path / f"pass-{n}.log")

    received = smtp.inbox.counts()
    got = figures(engine, received, until=FixedClock.on(DAY).now())
    LEDGER.tried(
        f"coupure après DATA ({DROPS} coupures, {attempts} essai(s) par message)",
        backend=backend(engine),
        allowed=DROPS,
        **got.ledger(),
    )
    assert smtp.inbox.dropped == DROPS
    assert got.lost == [] and got.misrecorded == []
    assert got.delivered == got.expected > DROPS
    # Exactly the dropped messages arrived twice, each once more.
    assert got.duplicates == DROPS and sorted(set(received.values())) == [1, 2]
    assert list(received.values()).count(2) == DROPS
