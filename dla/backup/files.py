"""The documents the product owns: copied with their checksums, swapped back folder by folder."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dla.backup.archive import copy_hashed, remove
from dla.settings import Settings

PREFIX = "fichiers"


def folders(settings: Settings) -> dict[str, Path]:
    """Return the document folders a backup holds, by their name in the archive.

    livrables: the deliverables; pieces: the documents attached to cases; outbox: the .eml
    files of the file transport (its delivery log: a key already there is not written again);
    cas: the case files opened from the UI.
    Prefect's own data (var/prefect) is run history, rebuilt by the flows: not held.
    """
    return {
        "livrables": settings.var_dir / "livrables",
        "pieces": settings.var_dir / "pieces",
        "outbox": settings.var_dir / "outbox",
        "cas": settings.resolved_cases_dir,
    }


def _temporary(path: Path) -> bool:
    # Half-written files of the atomic writers (deliverables, .eml outbox): never archived.
    return path.name.startswith(".") and (path.name.endswith(".tmp") or ".tmp-" in path.name)


def copy_folders(settings: Settings, staging: Path) -> dict[str, dict]:
    """Copy every document to `staging`, hashing on the way; return the manifest's members."""
    members = {}
    for name, root in folders(settings).items():
        if not root.is_dir():
            continue
        for directory, subdirs, files in os.walk(root):
            subdirs.sort()
            for file in sorted(files):
                path = Path(directory, file)
                if _temporary(path) or path.is_symlink() or not path.is_file():
                    continue
                member = f"{PREFIX}/{name}/{path.relative_to(root).as_posix()}"
                try:
                    with open(path, "rb") as source:
                        members[member] = copy_hashed(source, staging / member)
                except FileNotFoundError:  # replaced or removed meanwhile: not part of the copy
                    continue
    return members


def not_empty(settings: Settings) -> list[Path]:
    """Return the document folders that hold files."""
    return [p for p in folders(settings).values() if p.is_dir() and any(p.iterdir())]


@dataclass
class Swap:
    """Folders moved into place from an extracted archive, undone if a later step fails."""

    settings: Settings
    extracted: Path
    done: list[tuple[Path, Path]]  # (target, where the old folder went)

    def run(self) -> None:
        """Move each folder of the archive into place; the old ones are kept aside."""
        for name, target in folders(self.settings).items():
            source = self.extracted / PREFIX / name
            if not source.is_dir() and not target.exists():
                continue  # nothing held, nothing there
            # Staged next to the target, so that both moves below are renames.
            staged = target.with_name(f".{target.name}.restauration")
            aside = target.with_name(f".{target.name}.avant-restauration")
            remove(staged)
            remove(aside)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.move(source, staged)
            else:
                staged.mkdir()
            if target.exists():
                os.replace(target, aside)
            self.done.append((target, aside))
            os.replace(staged, target)

    def undo(self) -> None:
        """Put the old folders back (a later step failed)."""
        for target, aside in reversed(self.done):
            remove(target)
            if aside.exists():
                os.replace(aside, target)
        self.done.clear()

    def commit(self) -> None:
        """Drop the old folders."""
        for _, aside in self.done:
            remove(aside)
