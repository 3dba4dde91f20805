from django.urls import path

from . import views

app_name = "catalogue"

_own = "fornitori/<int:supplier_id>/offerte/"

urlpatterns = [
    path("offerte/", views.search, name="search"),
    path("offerte/<int:offer_id>/", views.offer_detail, name="offer"),
    path("offerte/foto/<int:photo_id>/<str:size>/", views.photo, name="photo"),
    path(f"{_own}nuova/", views.offer_create_view, name="offer_create"),
    path(f"{_own}<int:offer_id>/", views.offer_edit, name="offer_edit"),
    path(f"{_own}<int:offer_id>/pubblica/", views.offer_publish_view, name="offer_publish"),
    path(f"{_own}<int:offer_id>/ritira/", views.offer_withdraw_view, name="offer_withdraw"),
    path(f"{_own}<int:offer_id>/foto/", views.photo_upload, name="photo_upload"),
    path(f"{_own}<int:offer_id>/foto/<int:photo_id>/elimina/", views.photo_delete, name="photo_delete"),
    path(f"{_own}<int:offer_id>/date/", views.session_create, name="session_create"),
    path(f"{_own}<int:offer_id>/date/<int:session_id>/elimina/", views.session_delete, name="session_delete"),
    path("segnalazioni/nuova/", views.signal_new, name="signal_new"),
    path("gestione-segnalazioni/", views.signal_list, name="signal_list"),
    path("gestione-segnalazioni/<int:signal_id>/", views.signal_update, name="signal_update"),
]
