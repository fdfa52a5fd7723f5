"""The languages of the site (settings.LANGUAGES: nl, fy, en) and whose language counts where.

- A person: `User.language`, chosen on "Mijn gegevens" or with the footer switch while logged in
  (set_user_language). Their pages after the login and every e-mail to them are in it.
- A tablet: `visitors.Tablet.language`, chosen by a coordinator; its pages are in it.
- The public programme and poster: the language in the URL (`?taal=fy`, public_language).
- Anyone else: the language cookie of the footer switch, else Dutch.
"""

from django.conf import settings
from django.db import transaction

from .models import AuditEvent, User, log_action

URL_PARAMETER = "taal"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def valid_language(value) -> str | None:
    """The language code when `value` is one of the site's languages, else None."""
    if isinstance(value, str) and value.strip().lower() in codes():
        return value.strip().lower()
    return None


def language_of(recipient) -> str:
    """The language to write to a person (or anything with a `language`) in; Dutch otherwise."""
    return valid_language(getattr(recipient, "language", None)) or settings.LANGUAGE_CODE


def set_user_language(*, user: User, language: str, actor=None) -> bool:
    """Store the person's language, audited; False (and nothing written) when it was already
    theirs: a second click on the same button changes nothing. Raises ValueError for a language
    the site does not have. The last choice wins (one field, no version to compare)."""
    language = valid_language(language)
    if language is None:
        raise ValueError("unknown language")
    with transaction.atomic():
        changed = (
            User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
        )
        if changed:
            log_action(
                actor=actor or user,
                action=AuditEvent.Action.LANGUAGE_CHANGED,
                subject=user.email,
                language=language,
            )
    user.language = language
    return bool(changed)


def public_language(request) -> tuple[str | None, bool]:
    """(language, refused) of a public page's URL (`?taal=fy`): (None, False) without one,
    (None, True) for a value the site does not know (the page is then in Dutch)."""
    raw = request.GET.get(URL_PARAMETER)
    if raw is None:
        return None, False
    language = valid_language(raw)
    return language, language is None


def remember_language(response, language: str):
    """Set the language switch's cookie on a response (as Django's set_language does)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
