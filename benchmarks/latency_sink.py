"""An SMTP sink on loopback whose replies arrive after a delay, as from a nearby mail relay.

`python -m benchmarks.latency_sink HOST PORT DELAY`: aiosmtpd, every message accepted and
dropped. Each reply (the greeting, each command's) is written `DELAY` seconds after the
server has it, without holding up the commands that follow: a network's transit time, not a
slow server. The sink advertises PIPELINING (RFC 2920), as relays do: a client may send a
group of commands and read their replies together, one delay for the group.
"""

import asyncio
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Relay(SMTP):
    """aiosmtpd's server, each reply sent after the transit delay (in order)."""

    delay = 0.02

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending = b""

    async def push(self, status) -> None:
        line = status.encode("utf-8") if isinstance(status, str) else status
        self._pending += line + b"\r\n"
        if line[3:4] == b"-":  # a reply's line to come: the reply travels whole
            return
        reply, self._pending = self._pending, b""
        if line.startswith(b"221"):  # closing: the connection ends once the reply is out
            await asyncio.sleep(self.delay)
            self._writer.write(reply)
            await self._writer.drain()
            return
        asyncio.get_running_loop().call_later(self.delay, self._send, reply)

    def _send(self, reply: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._writer.write(reply)


class Sink:
    """Accept every message; advertise PIPELINING in the EHLO reply."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class RelayController(Controller):
    def factory(self):
        return Relay(self.handler, **self.SMTP_kwargs)


def main() -> None:
    host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    Relay.delay = delay
    controller = RelayController(Sink(), hostname=host, port=port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
