"""Serialise a message straight to 7-bit MIME bytes, without the `email` package's object tree.

Building an `EmailMessage` and flattening it costs more than sending it to a local server. The
messages here have one fixed shape (text and HTML alternatives, an optional .ics), so their
bytes are written directly: headers in ASCII (RFC 2047 encoded words, folded within 78
characters), bodies in quoted-printable, the attachment in base64. Every line is 7-bit, so
the message needs no SMTP extension. `email.message_from_bytes` reads it back as the
equivalent `EmailMessage` (the tests compare both).
"""

import base64
import binascii
import re

CRLF = b"\r\n"
LINE = 78  # RFC 5322's recommended limit, as the email package folds
# A word of a display name that needs no quoting (RFC 5322 atext).
ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*")
WORD = 48  # encoded characters per word: 60 with its markers, a folded line stays within 78
# Q encoding keeps these as they are, in any header (RFC 2047 5(3)); a space becomes "_".
PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _q(char: str) -> str:
    """Return the Q encoding of one character."""
    if char in PLAIN:
        return char
    if char == " ":
        return "_"
    return "".join(f"={b:02X}" for b in char.encode("utf-8"))


_CODES = {chr(c): _q(chr(c)) for c in range(256)}  # French text is mostly Latin-1


def encoded_words(text: str) -> list[str]:
    """Return `text` as RFC 2047 Q encoded words, never splitting a character."""
    codes = [_CODES.get(char) or _q(char) for char in text]
    words, start, size = [], 0, 0
    for end, code in enumerate(codes):
        if size + len(code) > WORD:
            words.append("=?utf-8?q?" + "".join(codes[start:end]) + "?=")
            start, size = end, 0
        size += len(code)
    words.append("=?utf-8?q?" + "".join(codes[start:]) + "?=")
    return words


def _literal(name: str, value: str) -> bool:
    """Tell whether `value` can travel as is: printable ASCII, short, no encoded-word look."""
    return (
        value.isascii()
        and value.isprintable()
        and "=?" not in value
        and len(name) + 2 + len(value) <= LINE
    )


def unstructured(name: str, value: str) -> bytes:
    """Return the header line(s) of a free text such as Subject, folded, in ASCII."""
    if _literal(name, value):
        return f"{name}: {value}".encode("ascii") + CRLF
    return _fold(name, encoded_words(value))


def mailbox(name: str, display: str, address: str) -> bytes:
    """Return a From/To header of one mailbox; `address` is checked ASCII already."""
    if not display:
        return f"{name}: {address}".encode("ascii") + CRLF
    spec = f"<{address}>"
    if ATOMS.fullmatch(display) and _literal(name, f"{display} {spec}"):
        return f"{name}: {display} {spec}".encode("ascii") + CRLF
    return _fold(name, [*encoded_words(display), spec])


def _fold(name: str, words: list[str]) -> bytes:
    """Return the header, its words joined by spaces, a new line where one would pass LINE."""
    lines, current = [], f"{name}:"
    for word in words:
        if len(current) + 1 + len(word) > LINE and current != f"{name}:":
            lines.append(current)
            current = ""
        current += " " + word
    lines.append(current)
    return "\r\n".join(lines).encode("ascii") + CRLF


def text_part(text: str, subtype: str) -> bytes:
    """Return a text/<subtype> UTF-8 part in quoted-printable (line ends as the email package)."""
    lines = text.encode("utf-8").splitlines()
    body = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).replace(b"\n", CRLF)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
    return head.encode("ascii") + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + body


def attachment(data: bytes, content_type: str, filename: str) -> bytes:
    """Return an attachment part in base64; `content_type` carries its parameters."""
    head = (
        f"Content-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
    )
    return head.encode("ascii") + base64.encodebytes(data).replace(b"\n", CRLF)


def multipart(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    """Return a multipart/<subtype> entity (its Content-Type line, then the parts)."""
    # Quoted-printable never holds "==" and base64 never starts a line with "-": a boundary
    # with "==" cannot occur inside the parts.
    marker = f"--{boundary}".encode("ascii")
    head = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n\r\n'.encode("ascii")
    body = b"".join(marker + CRLF + part + CRLF for part in parts)
    return head + body + marker + b"--" + CRLF
