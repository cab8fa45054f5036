"""The installation's secret key: signs the desk's cookies and the boards' links."""

import os
import secrets
from pathlib import Path

from dla.settings import Settings

SECRET_FILE = "secret_key"


def secret_key(settings: Settings) -> str:
    """Return DLA_SECRET_KEY, or the key generated once under var/ (mode 0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = Path(settings.var_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then linked: two processes starting together keep the same key.
        temporary = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
