from django.urls import path

from . import views_buyer, views_operator, views_settlement, views_supplier

app_name = "orders"

_supplier = "fornitori/<int:supplier_id>/"

urlpatterns = [
    # The buyer: cart, checkout, orders, vouchers.
    path("carrello/", views_buyer.cart, name="cart"),
    path("carrello/aggiungi/<int:offer_id>/", views_buyer.cart_add_view, name="cart_add"),
    path("carrello/<int:line_id>/rimuovi/", views_buyer.cart_remove_view, name="cart_remove"),
    path("carrello/conferma/", views_buyer.checkout_view, name="checkout"),
    path("ordini/", views_buyer.order_list, name="orders"),
    path("ordini/<int:order_id>/", views_buyer.order_detail, name="order"),
    path("ordini/<int:order_id>/righe/<int:line_id>/annulla/", views_buyer.line_cancel_view, name="line_cancel"),
    path("buoni/<int:voucher_id>/pdf/", views_supplier.voucher_pdf, name="voucher_pdf"),
    path("buoni/riscatta/", views_supplier.redeem_scan, name="redeem_scan"),
    # The supplier: orders and bookings, redemption, statements.
    path(f"{_supplier}ordini/", views_supplier.supplier_orders, name="supplier_orders"),
    path(f"{_supplier}ordini/<int:order_id>/", views_supplier.supplier_order, name="supplier_order"),
    path(f"{_supplier}righe/<int:line_id>/conferma/", views_supplier.line_confirm_view, name="line_confirm"),
    path(f"{_supplier}righe/<int:line_id>/rifiuta/", views_supplier.line_decline_view, name="line_decline"),
    path(f"{_supplier}righe/<int:line_id>/consegnata/", views_supplier.line_deliver_view, name="line_deliver"),
    path(f"{_supplier}buoni/", views_supplier.redeem, name="redeem"),
    path(f"{_supplier}rendiconti/", views_settlement.supplier_statements, name="supplier_statements"),
    # The operator: payments to confirm, settlement statements.
    path("gestione-ordini/pagamenti/", views_operator.payments, name="payments"),
    path(
        "gestione-ordini/pagamenti/<int:order_id>/conferma/",
        views_operator.payment_confirm_view,
        name="payment_confirm",
    ),
    path("gestione-rendiconti/", views_settlement.statements, name="statements"),
    path("gestione-rendiconti/<int:statement_id>/pagato/", views_settlement.statement_paid, name="statement_paid"),
    path("rendiconti/<int:statement_id>/", views_settlement.statement_detail, name="statement"),
    path("rendiconti/<int:statement_id>/pdf/", views_settlement.statement_pdf, name="statement_pdf"),
    path("rendiconti/<int:statement_id>/csv/", views_settlement.statement_csv, name="statement_csv"),
]
