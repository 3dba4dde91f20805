from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .expiry import expiry_reminders_send, plan_expire
from .models import PlanStatus, WelfarePlan


@task()
def plans_daily() -> dict[str, int]:
    """Once a day (see `manage.py plans_daily`): reminders, then expiry of ended plans."""
    today = timezone.localdate()
    reminders = expiry_reminders_send(today=today, base_url=settings.CONCILIARE_BASE_URL.rstrip("/"))
    moved = waiting = closed = 0
    for plan in WelfarePlan.objects.filter(status=PlanStatus.ACTIVE, ends_on__lt=today):
        outcome = plan_expire(plan=plan, today=today)
        moved, waiting, closed = moved + outcome.moved, waiting + outcome.waiting, closed + outcome.closed
    return {"reminders": reminders, "wallets_moved": moved, "wallets_waiting": waiting, "plans_closed": closed}
