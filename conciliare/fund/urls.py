from django.urls import path

from . import views_applicant, views_committee, views_operator, views_public

app_name = "fund"

urlpatterns = [
    # The worker
    path("fondo/", views_applicant.home, name="home"),
    path("fondo/domanda/", views_applicant.apply, name="apply"),
    path("fondo/domande/<int:application_id>/", views_applicant.my_application, name="my_application"),
    path("fondo/domande/<int:application_id>/rispondi/", views_applicant.reply, name="reply"),
    path("fondo/domande/<int:application_id>/ritira/", views_applicant.withdraw, name="withdraw"),
    path(
        "fondo/domande/<int:application_id>/documenti/<int:document_id>/",
        views_applicant.my_document,
        name="my_document",
    ),
    # The committee
    path("comitato/", views_committee.queue, name="committee_queue"),
    path("comitato/domande/<int:application_id>/", views_committee.detail, name="committee_detail"),
    path("comitato/domande/<int:application_id>/voto/", views_committee.vote, name="committee_vote"),
    path("comitato/domande/<int:application_id>/richiesta/", views_committee.request_info, name="committee_request"),
    path(
        "comitato/domande/<int:application_id>/documenti/<int:document_id>/",
        views_committee.document,
        name="committee_document",
    ),
    # The operator
    path("gestione-fondo/", views_operator.movements, name="operator_movements"),
    path("gestione-fondo/registro-accessi.csv", views_operator.access_log_export, name="access_log_export"),
    path("gestione-fondo/regolamento/", views_operator.regulation, name="regulation"),
    # Everyone
    path("fondo-di-solidarieta/", views_public.transparency, name="transparency"),
    path("fondo-di-solidarieta/rapporto.pdf", views_public.transparency_pdf, name="transparency_pdf"),
]
