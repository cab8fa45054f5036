"""The routes of the case page's forms on members, contacts, measures, facts, the case's end and
the boards' decisions."""

from starlette.routing import Route

from web import decisionforms, factforms, measureforms, peopleforms

CASE = "/cas/{reference}"

ROUTES = [
    Route(f"{CASE}/membres", peopleforms.member, methods=["POST"]),
    Route(f"{CASE}/membres/{{organisation}}/role", peopleforms.member_role, methods=["POST"]),
    Route(f"{CASE}/contacts", peopleforms.contact, methods=["POST"]),
    Route(f"{CASE}/contacts/role", peopleforms.contact_role, methods=["POST"]),
    Route(f"{CASE}/indicateurs/{{indicator}}/mesure", measureforms.measure, methods=["POST"]),
    Route(f"{CASE}/suivis", measureforms.follow_up, methods=["POST"]),
    Route(f"{CASE}/faits", factforms.facts, methods=["POST"]),
    Route(f"{CASE}/budget", factforms.budget, methods=["POST"]),
    Route(f"{CASE}/clore", factforms.close, methods=["POST"]),
    Route(f"{CASE}/abandonner", factforms.abandon, methods=["POST"]),
    Route(f"{CASE}/etapes/{{stage}}/decisions", decisionforms.decision, methods=["POST"]),
]
