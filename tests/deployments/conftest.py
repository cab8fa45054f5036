"""What the scale-out test measured, printed at the end of the session (docs/exploitation.md points to it)."""

SCALE_OUT: list[str] = []


def print_scale_out(terminalreporter) -> None:
    """Print what the scale-out test measured (called by tests/conftest.py at the end)."""
    if not SCALE_OUT:
        return
    terminalreporter.write_sep("-", "passage à l'échelle (PostgreSQL, plusieurs workers)")
    for line in SCALE_OUT:
        terminalreporter.write_line(line)
