"""`dla member`: an organisation joins the case or changes role; a contact joins or changes."""

from typing import Annotated

import typer

from dla.cli.acting import By, run_action
from dla.cli.common import Today

app = typer.Typer(
    help="Membres et contacts d'un cas : structures, personnes, rôles.", no_args_is_help=True
)

Reference = Annotated[str, typer.Argument(help="Référence du cas (ex. DLA38-2006-01)")]
Email = Annotated[str, typer.Argument(help="Adresse e-mail du contact")]
Shared = Annotated[
    bool,
    typer.Option(
        "--update-shared",
        help="Appliquer aussi aux autres cas un changement de nom, de type, d'adresse ou de "
        "téléphone d'une organisation ou d'une personne qu'ils partagent (noté dans le journal "
        "de chacun) ; sans cette option, il est refusé",
    ),
]


def _option(flag: str, help: str):
    return typer.Option(flag, help=help)


@app.command("set")
def set_(
    reference: Reference,
    organisation: Annotated[str, typer.Argument(help="Clé de l'organisation (ex. aci-vallee)")],
    role: Annotated[str, _option("--role", "Rôle dans le cas : porteur, membre, reseau…")],
    name: Annotated[str | None, _option("--name", "Nom (obligatoire pour une nouvelle)")] = None,
    kind: Annotated[str | None, _option("--kind", "Type : siae, reseau, financeur…")] = None,
    siae: Annotated[str | None, _option("--siae", "Type de SIAE : AI, ACI, EI, ETTI, GEIQ")] = None,
    siret: Annotated[str | None, _option("--siret", "SIRET (14 chiffres)")] = None,
    update_shared: Shared = False,
    today: Today = None,
    by: By = None,
) -> None:
    """Ajouter une structure au cas avec un rôle, ou changer son rôle ou ses informations."""
    from dla.actions.members import set_member

    run_action(
        reference,
        lambda **kw: set_member(
            reference,
            organisation,
            role=role,
            name=name,
            kind=kind,
            siae=siae,
            siret=siret,
            update_shared=update_shared,
            **kw,
        ),  # fmt: skip
        today=today,
        by=by,
    )


@app.command("contact")
def contact(
    reference: Reference,
    email: Email,
    organisation: Annotated[
        str | None, _option("--organisation", "Clé de son organisation dans ce cas")
    ] = None,
    role: Annotated[str | None, _option("--role", "Rôle dans ce cas : presidence…")] = None,
    name: Annotated[str | None, _option("--name", "Nom (vide : effacé)")] = None,
    phone: Annotated[str | None, _option("--phone", "Téléphone (vide : effacé)")] = None,
    new_email: Annotated[str | None, _option("--new-email", "Nouvelle adresse e-mail")] = None,
    update_shared: Shared = False,
    today: Today = None,
    by: By = None,
) -> None:
    """Ajouter une personne au cas (organisation et rôle), ou changer ses informations."""
    from dla.actions.contacts import set_contact

    run_action(
        reference,
        lambda **kw: set_contact(
            reference,
            email,
            organisation=organisation,
            role=role,
            name=name,
            phone=phone,
            new_email=new_email,
            update_shared=update_shared,
            **kw,
        ),  # fmt: skip
        today=today,
        by=by,
    )


@app.command("role")
def role_(
    reference: Reference,
    email: Email,
    role: Annotated[str, typer.Argument(help="Nouveau rôle dans ce cas (ex. direction)")],
    organisation: Annotated[
        str | None, _option("--organisation", "Clé de son organisation dans ce cas")
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Changer le rôle d'un contact dans ce cas seulement (ses autres cas ne changent pas)."""
    from dla.actions.contacts import set_contact_role

    run_action(
        reference,
        lambda **kw: set_contact_role(reference, email, role=role, organisation=organisation, **kw),
        today=today,
        by=by,
    )
