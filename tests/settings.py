"""Test settings: the real settings, with a test secret, a fast hasher and plain HTTP."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789"
)
# A Fernet key (32 bytes, URL-safe base64) for the two-step verification secrets, tests only.
os.environ.setdefault("MFA_ENCRYPTION_KEY", "dGVzdHMtb25seS1tZmEta2V5LW5vdC1mb3ItcmVhbC0=")

from buurtkamer.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and the live server speak plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# `__Host-` names need Secure, which plain HTTP cannot give: plain names here (production's are
# checked in tests/test_health_and_setup.py).
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
LANGUAGE_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: WhiteNoise and the live server find files in the apps and packages.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Find a static file when it is asked for: without this every test client (one per test, more in
# the matrix) had WhiteNoise list and stat all ~240 static files again, about 0.1 s each time.
WHITENOISE_AUTOREFRESH = True
TABLET_COOKIE_NAME = "buurtkamer-tablet"
TABLET_COOKIE_SECURE = False
# /healthz: no timers run in the tests (also not under DJANGO_DEBUG=0 in tests/test_faults.py);
# the tests of the job check switch it on.
HEALTHZ_JOBS = False

# Two suites on one PostgreSQL at once (e.g. two checkouts) each need their own test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
