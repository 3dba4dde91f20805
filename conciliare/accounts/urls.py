from django.urls import path

from .views import hr, invitations, portal, profile

app_name = "accounts"
urlpatterns = [
    path("", portal.home, name="home"),
    path("area/", portal.dashboard, name="dashboard"),
    path("profilo/", profile.profile, name="profile"),
    path("profilo/famiglia/nuovo/", profile.family_edit, name="family_create"),
    path("profilo/famiglia/<int:member_id>/", profile.family_edit, name="family_edit"),
    path("profilo/famiglia/<int:member_id>/elimina/", profile.family_delete, name="family_delete"),
    path("profilo/famiglia/<int:member_id>/certificato/", profile.certificate_download, name="certificate_download"),
    path("profilo/dichiarazione-figli/", profile.dependent_declaration, name="dependent_declaration"),
    path(
        "profilo/dichiarazione-figli/revoca/",
        profile.dependent_declaration_withdraw,
        name="dependent_declaration_withdraw",
    ),
    path("profilo/token-api/", profile.api_token, name="api_token"),
    path("invito/<str:uidb64>/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("aziende/<int:company_id>/persone/", hr.people_list, name="people_list"),
    path("aziende/<int:company_id>/importazioni/", hr.import_upload, name="import_upload"),
    path("aziende/<int:company_id>/importazioni/modello.csv", hr.import_template, name="import_template"),
    path("aziende/<int:company_id>/importazioni/<int:import_id>/", hr.import_preview, name="import_preview"),
    path("aziende/<int:company_id>/importazioni/<int:import_id>/conferma/", hr.import_commit, name="import_commit"),
    path("aziende/<int:company_id>/importazioni/<int:import_id>/annulla/", hr.import_discard, name="import_discard"),
]
