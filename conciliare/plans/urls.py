from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("il-mio-welfare/", views.my_welfare, name="my_welfare"),
    path("il-mio-welfare/premio/<int:bonus_id>/converti/", views.bonus_convert_view, name="bonus_convert"),
    path("aziende/<int:company_id>/piani/", views.plan_list, name="plan_list"),
    path("aziende/<int:company_id>/piani/nuovo/", views.plan_create_view, name="plan_create"),
    path("aziende/<int:company_id>/piani/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("aziende/<int:company_id>/piani/<int:plan_id>/attiva/", views.plan_activate_view, name="plan_activate"),
    path("aziende/<int:company_id>/piani/<int:plan_id>/nuovi-assunti/", views.plan_enrol_view, name="plan_enrol"),
    path("aziende/<int:company_id>/piani/<int:plan_id>/regolamento.pdf", views.plan_regulation, name="plan_regulation"),
]
