"""The root group of `dla`: usage errors in French, and the old French flags as hidden aliases."""

import copy
import re

import typer
from typer.core import TyperGroup

try:  # recent Typer releases carry their own copy of click
    from typer._click import exceptions as errors
except ImportError:  # pragma: no cover - older Typer on click
    from click import exceptions as errors

BAD_USAGE = 2

# Flags of earlier releases, French before the language rule (docs/architecture.md): each still
# works wherever its English flag exists, as a hidden twin of that option (not in --help).
OLD_FLAGS = {
    "--tous": "--all",
    "--rejouer": "--replay",
    "--depuis": "--since",
    "--sans-resume": "--no-digest",
    "--motif": "--reason",
    "--oui": "--yes",
    "--sortie": "--output",
    "--synthese": "--synthesis",
    "--report-au": "--postponed-to",
    "--commentaire": "--comment",
}


def _name(param) -> str:
    if param is None:
        return "?"
    if param.param_type_name == "argument":
        return (param.name or "?").upper()
    return "/".join(param.opts)


def french_message(error: errors.UsageError) -> str:
    """Return the French sentence for one of the parser's usage errors."""
    if isinstance(error, errors.NoSuchOption):
        close = sorted(getattr(error, "possibilities", None) or [])
        hint = f" ; vouliez-vous dire {' ou '.join(close)} ?" if close else ""
        return f"option inconnue : {error.option_name}{hint}"
    if isinstance(error, errors.MissingParameter):
        kind = error.param_type or getattr(error.param, "param_type_name", "")
        missing = "argument manquant" if kind == "argument" else "option manquante"
        return f"{missing} : {_name(error.param)}"
    if isinstance(error, errors.BadParameter):
        return f"valeur refusée pour {_name(error.param)} : {error.message}"
    if isinstance(error, errors.BadOptionUsage):
        return f"l'option {error.option_name} demande une valeur"
    if found := re.match(r"No such command '([^']*)'(?:.*'([^']*)')?", error.message):
        hint = f" ; vouliez-vous dire {found[2]} ?" if found[2] else ""
        return f"commande inconnue : {found[1]}{hint}"
    if found := re.match(r"Got unexpected extra argument\S* \((.*)\)$", error.message):
        return f"argument(s) en trop : {found[1]}"
    return f"utilisation incorrecte : {error.message}"


def _refuse(error: errors.UsageError) -> typer.Exit:
    ctx = error.ctx
    usage = ctx.get_usage().replace("Usage:", "Utilisation :", 1) + "\n" if ctx else ""
    where = ctx.command_path if ctx else "dla"
    message = french_message(error)
    end = "" if message.endswith("?") else "."
    typer.echo(f"{usage}Erreur : {message}{end}\nAide : {where} --help", err=True)
    return typer.Exit(BAD_USAGE)


def add_old_flags(command) -> None:
    """Give each option whose flag replaced an old one a hidden twin answering to the old name."""
    for param in list(command.params):
        for old, new in OLD_FLAGS.items():
            if new in getattr(param, "opts", ()):
                # Same name, so the parser stores either flag's value under the one parameter.
                twin = copy.copy(param)
                twin.opts, twin.secondary_opts, twin.hidden = [old], [], True
                command.params.append(twin)


def _commands(group):
    for command in group.commands.values():
        if hasattr(command, "commands"):
            yield from _commands(command)
        else:
            yield command


class Group(TyperGroup):
    """The root group: usage errors of any subcommand in French (exit code 2); old flags kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for command in _commands(self):
            add_old_flags(command)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except errors.NoArgsIsHelpError:
            raise
        except errors.UsageError as error:
            raise _refuse(error) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except errors.NoArgsIsHelpError:
            raise
        except errors.UsageError as error:
            raise _refuse(error) from None
