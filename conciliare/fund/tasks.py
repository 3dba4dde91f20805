"""The fund's daily job: unspent credit of expired grants back to the fund, and application data
past the regulation's retention period deleted (documents) or pseudonymised (the application)."""

from django_tasks import task

from .services import grants_return_expired, retention_apply


@task()
def fund_daily() -> dict[str, int]:
    """Once a day (see `manage.py fund_daily`); safe to run more often: a grant returns each cent
    once, and an application is pseudonymised once."""
    return {
        "grant_cents_returned": grants_return_expired(),
        "applications_pseudonymised": retention_apply(),
    }
