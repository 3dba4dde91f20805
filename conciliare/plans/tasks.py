from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .expiry import expiry_reminders_send, plan_expire
from .models import PlanStatus, WelfarePlan
from .services import plan_enrol_new_employees


@task()
def plans_daily() -> dict[str, int]:
    """Once a day (see `manage.py plans_daily`): newcomers credited, reminders, expiry of ended plans."""
    today = timezone.localdate()
    enrolled = sum(
        plan_enrol_new_employees(plan=plan, actor=None)
        for plan in WelfarePlan.objects.filter(status=PlanStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today)
    )
    reminders = expiry_reminders_send(today=today, base_url=settings.CONCILIARE_BASE_URL.rstrip("/"))
    moved = waiting = closed = 0
    for plan in WelfarePlan.objects.filter(status=PlanStatus.ACTIVE, ends_on__lt=today):
        outcome = plan_expire(plan=plan, today=today)
        moved, waiting, closed = moved + outcome.moved, waiting + outcome.waiting, closed + outcome.closed
    return {
        "enrolled": enrolled,
        "reminders": reminders,
        "wallets_moved": moved,
        "wallets_waiting": waiting,
        "plans_closed": closed,
    }
