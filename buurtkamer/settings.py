"""Settings for Buurtkamer, read from environment variables only.

The defaults make `make run` work on a fresh machine (SQLite, console e-mail). With
DJANGO_DEBUG off, a secret key is required and the security settings pass `check --deploy`.
"""

import base64
import binascii
import os
from pathlib import Path

import bootstrap_wrapper
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string when DJANGO_DEBUG "
            'is off, for example: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105


def fernet_key(name: str, value: str) -> str:
    """A key for cryptography's Fernet: 32 bytes in URL-safe base64 (44 characters)."""
    try:
        valid = len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        raise ImproperlyConfigured(
            f"{name} is not a valid key. Make one with: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    return value


# The key that encrypts the secrets of two-step verification (TOTP secrets, recovery-code seeds)
# in the database (buurtkamer/two_factor.py); older keys still decrypt until
# `manage.py reencrypt_mfa_secrets` has re-encrypted everything with the current one.
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "").strip()
if not MFA_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY is not set. It encrypts the two-step verification secrets; "
            "set it when DJANGO_DEBUG is off, to a key made with: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    MFA_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"buurtkamer-debug-only-mfa-key-32").decode()
MFA_ENCRYPTION_KEY = fernet_key("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEY)
MFA_ENCRYPTION_OLD_KEYS = [
    fernet_key("MFA_ENCRYPTION_OLD_KEYS", key) for key in env_list("MFA_ENCRYPTION_OLD_KEYS")
]

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin: the editable lists have a name per language (see buurtkamer/translated.py).
    "modeltranslation",
    "buurtkamer",
    "locations",
    "visitors",
    "volunteers",
    "activities",
    "loneliness",
    "buurtkamer.apps.BuurtkamerAdminConfig",  # django.contrib.admin, with the site's login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The database is down: a Dutch 503 page (or JSON) instead of a 500, for every layer below.
    "buurtkamer.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The page's language: the tablet's, the person's, or the switch's (never the browser's).
    "buurtkamer.middleware.ChosenLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A person logged in on a paired tablet: logged out after the action or 5 idle minutes.
    "buurtkamer.middleware.SharedDeviceSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "buurtkamer.middleware.StaffTwoFactorMiddleware",  # staff without TOTP: set it up first
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "buurtkamer.urls"
WSGI_APPLICATION = "buurtkamer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buurtkamer.context_processors.navigation",
                "buurtkamer.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file in the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "buurtkamer.User"

# The database cache is shared by all app processes: allauth's rate limits hold across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "buurtkamer_cache",
        # Room enough that a flood of keys cannot push out another account's rate limit.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "buurtkamer.validators.DutchMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# The site's name wherever allauth would use the host's ("Hallo van 127.0.0.1:8000!"): in the
# subject of its e-mails and as {{ site_name }} in templates, in the reader's language.
SITE_NAME = _("Buurtkamer")

# django-allauth: e-mail and password, or a code by e-mail; nobody signs up on their own.
ACCOUNT_ADAPTER = "buurtkamer.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
# No "you have no account" e-mail (password reset, login by code) to an address without one.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = format_lazy("[{}] ", SITE_NAME)
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelled out so they are visibly on.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "buurtkamer.two_factor.MFAAdapter"  # the secrets encrypted in the database
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Buurtkamer"
# New recovery codes only with a tick that the old ones then stop working.
MFA_FORMS = {"generate_recovery_codes": "buurtkamer.two_factor.GenerateRecoveryCodesForm"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Language and time.
LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", _("Nederlands")),
    ("fy", _("Frysk")),
    ("en", _("English")),
]
# locale/ is ours (makemessages writes there). locale_thirdparty/ holds the Django and allauth texts
# our pages show, for the languages whose catalogues in those packages are thin (Frysk); the
# first path wins, and Django falls back to Dutch for anything missing in a language.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
# The editable lists (how a first-time visitor came, referral targets, kinds of activity) have a
# name per language: Dutch required, English and Frysk optional, falling back to Dutch.
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_LANGUAGES = ("nl", "en", "fy")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl",)
# Django ships no date formats for fy: ours are in buurtkamer/formats/fy/formats.py.
FORMAT_MODULE_PATH = ["buurtkamer.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files: ours in static/, Bootstrap from the bootstrap-wrapper package, served by WhiteNoise.
STATIC_URL = "static/"
# deploy/install.sh keeps it outside the code, so pages of the previous release still find theirs.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: SMTP to EMAIL_HOST when it is set; otherwise printed to the console in debug, and
# handed to a mail server on this machine (localhost:25) in production.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST)),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # Django 6.1 deprecates the EMAIL_* settings in favour of MAILERS.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buurtkamer <noreply@buurtkamer.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Cookies are Secure and HTTPS is enforced whenever debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
# Session and CSRF cookies: HttpOnly (no script reads them: forms carry the CSRF token), SameSite
# Lax (a link from an e-mail still arrives logged in), Secure in production. There they also get
# the `__Host-` prefix, which browsers only accept with Secure, Path=/ and no Domain: no
# subdomain and no plain-HTTP page can set or overwrite them.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1)

# Content Security Policy: our own origin only, no inline script, no other host.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# Secret links (calendar feeds, invitations, password reset) are masked in every log line
# (buurtkamer/log_filters.py); runserver's request log included.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secret_links": {"()": "buurtkamer.log_filters.MaskSecretLinks"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secret_links"]},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_secret_links"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# The paired tablet's credential: a random token in an HttpOnly cookie, valid for ten years
# unless a coordinator revokes the tablet. SameSite=Strict: no other site can make the
# tablet record a visit.
TABLET_COOKIE_NAME = "__Host-buurtkamer-tablet" if not DEBUG else "buurtkamer-tablet"
TABLET_COOKIE_SECURE = not DEBUG
TABLET_COOKIE_MAX_AGE = 10 * 365 * 24 * 3600

# The line about someone to talk to, shown after the loneliness questionnaire (tablet and
# paper). The README suggests De Luisterlijn.
LONELINESS_SUPPORT_LINE = os.environ.get("LONELINESS_SUPPORT_LINE") or (
    "Wil je met iemand praten? Bel De Luisterlijn: 088 0767 000 (dag en nacht)."
)

# Logbook entries are deleted this many months after they were written, open follow-ups never
# (locations.services.purge_old_logbook_entries, run by the retention command).
LOGBOOK_RETENTION_MONTHS = env_int("LOGBOOK_RETENTION_MONTHS", 24)

# Volunteers stopped longer than this many months are anonymised
# (manage.py anonymise_stopped_volunteers; their roster history's numbers stay).
VOLUNTEER_RETENTION_MONTHS = env_int("VOLUNTEER_RETENTION_MONTHS", 12)

# Cancelling a shift less than this many hours before it starts counts as late
# (volunteers.services.cancel_assignment); coordinators are told of late cancellations.
ROSTER_LATE_CANCEL_HOURS = env_int("ROSTER_LATE_CANCEL_HOURS", 48)

# /healthz also checks that every scheduled job (buurtkamer/jobs.py) succeeded recently enough;
# off in debug (`make run` runs no timers) and in the tests (tests of the check switch it on).
HEALTHZ_JOBS = env_bool("DJANGO_HEALTHZ_JOBS", default=not DEBUG)

# `manage.py backup`: where the dumps go, and how many are kept (the newest of each of the last
# BACKUP_KEEP_DAILY days and of each of the last BACKUP_KEEP_MONTHLY months).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", "") or BASE_DIR / "backups")
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)

# Where the site lives, for links in e-mails sent by cron jobs (outside a request), e.g.
# https://buurtkamer.example.org. Empty: https:// and the first of ALLOWED_HOSTS.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
