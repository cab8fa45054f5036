"""Export what is held about one person, as a JSON-ready structure (French keys)."""

from pathlib import Path

from sqlmodel import Session, col, select

from dla.privacy.files import case_files, document_names
from dla.privacy.held import Held, file_entries, find_held
from dla.privacy.scrub import Erasure, normalise_address
from models import Case, CaseContact, Deliverable, Organisation, Stage


def export_contact(
    email: str, *, session: Session, var_dir: Path | None = None, cases_dir: Path | None = None
) -> dict:
    """Return everything held about `email`; `donnees_conservees` is False when nothing is."""
    email = normalise_address(email)
    held = find_held(email, session=session)
    probe = Erasure(email)
    files = case_files(cases_dir, probe)
    refs = _references(held, session)
    return {
        "adresse": email,
        "donnees_conservees": bool(held) or bool(files),
        "contact": _contact(held, session),
        "cas": [
            {
                "reference": c.reference,
                "titre": c.title,
                "coordination": held.contact is not None and c.coordinator_id == held.contact.id,
                "dans_le_fichier_de_cas": file_entries(c, email),
            }
            for c in held.cases
        ],
        "relances": [
            {
                "cas": refs.get(n.case_id),
                "regle": n.rule,
                "destinataire": n.recipient,
                "objet": (n.payload or {}).get("subject"),
                "statut": n.status.value,
                "prevue_le": n.due_at.isoformat(),
                "envoyee_le": n.sent_at.isoformat() if n.sent_at else None,
                "tentatives": n.attempts,
                "erreur": n.last_error,
                "message_id": n.message_id,
            }
            for n in held.notifications
            # Messages to others that merely show the address would disclose third parties.
            if n.recipient.lower() == email
        ],
        "journal": [
            {
                "cas": refs.get(e.case_id),
                "le": e.at.isoformat(),
                "type": e.kind,
                "auteur": e.actor,
                "resume": e.summary,
            }
            for e in held.events
        ],
        "decisions": _decisions(held, refs, session),
        "liens_de_decision": [
            {
                "cas": refs.get(link.case_id),
                "destinataire": link.recipient,
                "nom": link.recipient_name,
                "envoye_le": link.issued_at.isoformat(),
                "valable_jusqu_au": link.expires_on.isoformat(),
                "utilise_le": link.used_at.isoformat() if link.used_at else None,
                "desactive_le": link.revoked_at.isoformat() if link.revoked_at else None,
            }
            for link in held.links
        ],
        "livrables": _deliverables(held, probe, var_dir, refs, session),
        "fichiers_de_cas": [str(p) for p in files],
    }


def _references(held: Held, session: Session) -> dict[int, str]:
    ids = {c.id for c in held.cases} | {n.case_id for n in held.notifications}
    ids |= {e.case_id for e in held.events} | {v.case_id for v in held.validations}
    ids |= {link.case_id for link in held.links}
    rows = session.exec(select(Case.id, Case.reference).where(col(Case.id).in_(ids)))
    return dict(rows.all())


def _contact(held: Held, session: Session) -> dict | None:
    c = held.contact
    if c is None:
        return None
    # A role is held in one case: one entry per case the person takes part in.
    parts = session.exec(
        select(Case.reference, CaseContact.role, CaseContact.digest_only, Organisation)
        .join(Case, Case.id == CaseContact.case_id)
        .join(Organisation, Organisation.id == CaseContact.organisation_id)
        .where(CaseContact.contact_id == c.id)
        .order_by(Case.reference)
    )
    return {
        "email": c.email,
        "nom": c.name,
        "telephone": c.phone,
        "roles": [
            {
                "cas": reference,
                "role": role.value,
                "resume_seul": digest_only,
                "organisation": {"cle": org.key, "nom": org.name},
            }
            for reference, role, digest_only, org in parts
        ],
    }


def _decisions(held: Held, refs: dict[int, str], session: Session) -> list[dict]:
    stages = {v.stage_id for v in held.validations}
    keys = dict(session.exec(select(Stage.id, Stage.key).where(col(Stage.id).in_(stages))).all())
    return [
        {
            "cas": refs.get(v.case_id),
            "etape": keys.get(v.stage_id),
            "instance": v.body.value,
            "decision": v.decision.value,
            "date": v.decided_on.isoformat(),
            "commentaire": v.comment,
            "enregistree_par": v.recorded_by,
            "canal": v.channel,
        }
        for v in held.validations
    ]


def _deliverables(
    held: Held, probe: Erasure, var_dir: Path | None, refs: dict[int, str], session: Session
) -> list[dict]:
    """List the deliverable versions whose file shows the address (PDF: by its HTML twin)."""
    case_ids = sorted({c.id for c in held.cases})
    if var_dir is None or not case_ids:
        return []
    rows = list(
        session.exec(
            select(Deliverable)
            .where(col(Deliverable.case_id).in_(case_ids))
            .order_by(Deliverable.case_id, Deliverable.kind, Deliverable.version, Deliverable.fmt)
        )
    )
    seen = {r.id: document_names(var_dir / r.path, probe) for r in rows}
    # A PDF is not searched: it shows the same data (same hash) as its HTML or Word twin.
    naming = {(r.case_id, r.kind, r.data_hash) for r in rows if seen[r.id]}
    return [
        {
            "cas": refs.get(r.case_id),
            "document": r.kind,
            "format": r.fmt,
            "version": r.version,
            "fichier": r.path,
            "cree_le": r.created_at.isoformat(),
        }
        for r in rows
        if seen[r.id] or (seen[r.id] is None and (r.case_id, r.kind, r.data_hash) in naming)
    ]
