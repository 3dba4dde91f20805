"""The orders' daily job: unpaid orders past their deadline and bookings the supplier did not answer are released."""

from django_tasks import task

from .fulfilment import orders_daily as release_overdue


@task()
def orders_daily() -> dict[str, int]:
    """Once a day (see `manage.py orders_daily`); safe to run more often, and twice at once."""
    return release_overdue()
