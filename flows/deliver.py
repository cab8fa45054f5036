"""The deliverables flow: render cases' documents (and the synthesis), publish them as artifacts."""

from prefect import flow, task
from prefect.artifacts import (
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from dla.casefile.fields import Day, Reference
from dla.clock import Clock, clock_for
from dla.db import make_engine
from dla.deliverables import FORMATS, KINDS, SYNTHESIS, Generated
from dla.deliverables.batch import generate_requested
from dla.forms import blank, choice, optional
from dla.links import documents_link
from dla.portfolio import all_references, unknown_references
from dla.settings import get_settings
from dla.shown import md_rows
from flows.case_artifacts import publish_documents
from flows.case_events import emit_case_events
from flows.forms import refuse, refuse_bad_forms
from flows.live_artifacts import refresh_artifacts
from models.enums import Vocabulary

Document = Vocabulary("DocumentKind", {k: k for k in [*KINDS, SYNTHESIS.key]})
Format = Vocabulary("Format", {f: f for f in FORMATS})


def document_title(code: str) -> str:
    """Return a document's title: the word the form offers for it."""
    return KINDS[code].title if code in KINDS else SYNTHESIS.title


class DeliverRequest(BaseModel):
    """Form of the "livrables" deployment."""

    model_config = ConfigDict(
        title="Livrables à produire",
        json_schema_extra={"description": "Les cas, les documents et les formats à produire."},
    )

    references: list[Reference] = Field(
        default_factory=list,
        title="Références des cas",
        description="Majuscules, chiffres et tirets (ex. DLA38-2006-01) ; vide : tous les cas "
        "de la base",
        max_length=10_000,
    )
    documents: list[choice(Document, document_title)] = Field(
        default_factory=list,
        title="Documents",
        description="Vide : tous les documents de chaque cas (synthèse comprise si cochée)",
    )
    formats: list[Format] = Field(
        default_factory=lambda: list(Format), title="Formats", min_length=1
    )
    synthese: bool = Field(default=False, title="Produire aussi la synthèse des cas")
    aujourdhui: optional(Day) = blank(
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel ; une date rejoue la génération à cette date.",
    )


@task(cache_policy=NO_CACHE, task_run_name="rendu des livrables")
def render_documents(engine, request: DeliverRequest, clock: Clock) -> list[Generated]:
    """Render what changed, in one transaction; report progress when there are many files."""
    kinds = [d.value for d in request.documents if d.value != SYNTHESIS.key]
    with_synthesis = request.synthese or SYNTHESIS.key in request.documents
    formats = [f.value for f in request.formats]
    refs = request.references or all_references(engine)
    per_case = bool(kinds) or not request.documents
    documents = (len(refs) * len(kinds or KINDS) if per_case else 0) + int(with_synthesis)
    return generate_requested(
        engine,
        refs,
        kinds or None,
        formats,
        per_case=per_case,
        with_synthesis=with_synthesis,
        var_dir=get_settings().var_dir,
        clock=clock,
        on_progress=_progress(documents, documents * len(formats)),
    )


def _progress(documents: int, total: int):
    """Return a progress callback backed by an artifact (None for a single document)."""
    if documents <= 1:
        return None
    artifact = create_progress_artifact(
        0.0, key="livrables-progression", description=f"Rendu de {total} fichier(s)"
    )
    step = max(1, total // 20)  # about twenty updates, whatever the volume

    def report(done: int, out_of: int) -> None:
        if done % step == 0 or done == out_of:
            update_progress_artifact(artifact, 100.0 * done / out_of)

    return report


@task(cache_policy=NO_CACHE, task_run_name="publication des livrables")
def publish(done: list[Generated]) -> None:
    """Publish a table of the files, then a preview and a link per document (when not too many)."""
    create_table_artifact(
        md_rows(
            [
                {
                    "cas": d.owner,
                    "document": d.title,
                    "format": d.fmt,
                    "version": d.version,
                    "état": "nouvelle version" if d.new else "inchangé",
                    "bureau": documents_link(d.owner),
                }
                for d in done
            ],
            keep=("bureau",),
        ),
        key="livrables",
        description=f"{len(done)} fichier(s) de livrables",
    )
    publish_documents(done)


@flow(name="livrables", flow_run_name="livrables", log_prints=True, validate_parameters=False)
@refuse_bad_forms
def deliver(demande: DeliverRequest) -> list[str]:
    """Generate the requested deliverables and publish where they are."""
    engine = make_engine(get_settings().resolved_database_url)
    clock = clock_for(demande.aujourdhui)
    try:
        if unknown := unknown_references(engine, demande.references):
            return refuse(
                "Formulaire refusé : « Références des cas » (references) : cas inconnu(s) : "
                + ", ".join(repr(r) for r in unknown)
            )
        done = render_documents(engine, demande, clock)
        publish(done)
        owners = sorted({d.owner for d in done if d.owner != "synthese"})
        refresh_artifacts(engine, owners, clock.today())
        emit_case_events(engine, demande.references or None)
        new = sum(1 for d in done if d.new)
        print(f"{len(done)} fichier(s) de livrables, dont {new} nouvelle(s) version(s)")
        return [str(d.path) for d in done]
    finally:
        engine.dispose()
