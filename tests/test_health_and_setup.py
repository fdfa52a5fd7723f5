"""What running Buurtkamer relies on: the health check, the four buurtkamers from the data
migration, settings that pass `check --deploy`, the demo data, the translations and the CSP."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from locations.models import Location, Membership, OpeningHours, Role

User = get_user_model()

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "buurtkamer"


# Health check --------------------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # Each check is named (issue 16); the scheduled jobs are not checked in the tests
    # (tests/settings.py; tests/test_deploy.py switches that check on).
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "jobs": "not checked",
    }
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_database_when_it_fails(client, db):
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")

    with mock.patch("buurtkamer.views.connection", broken):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "unavailable",
        "error": "OperationalError",
    }
    assert "connection refused" not in response.text  # no details for the outside world
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_the_query_itself_fails(client, db):
    broken = mock.MagicMock()
    cursor = broken.cursor.return_value.__enter__.return_value
    cursor.execute.side_effect = OperationalError("server closed the connection unexpectedly")

    with mock.patch("buurtkamer.views.connection", broken):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_only_answers_get_and_head(client, db):
    assert client.head(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


# The four buurtkamers ------------------------------------------------------------------------


def test_data_migration_creates_exactly_the_four_buurtkamers(db):
    locations = Location.objects.order_by("pk").values_list("slug", "municipality", "active")

    assert list(locations) == [
        ("burgum", "Tytsjerksteradiel", True),
        ("dokkum", "Noardeast-Fryslân", True),
        ("kollum", "Noardeast-Fryslân", True),
        ("de-westereen", "Dantumadiel", True),
    ]
    assert not OpeningHours.objects.exists()
    assert not Membership.objects.exists()


# Deployment settings -------------------------------------------------------------------------


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "EMAIL_", "MFA_")) and key != "DATABASE_URL"
    }
    env.update({key: value for key, value in env_overrides.items() if value is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "buurtkamer.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "Vr1ezen-Wadden-Terp-" + "k3y!" * 10,  # 60 characters
    "MFA_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLXRlc3Q=",
    "DJANGO_ALLOWED_HOSTS": "buurtkamer.example.org",
}


def test_production_settings_pass_the_deploy_check():
    assert len(PRODUCTION_ENV["DJANGO_SECRET_KEY"]) == 60

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Run by `manage.py shell` under the production settings: prints the cookie settings, and the
# Set-Cookie header Django's own CSRF middleware writes, as one line of JSON.
PRINT_COOKIE_SETTINGS = """
import json
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

def view(request):
    get_token(request)
    return HttpResponse()

request = RequestFactory().get("/", secure=True, SERVER_NAME="buurtkamer.example.org")
response = CsrfViewMiddleware(view)(request)
names = ["SESSION_COOKIE", "CSRF_COOKIE", "TABLET_COOKIE"]
print(json.dumps({
    "cookies": {
        name: {
            attribute: getattr(settings, f"{name}_{attribute}", None)
            for attribute in ["NAME", "SECURE", "HTTPONLY", "SAMESITE", "PATH", "DOMAIN"]
        }
        for name in names
    },
    "csrf_set_cookie": response.cookies[settings.CSRF_COOKIE_NAME].output(header=""),
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def test_production_cookies_have_host_prefixed_names_and_are_secure():
    result = run_manage("shell", "--no-imports", "-c", PRINT_COOKIE_SETTINGS, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    effective = json.loads(result.stdout.strip().splitlines()[-1])

    cookies = effective["cookies"]
    assert cookies["SESSION_COOKIE"] == {
        "NAME": "__Host-sessionid",
        "SECURE": True,
        "HTTPONLY": True,
        "SAMESITE": "Lax",
        "PATH": "/",  # `__Host-` demands Path=/ ...
        "DOMAIN": None,  # ... and no Domain
    }
    assert cookies["CSRF_COOKIE"] == {
        "NAME": "__Host-csrftoken",
        "SECURE": True,
        "HTTPONLY": True,
        "SAMESITE": "Lax",
        "PATH": "/",
        "DOMAIN": None,
    }
    assert cookies["TABLET_COOKIE"]["NAME"] == "__Host-buurtkamer-tablet"
    assert cookies["TABLET_COOKIE"]["SECURE"] is True

    # What the browser receives: the prefixed name with Secure, HttpOnly, Path=/ and no Domain.
    header = effective["csrf_set_cookie"].strip()
    assert header.startswith("__Host-csrftoken=")
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "Path=/;" in header or header.endswith("Path=/")
    assert "SameSite=Lax" in header

    assert effective["hsts_seconds"] >= 365 * 24 * 3600
    assert effective["ssl_redirect"] is True


def test_without_a_secret_key_the_app_refuses_to_start_and_says_why():
    result = run_manage("check", "--deploy", **{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": None})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_without_the_mfa_encryption_key_the_app_refuses_to_start_and_says_why():
    result = run_manage("check", "--deploy", **{**PRODUCTION_ENV, "MFA_ENCRYPTION_KEY": None})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MFA_ENCRYPTION_KEY is not set" in result.stderr


def test_a_malformed_mfa_encryption_key_is_refused_at_start():
    result = run_manage(
        "check", **{**PRODUCTION_ENV, "MFA_ENCRYPTION_OLD_KEYS": "geen-echte-sleutel"}
    )

    assert result.returncode != 0
    assert "MFA_ENCRYPTION_OLD_KEYS is not a valid key" in result.stderr


# Demo data -----------------------------------------------------------------------------------

DEMO_ACCOUNTS = {
    # e-mail: (AanZet staff, {location slug: role})
    "staf@example.org": (True, {}),
    "coordinator.dokkum@example.org": (False, {"dokkum": Role.COORDINATOR}),
    "vrijwilliger.dokkum@example.org": (False, {"dokkum": Role.VOLUNTEER}),
    "vrijwilliger.burgum@example.org": (False, {"burgum": Role.VOLUNTEER}),
}


def test_demo_data_is_refused_when_debug_is_off(db, settings):
    assert settings.DEBUG is False

    with pytest.raises(CommandError, match="DJANGO_DEBUG is off"):
        call_command("demo")

    assert not User.objects.exists()


def test_demo_data_creates_the_four_demo_accounts_with_their_roles(db, settings, client):
    settings.DEBUG = True

    call_command("demo", stdout=io.StringIO())

    for email, (is_staff, roles) in DEMO_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.is_aanzet_staff is is_staff
        assert user.check_password(DEMO_PASSWORD), email
        memberships = {
            membership.location.slug: membership.role
            for membership in Membership.objects.current().filter(user=user)
        }
        assert memberships == roles

    # And the login page takes them.
    response = client.post(
        reverse("account_login"),
        {"login": "coordinator.dokkum@example.org", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("locations:team", kwargs={"slug": "dokkum"})).status_code == 200


def test_demo_data_can_be_loaded_twice_without_creating_anything_new(db, settings):
    settings.DEBUG = True
    call_command("demo", stdout=io.StringIO())
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        OpeningHours.objects.count(),
        Location.objects.count(),
    )

    call_command("demo", stdout=io.StringIO())

    assert (
        User.objects.count(),
        Membership.objects.count(),
        OpeningHours.objects.count(),
        Location.objects.count(),
    ) == counts
    assert Location.objects.count() == 4


# Translations --------------------------------------------------------------------------------


def test_the_english_catalogue_is_loaded(db):
    with translation.override("en"):
        assert translation.gettext("Locaties") == "Locations"
        assert translation.gettext("Overzicht") == "Overview"
    with translation.override("nl"):
        assert translation.gettext("Locaties") == "Locaties"


def test_the_dashboard_is_english_once_english_is_chosen(client, login, staff, settings):
    login(staff)
    dutch = client.get(reverse("dashboard"))
    assert '<html lang="nl">' in dutch.text
    assert "Locaties" in dutch.text

    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # stored on the account
    english = client.get(reverse("dashboard"))

    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert "<title>Overview · Buurtkamer</title>" in english.text
    assert "Hello, Sietske" in english.text
    assert "Locations" in english.text
    assert "Log out" in english.text
    for dutch_text in ["Locaties", "Goedendag", "Uitloggen", "Overzicht"]:
        assert dutch_text not in english.text


def test_templates_rendered_under_english_come_out_english(rf, staff):
    request = rf.get("/")
    request.user = staff
    with translation.override("en"):
        html = render_to_string(
            "buurtkamer/dashboard_staff.html",
            {"locations": Location.objects.all()},
            request=request,
        )
    assert "Locations" in html
    assert "Buurtkamer Dokkum" in html
    assert "Locaties" not in html


# Security headers ----------------------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_login_page_sends_a_strict_content_security_policy(client, db):
    response = client.get(reverse("account_login"))

    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_login_page_has_no_inline_script_for_the_csp_to_block(client, db):
    response = client.get(reverse("account_login"))
    for tag in response.text.split("<script")[1:]:
        assert tag.split(">", 1)[0].strip().startswith("src="), tag[:80]
