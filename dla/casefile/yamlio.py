"""Safe YAML reading: no aliases (no "billion laughs"), no duplicate keys, line numbers kept."""

from pathlib import Path
from typing import Any

import yaml

from dla.casefile.problems import CaseFileError, Problem


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _Refused(mark.line + 1, "les alias YAML (*nom) ne sont pas acceptés")
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def read_yaml(path: Path, max_bytes: int) -> tuple[Any, dict[tuple, int]]:
    """Read a YAML file; return the data and the line of each field path."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaseFileError(name, [Problem("", f"fichier illisible : {exc.strerror}")]) from exc
    if size > max_bytes:
        raise CaseFileError(name, [Problem("", f"fichier trop gros ({size} octets, au plus {max_bytes})")])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError(name, [Problem("", "le fichier doit être encodé en UTF-8")]) from exc
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML text; see `read_yaml`."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CaseFileError(name, [Problem("", "le fichier est vide")])
        lines: dict[tuple, int] = {}
        _check_and_map(node, (), lines)
        data = loader.construct_document(node)
    except _Refused as exc:
        raise CaseFileError(name, [Problem("", exc.message, line=exc.line)]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise CaseFileError(name, [Problem("", f"YAML invalide : {exc.problem}", line=line)]) from None
    except yaml.YAMLError as exc:
        raise CaseFileError(name, [Problem("", f"YAML invalide : {exc}")]) from None
    finally:
        loader.dispose()
    return data, lines


def _check_and_map(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise _Refused(key_node.start_mark.line + 1, f"clé en double : {key}")
            seen.add(key)
            _check_and_map(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_and_map(item, (*path, index), lines)
