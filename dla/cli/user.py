"""`dla user`: the desk's accounts (add, list, disable, assign); heavy imports inside."""

from typing import Annotated

import typer

from dla.cli.common import fail, open_database

app = typer.Typer(
    help="Comptes du bureau : créer, lister, désactiver, attribuer un cas.", no_args_is_help=True
)
ROLES = ("charge_mission", "coordination", "admin")


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Adresse e-mail (identifiant de connexion)")],
    nom: Annotated[str, typer.Option("--name", help="Nom affiché")],
    role: Annotated[str, typer.Option("--role", help="charge_mission, coordination ou admin")],
    departement: Annotated[
        list[str] | None,
        typer.Option("--department", help="Département suivi (coordination ; répétable)"),
    ] = None,
    generer: Annotated[
        bool,
        typer.Option(
            "--generate-password", help="Créer un mot de passe aléatoire et l'afficher une fois"
        ),
    ] = False,
    si_absent: Annotated[
        bool, typer.Option("--if-absent", help="Ne rien faire si le compte existe déjà")
    ] = False,
) -> None:
    """Créer un compte ; le mot de passe est demandé (ou généré), seul son empreinte est gardée."""
    from dla.clock import SystemClock
    from dla.db import transaction
    from dla.users import UserError, add_user, find_user, generate_password
    from models import UserRole

    if role not in ROLES:
        fail(f"--role : {role!r} inconnu ; attendu : {', '.join(ROLES)}.")
    engine = open_database()
    with transaction(engine) as session:
        if si_absent and find_user(email, session=session) is not None:
            typer.echo(f"Compte existant : {email.strip().lower()} (mot de passe inchangé).")
            return
    if generer:
        password = generate_password()
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(engine) as session:
            user = add_user(
                session=session,
                clock=SystemClock(),
                email=email,
                name=nom,
                role=UserRole(role),
                password=password,
                departements=departement or [],
            )
    except UserError as exc:
        fail(f"{exc} ; aucun compte créé.")
    typer.echo(f"Compte créé : {user.email} ({user.role.value}).")
    if generer:
        typer.echo(f"Mot de passe (affiché une seule fois) : {password}")


@app.command("list")
def list_() -> None:
    """Lister les comptes."""
    from sqlmodel import Session

    from dla.users import list_users

    with Session(open_database()) as session:
        users = list_users(session=session)
    if not users:
        typer.echo("Aucun compte.")
    for u in users:
        state = "actif" if u.active else "désactivé"
        zones = f" [{', '.join(u.departements)}]" if u.departements else ""
        typer.echo(f"{u.email}\t{u.name}\t{u.role.value}{zones}\t{state}")


@app.command("disable")
def disable(email: Annotated[str, typer.Argument(help="Adresse e-mail du compte")]) -> None:
    """Désactiver un compte : ses sessions cessent, son abonnement agenda aussi."""
    from dla.db import transaction
    from dla.users import UserError, disable_user

    try:
        with transaction(open_database()) as session:
            user = disable_user(email, session=session)
    except UserError as exc:
        fail(f"{exc} ; rien n'a été modifié.", 1)
    typer.echo(f"Compte désactivé : {user.email}.")


@app.command("assign")
def assign(
    email: Annotated[str, typer.Argument(help="Adresse e-mail du compte")],
    reference: Annotated[str, typer.Argument(help="Référence du cas")],
) -> None:
    """Attribuer un cas à un·e chargé·e de mission (en plus des cas qu'il ou elle coordonne)."""
    from sqlmodel import select

    from dla.db import transaction
    from dla.users import find_user
    from models import Case, CaseAssignment

    with transaction(open_database()) as session:
        user = find_user(email, session=session)
        case = session.exec(select(Case).where(Case.reference == reference)).first()
        if user is None or case is None:
            fail(f"{'compte' if user is None else 'cas'} inconnu ; rien n'a été modifié.", 1)
        known = session.exec(
            select(CaseAssignment).where(
                CaseAssignment.user_id == user.id, CaseAssignment.case_id == case.id
            )
        ).first()
        if known is None:
            session.add(CaseAssignment(user_id=user.id, case_id=case.id))
    typer.echo(f"{reference} attribué à {user.email}.")
