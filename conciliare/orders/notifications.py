"""E-mails on every change of an order, sent after the transaction commits (never for a rollback)."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from conciliare.accounts.models import MembershipRole, User
from conciliare.suppliers.models import Supplier

from .models import Order


def base_url() -> str:
    return str(getattr(settings, "CONCILIARE_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def send_after_commit(template: str, context: dict[str, object], recipients: list[str]) -> None:
    recipients = sorted(set(filter(None, recipients)))
    if not recipients:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string(f"orders/email/{template}_subject.txt", context).split())
            body = render_to_string(f"orders/email/{template}_body.txt", context)
        send_mass_mail([(subject, body, None, [address]) for address in recipients])

    transaction.on_commit(send)


def supplier_emails(supplier: Supplier) -> list[str]:
    staff = User.objects.filter(
        memberships__organization_id=supplier.organization_id,
        memberships__role=MembershipRole.SUPPLIER_STAFF,
        is_active=True,
    )
    return [supplier.contact_email, *staff.values_list("email", flat=True)]


def operator_emails() -> list[str]:
    operators = User.objects.filter(memberships__role=MembershipRole.OPERATOR_ADMIN, is_active=True)
    return list(operators.values_list("email", flat=True))


def tell_buyer(order: Order, what: str, *, detail: str = "") -> None:
    """`what` is a short translated sentence saying what happened."""
    link = base_url() + reverse("orders:order", args=[order.pk])
    send_after_commit("buyer", {"order": order, "what": what, "detail": detail, "link": link}, [order.buyer.email])


def tell_supplier(order: Order, what: str, *, detail: str = "") -> None:
    link = base_url() + reverse("orders:supplier_order", args=[order.supplier_id, order.pk])
    send_after_commit(
        "supplier", {"order": order, "what": what, "detail": detail, "link": link}, supplier_emails(order.supplier)
    )


def tell_operators(order: Order, what: str) -> None:
    link = base_url() + reverse("orders:payments")
    send_after_commit("operator", {"order": order, "what": what, "link": link}, operator_emails())
