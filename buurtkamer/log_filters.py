"""Secret links stay out of the logs.

A calendar feed's URL is its only credential (`/agenda/<token>.ics`,
`/agenda/<token>/<location>.ics`), and so are an invitation link and a password-reset link.
Whoever reads an access log must not be able to subscribe to a roster or take over an account,
so the secret part of such a path is replaced by `[token]` in every log line:

- MaskSecretLinks, a logging filter on the handlers of settings.LOGGING: Django's request
  log ("Not Found: /agenda/…"), runserver's access log and everything else that logs a path;
- GunicornLogger, for gunicorn's access log: `gunicorn --access-logfile -
  --logger-class buurtkamer.log_filters.GunicornLogger`.

No Django import here: logging is set up before the apps are loaded.
"""

import logging
import re

from gunicorn.glogging import Logger as _GunicornLogger

MASK = "[token]"
SECRET_LINKS = [
    # A volunteer's feed and a location's feed; "/agenda/nieuwe-link/" is too short to match.
    re.compile(r"(/agenda/)[A-Za-z0-9_-]{16,}"),
    # The invitation: /uitnodiging/<uidb64>/<token>/
    re.compile(r"(/uitnodiging/[^/\s\"?]+/)[^/\s\"?]+"),
    # allauth's password reset: /accounts/password/reset/key/<uidb36>-<key>/
    re.compile(r"(/accounts/password/reset/key/)[^/\s\"?]+"),
]


def mask_secret_links(text):
    """`text` with the secret part of every secret link replaced by [token]."""
    for pattern in SECRET_LINKS:
        text = pattern.sub(rf"\g<1>{MASK}", text)
    return text


class MaskSecretLinks(logging.Filter):
    """Masks secret links in a record's message (its arguments filled in first)."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_secret_links(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with secret links masked in every field of the access log."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: mask_secret_links(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
