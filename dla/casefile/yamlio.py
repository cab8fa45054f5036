"""Safe YAML reading: no aliases (no "billion laughs"), no duplicate keys, line numbers kept."""

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from dla.casefile.problems import CaseFileError, Problem, format_path

_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _Refused(mark.line + 1, "les alias YAML (*nom) ne sont pas acceptés")
        return super().compose_node(parent, index)


# Dates stay text until the schema reads them: an impossible date (2024-02-30) then gets a
# message on its field instead of crashing the YAML constructor.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's scanner and composer (pure Python when PyYAML was built without it)."""


_FastLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


class _Refused(Exception):
    def __init__(self, line: int, message: str, path: str = ""):
        self.line, self.message, self.path = line, message, path


# PyYAML's most frequent complaints, in French; others are shown as they are.
_YAML_PROBLEMS = {
    "expected a single document in the stream": "un seul document est attendu (retirer les ---)",
    "found character '\\t' that cannot start any token": "tabulation interdite : indenter avec des espaces",
    "mapping values are not allowed here": "« : » inattendu (mettre la valeur entre guillemets ?)",
    "could not find expected ':'": "« : » manquant après une clé",
    "found undefined tag handle": "étiquette YAML (!...) inconnue",
    "found unhashable key": "une clé doit être un simple mot",
    "could not determine a constructor": "étiquette YAML (!!...) non acceptée",
}


_OS_ERRORS = {
    errno.ENOENT: "fichier introuvable",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EACCES: "accès refusé",
    errno.EPERM: "accès refusé",
}


def read_yaml(path: Path, max_bytes: int) -> tuple[Any, dict[tuple, int]]:
    """Read a YAML file; return the data and the line of each field path."""
    name = str(path)
    try:
        # Non-blocking open, then a check of what was opened: a FIFO would otherwise wait
        # forever for a writer, and a device would never end.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as stream:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "directory")
            if not stat.S_ISREG(mode):
                message = "fichier illisible : ce n'est pas un fichier ordinaire (tube, "
                raise CaseFileError(name, [Problem("", message + "périphérique ou socket)")])
            size = os.fstat(fd).st_size
            if size > max_bytes:
                message = f"fichier trop gros ({size} octets, au plus {max_bytes})"
                raise CaseFileError(name, [Problem("", message)])
            raw = stream.read(max_bytes + 1)
    except OSError as exc:
        reason = _OS_ERRORS.get(exc.errno, exc.strerror or str(exc))
        raise CaseFileError(name, [Problem("", f"fichier illisible : {reason}")]) from None
    if len(raw) > max_bytes:  # grew since stat()
        raise CaseFileError(name, [Problem("", f"fichier trop gros (plus de {max_bytes} octets)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError(
            name, [Problem("", "le fichier doit être encodé en UTF-8", line=line)]
        ) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML text; see `read_yaml`."""
    parsed = _parse_fast(text)
    if parsed is not None:
        return parsed
    try:
        loader = _StrictLoader(text)  # checks every character first
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"caractère interdit (#x{exc.character:04x}) : à retirer ou remplacer"
        raise CaseFileError(name, [Problem("", message, line=line)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise CaseFileError(name, [Problem("", "le fichier est vide")])
        lines: dict[tuple, int] = {}
        _check_and_map(node, (), lines)
        data = loader.construct_document(node)
    except _Refused as exc:
        raise CaseFileError(name, [Problem(exc.path, exc.message, line=exc.line)]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        said = [str(text) for text in (exc.context, exc.problem) if text]
        known = [fr for en, fr in _YAML_PROBLEMS.items() for text in said if text.startswith(en)]
        detail = known[0] if known else f"syntaxe incorrecte (analyseur : {' ; '.join(said)})"
        message = f"YAML invalide : {detail}"
        raise CaseFileError(name, [Problem("", message, line=line)]) from None
    except yaml.YAMLError as exc:
        raise CaseFileError(name, [Problem("", f"YAML invalide : {exc}")]) from None
    except RecursionError:
        raise CaseFileError(name, [Problem("", "YAML trop profondément imbriqué")]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # explicit tags: !!timestamp, !!int...
        raise CaseFileError(
            name, [Problem("", f"YAML invalide : valeur illisible ({exc})")]
        ) from None
    finally:
        loader.dispose()
    return data, lines


def _parse_fast(text: str) -> tuple[Any, dict[tuple, int]] | None:
    """Parse a well-formed document with libyaml; None when the strict loader must read it.

    The pure-Python loader costs ~20 ms per case file. libyaml's messages differ from it and
    its composer resolves aliases silently, so any refusal (or alias) here is left to
    `_StrictLoader`, which gives the same message and line as before.
    """
    if _NON_PRINTABLE.search(text):
        return None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        lines: dict[tuple, int] = {}
        _check_and_map(node, (), lines, set())
        return loader.construct_document(node), lines
    except Exception:  # noqa: BLE001 - the strict loader re-reads it and words the problem
        return None
    finally:
        loader.dispose()


def _check_and_map(
    node: yaml.Node, path: tuple, lines: dict[tuple, int], seen: set[int] | None = None
) -> None:
    if seen is not None:  # libyaml's composer turns an alias into the anchored node again
        if id(node) in seen:
            raise _Refused(0, "alias")
        seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            scalar = isinstance(key_node, yaml.ScalarNode)
            if scalar and key_node.tag == _MERGE_TAG:
                raise _Refused(
                    line, "les fusions YAML (<<) ne sont pas acceptées", format_path(path)
                )
            if not scalar or key_node.tag != _STR_TAG:
                shown = key_node.value if scalar else "..."
                message = f"clé non textuelle : {shown} (une clé est un simple mot)"
                raise _Refused(line, message, format_path(path))
            key = key_node.value
            if key in seen:
                raise _Refused(line, f"clé en double : {key}", format_path((*path, key)))
            seen.add(key)
            _check_and_map(value_node, (*path, key), lines, seen)
            lines[(*path, key)] = line  # the key's line, where a block value starts below it
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_and_map(item, (*path, index), lines, seen)
