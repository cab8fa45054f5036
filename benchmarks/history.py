"""Rows of a synthetic portfolio as of a day: cases, their state, their timeline, past reminders.

Everything is computed in Python from the cached plans and inserted in bulk by the portfolio;
ids are assigned here so that one pass writes all tables.
"""

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from benchmarks.cases import SIAE
from dla.casefile.loader import CasePlan
from dla.outbox.rules import notification_key
from models import (
    Case,
    CaseContact,
    CaseMember,
    Contact,
    FollowUp,
    Indicator,
    Notification,
    Organisation,
    Period,
    Stage,
    Step,
    TimelineEvent,
    Validation,
    ValidationRequirement,
)
from models.types import PARIS

ORDER = [
    Organisation,
    Contact,
    Case,
    CaseMember,
    CaseContact,
    Stage,
    Step,
    ValidationRequirement,
    Validation,
    Period,
    FollowUp,
    Indicator,
    TimelineEvent,
    Notification,
]
PENDING = 0.15  # share of active cases waiting for a board's decision
OVERDUE = 0.2  # share of past steps of open stages not done yet


def at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


class History:
    """Accumulate the rows of every table, with their ids."""

    def __init__(self, today: date, rng: random.Random) -> None:
        self.today, self.rng = today, rng
        self.rows: dict = defaultdict(list)
        self.ids: Counter = Counter()
        self.hosts: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        self.cabinets: dict[str, list[tuple[int, str]]] = {}
        self.networks: list[int] = []
        self.seq: Counter = Counter()
        self.references: list[str] = []
        self.shared: dict[int, dict] = {}
        # The people of each organisation: (contact id, role, digest only).
        self.parts: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)

    def add(self, model, **row) -> int:
        self.ids[model] += 1
        row["id"] = self.ids[model]
        self.rows[model].append(row)
        return row["id"]

    def org(self, key: str, name: str, kind: str, siae_kind=None, departement=None) -> int:
        return self.add(
            Organisation,
            key=key,
            name=name,
            kind=kind,
            networks=[],
            siret=None,
            siae_kind=siae_kind,
            departement=departement,
        )

    def contact(self, email: str, role: str, org_id: int, digest_only: bool = False) -> int:
        """Add a person; their part (role, organisation) is written in each case they join."""
        contact_id = self.add(Contact, email=email, name=None)
        self.parts[org_id].append((contact_id, role, digest_only))
        return contact_id

    def departement(self, dept: str) -> None:
        """One DLA host with three coordinators, and five consultancies, per département."""
        host = self.org(f"dla-{dept.lower()}", f"DLA {dept}", "porteur_dla", departement=dept)
        coordinators = []
        for k in range(1, 4):
            email = f"coordination-{k}@dla-{dept.lower()}.example.org"
            coordinators.append((self.contact(email, "coordination_dla", host), email))
        self.hosts[dept] = (host, coordinators)
        self.cabinets[dept] = []
        for k in range(1, 6):
            key = f"cabinet-{dept.lower()}-{k}"
            org = self.org(key, f"Cabinet {k} ({dept})", "prestataire")
            email = f"consultant@{key}.example.org"
            self.contact(email, "consultant", org)
            self.cabinets[dept].append((org, email))

    def network(self, n: int) -> None:
        """A national IAE network whose referent only reads the weekly digest."""
        org = self.org(f"reseau-{n}", f"Réseau IAE {n}", "reseau")
        self.contact(f"referent@reseau-{n}.example.org", "referent", org, digest_only=True)
        self.networks.append(org)

    def case(self, shape, plan: CasePlan, dept: str, members: int, *, closed: bool) -> None:
        """Write one case, its state as of today and its past."""
        rng, today = self.rng, self.today
        self.seq[(dept, shape.start.year)] += 1
        ref = f"DLA{dept}-{shape.start.year}-{self.seq[(dept, shape.start.year)]:03d}"
        self.references.append(ref)
        host, coordinators = self.hosts[dept]
        coordinator, coordinator_email = rng.choice(coordinators)
        cabinet, consultant = rng.choice(self.cabinets[dept])
        orgs = {"dla-host": host, "cabinet": cabinet, "reseau": rng.choice(self.networks)}
        emails = {"dla-host": coordinator_email, "cabinet": consultant}
        for i in range(1, members + 1):
            slug = f"{ref.lower()}-m{i}"
            org = self.org(
                slug, f"SIAE {i} de {ref}", "siae", siae_kind=rng.choice(SIAE), departement=dept
            )
            for role in ("presidence", "direction"):
                self.contact(f"{role}@{slug}.example.org", role, org)
            orgs[f"m{i}"], emails[f"m{i}"] = org, f"direction@{slug}.example.org"
        base = self._shared(plan)
        case_id = self.ids[Case] + 1
        stages = self._stages(plan, case_id, orgs, closed)
        status = _case_status(stages, closed)
        self.add(
            Case,
            reference=ref,
            title=plan.case.titre,
            departement=dept,
            perimeter=plan.case.perimetre,
            origin=plan.case.origine.value,
            mutualisation_kinds=base["kinds"],
            strategic_goals=base["goals"],
            operational_expectations=base["expectations"],
            journey=shape.journey,
            diagnostic_year=shape.start.year,
            started_on=plan.case.debut,
            context=base["context"],
            dla_host_id=host,
            coordinator_id=coordinator,
            status=status,
            source_path=f"synthetique/{ref}.yaml",
            document={**base["document"], "reference": ref, "departement": dept},
            source_hash=f"{case_id:064x}",
            created_at=at(plan.case.debut, 7),
            updated_at=at(plan.case.debut, 7),
        )
        roles = [("m1", "porteur")] + [(f"m{i}", "membre") for i in range(2, members + 1)]
        for key, role in [*roles, ("cabinet", "prestataire"), ("reseau", "reseau")]:
            self.add(CaseMember, case_id=case_id, organisation_id=orgs[key], role=role)
        people = {coordinator: (host, "coordination_dla", False)}
        for key, _ in [*roles, ("cabinet", ""), ("reseau", "")]:
            for contact_id, role, digest_only in self.parts[orgs[key]]:
                people.setdefault(contact_id, (orgs[key], role, digest_only))
        for contact_id, (org_id, role, digest_only) in people.items():
            self.add(
                CaseContact,
                case_id=case_id,
                contact_id=contact_id,
                organisation_id=org_id,
                role=role,
                digest_only=digest_only,
            )
        self.event(
            case_id, plan.case.debut, "case.created", f"Accompagnement créé ({ref})", "case:created"
        )
        for planned, stage_id, state in stages:
            self._steps(planned, case_id, stage_id, state, orgs, ref, emails)
        for p in plan.periods:
            self.add(
                Period,
                case_id=case_id,
                key=p.key,
                kind=p.kind.value,
                start_on=p.start,
                end_on=p.end,
                after_step=p.after_step,
                note=p.note,
            )
        for months, due in plan.follow_ups:
            done = due if due < today else None
            self.add(
                FollowUp,
                case_id=case_id,
                months_after=months,
                due_date=due,
                done_on=done,
                notes="Point de suivi fait" if done else None,
            )
        for ind in plan.case.indicateurs:
            self.add(
                Indicator,
                case_id=case_id,
                key=ind.cle,
                label=ind.libelle,
                kind=ind.type.value,
                unit=ind.unite,
                target_value=ind.cible,
                target_text=ind.cible_texte,
                target_set_on=plan.stages[2].end,
                measured_value=(ind.cible or 0) * rng.uniform(0.5, 1.2) if closed else None,
                measured_text=None,
                measured_on=today if closed else None,
            )

    def _shared(self, plan: CasePlan) -> dict:
        # Dumped once per plan: the document and the facts are the same for its cases.
        if id(plan) not in self.shared:
            case = plan.case
            self.shared[id(plan)] = {
                "kinds": [m.value for m in case.mutualisations],
                "goals": list(case.objectifs_strategiques),
                "expectations": list(case.attendus_operationnels),
                "context": case.contexte.model_dump(mode="json", exclude_none=True),
                "document": case.model_dump(mode="json", exclude_unset=True),
            }
        return self.shared[id(plan)]

    def _stages(self, plan: CasePlan, case_id: int, orgs: dict, closed: bool) -> list:
        today, out = self.today, []
        pending = not closed and self.rng.random() < PENDING
        ended = [p for p in plan.stages if p.end < today and p.validators]
        waiting = ended[-1].source.cle if pending and ended else None
        blocked_from = next((p.end for p in plan.stages if p.source.cle == waiting), None)
        order = sorted(plan.stages, key=lambda p: (p.start, p.position))
        for planned in plan.stages:
            src, gate = planned.source, planned.source.validation
            if closed or (
                planned.end < today and src.cle != waiting and not _after(planned, blocked_from)
            ):
                state = "close"
            elif src.cle == waiting:
                state = "en_attente_validation"
            elif planned.start <= today and not _after(planned, blocked_from):
                state = "ouverte"
            else:
                state = "a_venir"
            earlier = order[: order.index(planned)]
            stage_id = self.add(
                Stage,
                case_id=case_id,
                key=src.cle,
                moment=src.temps.value,
                phase=src.phase,
                position=planned.position,
                title=src.titre,
                planned_start=planned.start,
                planned_end=planned.end,
                gate_rule=gate.regle.value if gate else "tous",
                gate_quorum=gate.quorum if gate else None,
                gate_grace_days=gate.delai_grace if gate else 10,
                status=state,
                opened_at=at(planned.start) if state != "a_venir" else None,
                closed_at=at(planned.end, 18) if state == "close" else None,
                waits_for=[p.source.cle for p in earlier if p.end <= planned.start],
            )
            validators = [(o, b) for o, b in planned.validators if o is None or o in orgs]
            for org, body in validators:
                self.add(
                    ValidationRequirement,
                    case_id=case_id,
                    stage_id=stage_id,
                    step_id=None,
                    organisation_id=orgs.get(org),
                    body=body.value,
                )
            given = validators if state == "close" else validators[: len(validators) // 2]
            if state in ("close", "en_attente_validation"):
                for org, body in given:
                    vid = self.add(
                        Validation,
                        case_id=case_id,
                        stage_id=stage_id,
                        step_id=None,
                        organisation_id=orgs.get(org),
                        body=body.value,
                        decision="validee",
                        decided_on=planned.end,
                        comment=None,
                        postponed_to=None,
                        recorded_by="fichier",
                        channel="fichier",
                        recorded_at=at(planned.end, 18),
                    )
                    self.event(
                        case_id,
                        planned.end,
                        "validation.recorded",
                        f"{src.titre} : décision validée",
                        f"validation:{vid}",
                    )
            if state != "a_venir":
                self.event(
                    case_id,
                    planned.start,
                    "stage.opened",
                    f"Étape ouverte : {src.titre}",
                    f"stage:{src.cle}:opened",
                )
                self.event(
                    case_id,
                    planned.start,
                    "vigilance.reviewed",
                    f"{src.titre} — aucun point bloquant",
                    f"vigilance:{src.cle}:0",
                )
            if state == "close":
                self.event(
                    case_id,
                    planned.end,
                    "stage.closed",
                    f"Étape close : {src.titre}",
                    f"stage:{src.cle}:closed",
                )
            out.append((planned, stage_id, state))
        return out

    def _steps(self, planned, case_id, stage_id, state, orgs, ref, emails) -> None:
        today, rng = self.today, self.rng
        for task in planned.tasks:
            if state in ("close", "en_attente_validation"):
                status, done = "faite", min(task.due, planned.end)
            elif state == "ouverte" and task.due < today and rng.random() > OVERDUE:
                status, done = "faite", task.due
            else:
                status, done = "a_faire", None
            step_id = self.add(
                Step,
                case_id=case_id,
                stage_id=stage_id,
                key=task.key,
                title=task.title,
                owner=task.owner,
                due_date=task.due,
                deadline=task.deadline,
                deliverable=task.deliverable,
                status=status,
                done_on=done,
            )
            for org, body in task.validators:
                if org in orgs:
                    self.add(
                        ValidationRequirement,
                        case_id=case_id,
                        stage_id=stage_id,
                        step_id=step_id,
                        organisation_id=orgs[org],
                        body=body.value,
                    )
            if state != "a_venir":
                self._sent(case_id, ref, task, emails, done)

    def _sent(self, case_id, ref, task, emails, done) -> None:
        """The due-soon reminders a step received before the planner's window."""
        owner = {"coordination": "dla-host", "porteur": "m1", "prestataire": "cabinet"}
        recipient = emails.get(owner.get(task.owner, "m2"), emails["dla-host"])
        for n in (7, 1):
            day = task.due - timedelta(days=n + n // 5 * 2)
            if day >= self.today - timedelta(days=10) or (done and done < day):
                continue
            key = notification_key(
                "echeance_proche", f"{ref}/tache/{task.key}", f"j-{n}@{task.due}", recipient
            )
            self.add(
                Notification,
                key=key,
                case_id=case_id,
                rule="echeance_proche",
                recipient=recipient,
                due_at=at(day),
                status="sent",
                attempts=1,
                claimed_at=at(day),
                sent_at=at(day),
                message_id=f"<{key[:40]}@dla>",
                last_error=None,
                payload={
                    "target": f"{ref}/tache/{task.key}",
                    "occurrence": f"j-{n}",
                    "subject": f"Échéance proche : {task.title}",
                },
            )
            self.event(
                case_id,
                day,
                "notification.sent",
                f"Relance envoyée « échéance proche » à {recipient}",
                f"notification:{key}"[:300],
            )

    def event(self, case_id: int, day: date, kind: str, summary: str, key: str) -> None:
        self.add(
            TimelineEvent,
            case_id=case_id,
            at=at(day, 9),
            kind=kind,
            actor="synthétique",
            summary=summary,
            data={},
            key=key,
            # Mirrored to Prefect as it happened, as in a running installation: a sweep posts
            # only what is new, not the generated history.
            emitted_at=at(day, 9),
        )

    def tables(self) -> list:
        return [(model.__table__, self.rows[model]) for model in ORDER]

    def counts(self) -> dict[str, int]:
        return {model.__tablename__: len(self.rows[model]) for model in ORDER}


def _after(planned, blocked_from: date | None) -> bool:
    return blocked_from is not None and planned.start >= blocked_from


def _case_status(stages: list, closed: bool) -> str:
    states = [s for _, _, s in stages]
    if closed or all(s == "close" for s in states):
        return "close"
    if "en_attente_validation" in states:
        return "en_attente_validation"
    open_moments = [p.source.temps.value for p, _, s in stages if s == "ouverte"]
    return "suivi" if open_moments == ["suivi"] else "en_cours"
