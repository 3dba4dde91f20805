from django.urls import path

from . import views

app_name = "reimbursements"

urlpatterns = [
    path("rimborsi/", views.my_list, name="list"),
    path("rimborsi/nuovo/", views.create, name="create"),
    path("rimborsi/<int:request_id>/", views.detail, name="detail"),
    path("rimborsi/<int:request_id>/nuovo-documento/", views.resubmit, name="resubmit"),
    path("rimborsi/<int:request_id>/ritira/", views.withdraw, name="withdraw"),
    path("rimborsi/<int:request_id>/documenti/<int:receipt_id>/", views.receipt, name="receipt"),
    path("gestione-rimborsi/", views.review_list, name="review_list"),
    path("gestione-rimborsi/<int:request_id>/", views.review, name="review"),
    path("aziende/<int:company_id>/rimborsi/", views.policy, name="policy"),
]
