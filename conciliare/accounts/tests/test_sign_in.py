"""Sign-in with e-mail, throttling of failed logins, and the second factor for staff roles."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt

from conciliare.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def sign_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_in_with_email_lands_on_the_role_home(cast, client):
    response = sign_in(client, cast.hr_bruno.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/area/"


def test_an_unverified_email_cannot_sign_in_yet(cast, client):
    cast.citizen_franco.emailaddress_set.update(verified=False)
    response = sign_in(client, cast.citizen_franco.email, PASSWORD)
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_with_the_right_password(cast, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert sign_in(client, cast.employee_anna.email, "wrong-password").status_code in (200, 429)
    locked = sign_in(client, cast.employee_anna.email, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_failures_on_one_account_do_not_lock_another(cast, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cast.employee_anna.email, "wrong-password")
    assert sign_in(client, cast.hr_bruno.email, PASSWORD).status_code == 302


def test_staff_roles_must_set_up_totp_when_mfa_is_required(cast, login, settings):
    settings.CONCILIARE_MFA_REQUIRED = True
    for user in (cast.hr_bruno, cast.operator_olga, cast.committee_cesare):
        client = login(user)
        response = client.get("/area/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/"), user
        assert client.get("/api/v1/me/").status_code == 403
        client.logout()
    # an employee is not forced
    assert login(cast.employee_anna).get("/area/").status_code == 200


def test_with_totp_the_staff_role_gets_in(cast, login, settings):
    settings.CONCILIARE_MFA_REQUIRED = True
    Authenticator.objects.create(user=cast.hr_bruno, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert login(cast.hr_bruno).get("/area/").status_code == 200


def test_production_settings_pass_the_deployment_checks():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "p" * 20 + "roduction-secret-key-for-the-check-0123456789abcdef",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
