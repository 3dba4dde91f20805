from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("carta-etica/", views.charter, name="charter"),
    path("fornitori/aderisci/", views.join, name="join"),
    path("fornitori/candidatura/", views.apply, name="apply"),
    path("fornitori/<int:supplier_id>/", views.area, name="area"),
    path("fornitori/<int:supplier_id>/dati/", views.edit, name="edit"),
    path("fornitori/<int:supplier_id>/firma/", views.sign, name="sign"),
    path("fornitori/<int:supplier_id>/durc/", views.durc_document, name="durc"),
    path("gestione-fornitori/", views.review_list, name="review_list"),
    path("gestione-fornitori/<int:supplier_id>/", views.review, name="review"),
    path("gestione-fornitori/carta-etica/nuova/", views.charter_new_version, name="charter_new_version"),
]
