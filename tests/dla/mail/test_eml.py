"""The embedded transport: one readable .eml file per notification key."""

import asyncio
from email import message_from_bytes, policy

from dla.mail.base import Outcome, Outgoing
from dla.mail.eml import OutboxTransport, eml_name


async def test_each_message_lands_as_a_parseable_eml_file(tmp_path, make_batch):
    batch = make_batch(3)

    deliveries = await OutboxTransport(tmp_path / "outbox").deliver(batch)

    assert [d.outcome for d in deliveries] == [Outcome.sent] * 3
    files = sorted((tmp_path / "outbox").iterdir())
    assert [f.name for f in files] == sorted(eml_name(o.key) for o in batch)
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "[DLA38-2024-01] Échéance proche : note de diagnostic"
    assert "5 février 2024" in parsed.get_body(("plain",)).get_content()
    assert parsed.get_body(("html",)) is not None


async def test_writing_the_same_key_twice_keeps_one_file(tmp_path, make_batch):
    transport = OutboxTransport(tmp_path)
    [first] = make_batch(1)
    await transport.deliver([first])
    written = (tmp_path / eml_name(first.key)).read_bytes()
    changed = first.message
    changed.replace_header("Subject", "[DLA38-2024-01] autre objet")

    [again] = await transport.deliver([Outgoing(first.key, changed)])

    assert again.outcome is Outcome.sent
    assert [f.name for f in tmp_path.iterdir()] == [eml_name(first.key)]
    assert (tmp_path / eml_name(first.key)).read_bytes() == written


def test_file_names_are_safe_and_distinct_for_close_keys():
    one, other = eml_name("rule:case/1:a@b.org"), eml_name("rule:case:1:a@b.org")

    assert one != other
    assert "/" not in one and ":" not in one and "@" not in one
    assert one.endswith(".eml") and one.startswith("rule_case_1_a_b.org-")


async def test_an_unwritable_outbox_leaves_messages_due(tmp_path, make_batch):
    blocker = tmp_path / "outbox"
    blocker.write_text("un fichier, pas un dossier")

    deliveries = await OutboxTransport(blocker).deliver(make_batch(2))

    assert [d.outcome for d in deliveries] == [Outcome.temporary] * 2
    assert all("écriture impossible" in d.detail for d in deliveries)


async def test_two_writers_of_the_same_batch_leave_one_file_per_key(tmp_path, make_batch):
    batch = make_batch(20)

    first, second = await asyncio.gather(
        OutboxTransport(tmp_path).deliver(batch), OutboxTransport(tmp_path).deliver(batch)
    )

    assert all(d.outcome is Outcome.sent for d in first + second)
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(eml_name(o.key) for o in batch)
