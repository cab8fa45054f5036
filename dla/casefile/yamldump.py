"""Write case-file data as YAML the way the samples are written: short blocks on one line."""

import yaml

HEADER = (
    "# Fichier de cas exporté de la base (dla case export) : forme canonique, sans les\n"
    "# commentaires d'un fichier d'origine. Modifiez-le puis rechargez-le (dla case load).\n"
)
WIDTH = 100
# A block of plain values written on one line (`{cle: x, nom: y}`) up to this many characters.
INLINE = 90


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # List items indented under their key, as in the samples.
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Paragraphs as blocks: a text of several lines kept as typed (|), a long one folded (>).
    style = "|" if "\n" in value else ">" if len(value) > WIDTH else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _block(dumper: yaml.SafeDumper, value: dict) -> yaml.Node:
    node = dumper.represent_mapping("tag:yaml.org,2002:map", value.items())
    node.flow_style = _inline(value)
    return node


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    node = dumper.represent_sequence("tag:yaml.org,2002:seq", value)
    node.flow_style = _inline(value)
    return node


_Dumper.add_representer(str, _text)
_Dumper.add_representer(dict, _block)
_Dumper.add_representer(list, _list)


def _inline(value: dict | list) -> bool:
    """Say whether a block or list of plain, short, one-line values fits on one line."""
    items = list(value.items()) if isinstance(value, dict) else [("", v) for v in value]
    length = 0
    for key, item in items:
        if isinstance(item, list) and _inline(item):
            item = ", ".join(map(str, item))
        elif isinstance(item, dict | list) or (isinstance(item, str) and "\n" in item):
            return False
        length += len(str(key)) + len(str(item)) + 4
    return bool(items) and length <= INLINE


class _PlainDumper(yaml.SafeDumper):
    """PyYAML's own choices: the fallback should a styled text not read back the same."""


def dump_case_file(document: dict) -> str:
    """Return the case file's YAML text (UTF-8 characters kept, keys in the schema's order)."""
    for dumper in (_Dumper, _PlainDumper):
        body = yaml.dump(
            document,
            Dumper=dumper,
            allow_unicode=True,
            sort_keys=False,
            width=WIDTH,
            default_flow_style=False,
        )
        if yaml.safe_load(body) == document:
            break
    return HEADER + body
