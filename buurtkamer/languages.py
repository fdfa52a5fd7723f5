"""The languages of the site (settings.LANGUAGES: nl, fy, en) and whose language counts where.

- A person: `User.language`, chosen on "Mijn gegevens" or with the footer switch while logged in
  (set_user_language). Their pages after the login and every e-mail to them are in it.
- A tablet: `visitors.Tablet.language`, chosen by a coordinator; its pages are in it.
- The public programme and poster: the language in the URL (`?taal=fy`, public_language).
- Anyone else: the language cookie of the footer switch, else Dutch.
"""

from functools import wraps

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .models import AuditEvent, User, log_action

URL_PARAMETER = "taal"
TABLET_PATH_PREFIX = "/tablet/"  # every page and endpoint of the tablet at the door


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


def in_url_language(view):
    """A public page whose language is in its URL (`?taal=fy`), so that a printed QR code or a
    shared link keeps it: rendered in that language whatever the reader's cookie, account or
    browser says. An unknown value (`?taal=xx`) gives the page in Dutch, never an error. Without
    `taal` the page follows the reader's own choice (the middleware), and says so with
    `Vary: Cookie` (a shared cache must not hand one reader's language to another).

    The view gets `request.url_language`: the language the page is in, for its links."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language, refused = public_language(request)
        if language is None and refused:
            language = settings.LANGUAGE_CODE
        if language is None:
            request.url_language = translation.get_language()
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            return response
        with translation.override(language):
            request.LANGUAGE_CODE = request.url_language = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["Content-Language"] = language
        return response

    return wrapper


def language_links(request) -> list[dict]:
    """The switch of a public page (nl · fy · en): this URL with each language in it (the other
    parameters, such as the poster's week, kept)."""
    current = getattr(request, "url_language", None) or translation.get_language()
    links = []
    for code in codes():
        query = request.GET.copy()
        query.pop(URL_PARAMETER, None)  # the language last, the other parameters as they were
        query[URL_PARAMETER] = code
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": f"{request.path}?{query.urlencode()}",
                "current": code == current,
            }
        )
    return links


def speak_the_language_of_who_logged_in(sender, request, user, **kwargs):
    """From the moment of the login the person's own language: also the message that says they
    are logged in (the middleware does it from the next request on). Not on a paired tablet's
    pages, which keep the tablet's language."""
    if request is None or request.path_info.startswith(TABLET_PATH_PREFIX):
        return
    translation.activate(language_of(user))
    request.LANGUAGE_CODE = translation.get_language()
