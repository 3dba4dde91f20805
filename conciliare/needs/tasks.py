"""Background jobs for the "per te" lists (django-tasks; a worker in production)."""

from django_tasks import task

from . import recommendations


@task()
def recommendations_refresh_stale() -> int:
    """Queued after a change marked some lists stale (signals.py): recomputes those. Returns how many."""
    return recommendations.refresh_stale()


@task()
def recommendations_refresh_all() -> dict[str, float]:
    """Every employee's list (see `manage.py recommendations_refresh`)."""
    report = recommendations.refresh_all()
    return {"employees": report.employees, "items": report.items, "seconds": round(report.seconds, 1)}
