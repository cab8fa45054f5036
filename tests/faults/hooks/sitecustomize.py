"""A fault injected into a child process from the test side: hold it after its N-th file placed.

A fault test puts this folder first on the child's PYTHONPATH; Python (a venv's too) imports
`sitecustomize` at start-up, before the command runs. Without DLA_FAULT_HOLD_AFTER in the
environment it does nothing. With DLA_FAULT_HOLD_AFTER=N, after the N-th `os.replace` whose
destination lies under DLA_FAULT_HOLD_UNDER (a folder; the rename that puts a whole file in
place), the process writes DLA_FAULT_HOLD_MARKER (a file: "<N> <pid>"), then sleeps: no further
file is placed, in any thread, until the test kills it. The test waits for the marker, then sends SIGKILL,
  so the number of files placed is exactly N, however slow or fast the machine is.

A held process left behind (the test itself killed) exits with code 70 after
DLA_FAULT_HOLD_SECONDS (600 by default), still without placing another file.

This folder holds nothing else, and no other `sitecustomize` exists in the project's venv
(this one would hide it).
"""

import os
import sys
import threading
import time


def _install() -> None:
    try:
        count = int(os.environ["DLA_FAULT_HOLD_AFTER"])
        under = os.path.realpath(os.environ["DLA_FAULT_HOLD_UNDER"])
        marker = os.environ["DLA_FAULT_HOLD_MARKER"]
        seconds = float(os.environ.get("DLA_FAULT_HOLD_SECONDS", "600"))
        if count < 1:
            raise ValueError("DLA_FAULT_HOLD_AFTER < 1")
    except (KeyError, ValueError) as exc:
        # A half-configured fault must not run the command unhurt: the test would not know.
        sys.stderr.write(f"sitecustomize (tests/faults/hooks) : réglage invalide : {exc!r}\n")
        os._exit(2)

    real_replace = os.replace
    lock = threading.Lock()
    placed = 0

    def hold() -> None:
        """Never return: the test kills the process meanwhile (or it exits on its own)."""
        time.sleep(seconds)
        os._exit(70)

    def counted(dst, dst_dir_fd) -> bool:
        if dst_dir_fd is not None or not isinstance(dst, str | bytes | os.PathLike):
            return False
        path = os.path.realpath(os.fsdecode(dst))
        return os.path.commonpath([path, under]) == under

    def replace(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        nonlocal placed
        if not counted(dst, dst_dir_fd):
            return real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
        with lock:  # held by the sleeping thread: another thread's placement waits forever
            if placed >= count:
                hold()
            real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
            placed += 1
            if placed == count:
                temporary = f"{marker}.tmp"
                with open(temporary, "w", encoding="utf-8") as out:
                    out.write(f"{placed} {os.getpid()}\n")
                real_replace(temporary, marker)  # the marker appears whole
                hold()

    os.replace = replace


if "DLA_FAULT_HOLD_AFTER" in os.environ:
    _install()
