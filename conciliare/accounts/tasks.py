from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .invitations import invitation_path
from .models import Organization, User


@task()
def send_employee_invitations(*, user_ids: list[int], company_id: int) -> int:
    """Sends each new employee a link to set a password. Returns how many were sent."""
    company = Organization.objects.get(pk=company_id)
    base_url = getattr(settings, "CONCILIARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    sent = 0
    with translation.override("it"):
        for user in User.objects.filter(pk__in=user_ids, is_active=True):
            context = {"user": user, "company": company, "link": base_url + invitation_path(user)}
            send_mail(
                subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
                message=render_to_string("accounts/email/invitation_body.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
    return sent
