"""The language rule on the command line: English verbs and flags, old French flags kept hidden."""

import ast
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dla.cli import app
from dla.cli.usage import OLD_FLAGS
from tests.factories import write_case

runner = CliRunner(env={"COLUMNS": "250"})
CLI_DIR = Path(__file__).parents[2] / "dla" / "cli"

# Words of the product's French vocabulary (and of the flags before the rule) that must not name
# a command, an option or an argument; words both languages share (date, instance, structure,
# decision, contact, format, reference) are English enough.
WORDS = """tous toutes rejouer rejeu depuis sans resume motif oui non sortie synthese report au
    commentaire cas etape etapes echeance livrable livrables relance relances sauvegarde
    restaurer restauration aujourdhui jour fichier fichiers liste lister afficher charger valider
    envoyer effacer exporter oublier tache taches mois annee seulement forcer simulation
    membre membres accompagnement portefeuille demande origine perimetre avec pour par le la les
    des du de et ou"""
FRENCH = set(WORDS.split())


def leaves(command, path=()):
    """Yield (path, command) for every command of the tree under `command`."""
    for name, sub in getattr(command, "commands", {}).items():
        yield from (
            leaves(sub, (*path, name)) if hasattr(sub, "commands") else [((*path, name), sub)]
        )


TREE = list(leaves(typer.main.get_command(app)))


def visible_names(command) -> list[str]:
    names = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            names.append(param.name)
        else:
            names += [*param.opts, *param.secondary_opts]
    return names


def french_words(name: str) -> list[str]:
    return [w for w in re.split(r"[-_]+", name.lower()) if w in FRENCH or not w.isascii()]


def test_every_command_and_visible_option_is_named_in_english():
    offenders = [
        f"dla {' '.join(path)}: {name}"
        for path, command in TREE
        for name in [*path, *visible_names(command)]
        if french_words(name)
    ]
    assert offenders == []


def test_the_word_list_catches_the_old_flags():
    assert all(french_words(old) for old in OLD_FLAGS)


@pytest.mark.parametrize("old", sorted(OLD_FLAGS))
def test_each_old_flag_is_a_hidden_twin_of_its_english_flag(old):
    homes = [path for path, command in TREE if old in hidden_opts(command)]
    assert homes, f"{old} is accepted by no command"
    for path, command in TREE:
        if old in hidden_opts(command):
            assert OLD_FLAGS[old] in visible_names(command), path


def hidden_opts(command) -> list[str]:
    return [o for p in command.params if getattr(p, "hidden", False) for o in p.opts]


# One use of each old flag, with the command it is given to.
OLD_USES = [
    (("run",), ["--tous"]),
    (("deliver",), ["--tous"]),
    (("run",), ["DLA99-2024-01", "--rejouer", "--today", "2024-01-10"]),
    (("remind",), ["--depuis", "2024-01-03", "--sans-resume"]),
    (("case", "load"), ["cas.yaml", "--motif", "nouvelle adresse"]),
    (("contact", "forget"), ["a@example.org", "--oui"]),
    (("contact", "export"), ["a@example.org", "--sortie", "donnees.json"]),
    (("deliver",), ["DLA99-2024-01", "--synthese"]),
    (
        ("validate",),
        ["DLA99-2024-01", "diagnostic", "--decision", "reportee", "--instance", "x"]
        + ["--report-au", "2024-02-01", "--commentaire", "vu"],
    ),
]


@pytest.mark.parametrize(("path", "args"), OLD_USES, ids=lambda v: " ".join(v))
def test_an_old_flag_is_read_as_its_english_flag(path, args):
    command = dict(TREE)[path]
    english = [OLD_FLAGS.get(a, a) for a in args]

    old = command.make_context(path[-1], list(args)).params
    new = command.make_context(path[-1], english).params

    assert english != args and old == new


def test_every_old_flag_has_a_use_in_the_test_above():
    assert {a for _, args in OLD_USES for a in args} >= set(OLD_FLAGS)


def test_an_old_script_still_runs(dla_env, tmp_path):
    runner.invoke(app, ["init"])
    runner.invoke(app, ["case", "load", str(write_case(tmp_path))])

    result = runner.invoke(app, ["run", "DLA99-2024-01", "--tous"])

    assert result.exit_code == 2
    assert "Indiquer des références de cas, ou --all (pas les deux)." in result.output


def test_help_shows_no_old_flag():
    for path, _ in TREE:
        shown = runner.invoke(app, [*path, "--help"]).output
        assert not [old for old in OLD_FLAGS if re.search(rf"{old}\b", shown)], path


def test_no_command_module_imports_the_package_that_registers_it():
    """The package's __init__ imports the command modules; they import only its parts."""
    for module in CLI_DIR.glob("*.py"):
        if module.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "dla.cli":
                pytest.fail(f"{module.name} imports from dla.cli: {ast.unparse(node)}")
            if isinstance(node, ast.Import) and any(a.name == "dla.cli" for a in node.names):
                pytest.fail(f"{module.name} imports dla.cli")


def test_only_the_cli_package_imports_flows_or_prefect():
    dla_dir = CLI_DIR.parent
    offenders = []
    for module in dla_dir.rglob("*.py"):
        if CLI_DIR in module.parents:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(n.split(".")[0] in ("flows", "prefect") for n in names):
                offenders.append(str(module.relative_to(dla_dir)))
    assert offenders == []
