"""The suppliers' daily job: DURC reminders before the offers leave the catalogue."""

import datetime

from django.utils import timezone
from django_tasks import task

from . import notifications
from .models import Supplier, SupplierStatus

# Days before expiry on which the supplier is reminded; 0 is the day after the last valid day.
DURC_REMINDER_DAYS = (30, 7)


def durc_reminders_send(*, today: datetime.date) -> int:
    """E-mails suppliers whose DURC expires in 30 or 7 days, and those whose DURC expired yesterday."""
    days = [today + datetime.timedelta(days=n) for n in DURC_REMINDER_DAYS]
    expired = today - datetime.timedelta(days=1)
    suppliers = Supplier.objects.filter(
        status=SupplierStatus.APPROVED, durc_expires_on__in=[*days, expired]
    ).select_related("organization")
    sent = 0
    for supplier in suppliers:
        notifications.durc_reminder(supplier, days_left=(supplier.durc_expires_on - today).days)
        sent += 1
    return sent


@task()
def suppliers_daily() -> dict[str, int]:
    """Once a day (see `manage.py suppliers_daily`)."""
    return {"durc_reminders": durc_reminders_send(today=timezone.localdate())}
