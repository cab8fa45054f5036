"""The embedded transport: each message lands as one .eml file in var/outbox/."""

import asyncio
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from email import policy
from pathlib import Path

from dla.mail.base import Delivery, Outcome, Outgoing, Wire

log = logging.getLogger(__name__)
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def eml_name(key: str) -> str:
    """Return a file name safe on any system, readable, and unique per notification key."""
    slug = UNSAFE.sub("_", key).strip("._-")[:80] or "message"
    # The slug alone could collide ("a:b" and "a/b"); the hash of the key cannot.
    return f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}.eml"


class OutboxTransport:
    """Write messages as .eml files; a key already written is not written again."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    async def deliver(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        """Write each message of `batch` atomically; one Delivery per message."""
        return await asyncio.to_thread(lambda: [self._write(item) for item in batch])

    def _write(self, item: Outgoing) -> Delivery:
        target = self.directory / eml_name(item.key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if target.exists():
                return Delivery(item.key, Outcome.sent, f"déjà déposé : {target}")
            content = item.content
            data = (
                content.data if isinstance(content, Wire) else content.as_bytes(policy=policy.SMTP)
            )
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                # link() refuses an existing target: two writers of one key leave one file.
                os.link(temp, target)
            except FileExistsError:
                pass
            finally:
                os.unlink(temp)
        except (OSError, ValueError) as exc:
            log.warning("message %s non déposé dans %s : %s", item.key, self.directory, exc)
            return Delivery(item.key, Outcome.temporary, f"écriture impossible : {exc}")
        return Delivery(item.key, Outcome.sent, f"déposé : {target}")
