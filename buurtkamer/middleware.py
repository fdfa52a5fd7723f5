import datetime
import logging
import sys
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.csp import CSP, build_policy
from django.utils.http import urlencode
from django.utils.translation import check_for_language, gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from .two_factor import session_passed_two_factor


class ChosenLanguageMiddleware:
    """The language of the page: never the browser's Accept-Language, always a choice.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a shared tablet
    set up in English would then greet Dutch volunteers in English. Here, in this order:

    1. a tablet page on a paired (or revoked) tablet: the tablet's own language
       (visitors.Tablet.language), whoever is logged in on the device and whatever its cookie;
    2. a person logged in: their stored language (User.language);
    3. otherwise the choice made with the language switch (the language cookie), else Dutch.

    The public programme and poster may still override this with the language in their URL
    (activities.views, `?taal=fy`). It sits after the authentication middleware (it needs
    request.user); a database that is down leaves the cookie's choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(self.language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def language(request) -> str:
        from .languages import TABLET_PATH_PREFIX, language_of, valid_language

        try:
            if request.path_info.startswith(TABLET_PATH_PREFIX) and (
                settings.TABLET_COOKIE_NAME in request.COOKIES
            ):
                from visitors.services import tablet_of_request  # visitors builds on this app

                tablet = tablet_of_request(request)  # remembered: the view asks again
                if tablet is not None:
                    return language_of(tablet)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                return language_of(user)
        except DATABASE_DOWN:
            pass  # the page becomes the 503 page anyway; in the language of the cookie
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if valid_language(chosen) == chosen and check_for_language(chosen):
            return chosen
        return settings.LANGUAGE_CODE


TWO_FACTOR_MESSAGE = gettext_lazy(
    "Als medewerker van AanZet zie je de gegevens van alle buurtkamers. Daarom is "
    "tweestapsverificatie voor jou verplicht: stel eerst een authenticator-app op "
    "je telefoon in. Daarna kun je verder."
)
TWO_FACTOR_CODE_MESSAGE = gettext_lazy(
    "Als medewerker van AanZet of beheerder log je in met twee stappen. Vul de code uit je "
    "authenticator-app in om verder te gaan."
)


class StaffTwoFactorMiddleware:
    """AanZet staff see every location's figures: they work with TOTP or not at all.

    A staff member without an authenticator app (allauth's TOTP) is sent from every page to the
    page that sets one up, with a message saying why. One with the app whose session has not
    passed the second step (a code from the app or a recovery code: a session from before the
    app was set up, or made some other way than the login form) is sent to the page that asks
    for the code, and comes back afterwards. Open to them meanwhile: everything under
    /accounts/ (logging in and out, password, the two-step pages themselves), the health check,
    the language switch and static files. Other people are not affected.
    """

    ALLOWED_URL_NAMES = frozenset({"healthz", "set_language"})
    ALLOWED_ROUTE_PREFIX = "accounts/"  # allauth: account and MFA pages

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        # Administrators (the Django admin shows everything) are held to the same rule.
        if user is None or not user.is_authenticated:
            return None
        if not (user.is_aanzet_staff or user.is_staff):
            return None
        if self._is_allowed(request):
            return None
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return self._send(request, reverse("mfa_activate_totp"), TWO_FACTOR_MESSAGE)
        if not session_passed_two_factor(request):
            url = reverse("mfa_reauthenticate")
            if getattr(request, "htmx", False):  # back to the page, not to its fragment
                back = request.htmx.current_url_abs_path
            else:  # a POST is not repeated: after the code, the start page
                back = request.get_full_path() if request.method == "GET" else None
            if back:
                url += "?" + urlencode({"next": back})
            return self._send(request, url, TWO_FACTOR_CODE_MESSAGE)
        return None

    def _is_allowed(self, request):
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        match = request.resolver_match
        if match is None:
            return True
        return match.url_name in self.ALLOWED_URL_NAMES or match.route.startswith(
            self.ALLOWED_ROUTE_PREFIX
        )

    def _send(self, request, url, message):
        if request.content_type == "application/json" or "application/json" in request.headers.get(
            "Accept", ""
        ):
            # A script (the tablet's queue) must not follow a redirect to an HTML page.
            return JsonResponse(
                {"status": "two_factor_required", "message": str(message)}, status=403
            )
        messages.warning(request, str(message))
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


DATABASE_DOWN = (OperationalError, InterfaceError)
logger = logging.getLogger("buurtkamer.database")


class DatabaseUnavailableMiddleware:
    """The database is gone (stopped, restarting, unreachable): a calm 503, never a traceback.

    Answers 503 with Retry-After: the page templates/503.html (Dutch and English, rendered
    without a request context: no session, user or other database lookups), or JSON for a JSON
    request (the tablet's queue simply retries). It sits right after SecurityMiddleware, so the
    session and authentication middleware, which may hit the database themselves, sit inside it.

    Django turns an exception into a response at every layer of the middleware stack, so a
    database error never travels up to this class as an exception: one raised by a view comes
    to process_exception(); one raised by a later middleware, or while rendering an error page,
    is remembered from the got_request_exception signal, and its 500 response is replaced here.
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _remember_database_error, dispatch_uid="buurtkamer-database-unavailable"
        )

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_DOWN as error:  # only when a layer does not convert exceptions
            return self.unavailable(request, error)
        error = getattr(request, "_database_unavailable", None)
        if error is not None and response.status_code >= 500:
            return self.unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return self.unavailable(request, exception)
        return None

    def unavailable(self, request, error):
        logger.error(
            "Database unavailable (%s) on %s %s",
            type(error).__name__,
            request.method,
            request.path,
            exc_info=error,
        )
        if _wants_json(request):
            response = JsonResponse({"status": "unavailable"}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        # The CSP and clickjacking middleware sit inside this one: give the page their headers.
        if settings.SECURE_CSP:
            response[CSP.HEADER_ENFORCE] = build_policy(settings.SECURE_CSP)
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        return response


def _remember_database_error(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        request._database_unavailable = error


def _wants_json(request):
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


# Nobody stays logged in on a paired tablet --------------------------------------------------

SHARED_DEVICE_IDLE = datetime.timedelta(minutes=5)
SHARED_DEVICE_GRACE = datetime.timedelta(minutes=1)
SHARED_DEVICE_SEEN = "shared_device_seen"  # in the session: the time of the last request
# POSTs that end nothing: switching the language is not "the action" someone came to do.
SHARED_DEVICE_KEEPS_SESSION = frozenset({"set_language"})


@dataclass(frozen=True)
class SharedDevice:
    """What the page says to a person logged in on a paired tablet (request.shared_device)."""

    location: object
    idle_seconds: int

    @property
    def idle_minutes(self) -> int:
        return self.idle_seconds // 60


class SharedDeviceSessionMiddleware:
    """Nobody stays logged in on a paired tablet.

    A browser with a (known) tablet cookie is the shared device at a buurtkamer's door. A person
    who logs in there anyway (to look at the roster, say) is logged out again, here and nowhere
    else:

    - after their action: a POST that succeeds (2xx or a redirect) ends the session, and the
      device goes back to the tablet's counting screen;
    - after 5 minutes without input: on such a device the session lasts 5 minutes, renewed by
      each request (the page's script, includes/shared_device.html, asks the server now and
      then while someone types, and logs out by itself after 5 minutes without input), and is
      ended here when a request comes later than that, again back to the counting screen.

    Only the session ends: the tablet's own cookie is never touched, the tablet stays paired.
    The tablet itself has no session and is not affected; nor is any browser without a tablet
    cookie (it costs them nothing, not even a query).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TABLET_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        was_logged_in = request.user.is_authenticated
        location = self._location(request) if was_logged_in else None
        if location is not None:
            if self._idle_too_long(request):
                logout(request)
                was_logged_in = False
                if not _wants_json(request):
                    messages.info(request, SHARED_DEVICE_IDLE_LOGGED_OUT)
                    return self._counting_screen(request, location)
            else:
                request.shared_device = SharedDevice(
                    location, int(SHARED_DEVICE_IDLE.total_seconds())
                )

        response = self.get_response(request)

        if not request.user.is_authenticated:
            return response
        location = location or self._location(request)
        if location is None:
            return response
        url_name = getattr(request.resolver_match, "url_name", None)
        if (
            was_logged_in
            and request.method == "POST"
            and response.status_code < 400
            and url_name not in SHARED_DEVICE_KEEPS_SESSION
        ):
            logout(request)
            if settings.TABLET_COOKIE_NAME in response.cookies or _wants_json(request):
                # Just (re)paired: the pairing knows where to go. Or the tablet's own script:
                # its tap is answered as it was.
                return response
            if url_name != "account_logout":  # that one says so itself
                messages.info(request, SHARED_DEVICE_LOGGED_OUT)
            return self._counting_screen(request, location, cookies=response.cookies)
        request.session[SHARED_DEVICE_SEEN] = timezone.now().timestamp()
        # The session store forgets it a minute later still: by then this middleware has seen
        # the next request and sent the device back to counting (the store is the backstop).
        request.session.set_expiry(int((SHARED_DEVICE_IDLE + SHARED_DEVICE_GRACE).total_seconds()))
        return response

    @staticmethod
    def _location(request):
        """The location of the tablet whose cookie this browser has, or None."""
        from visitors.services import tablet_of_request  # visitors builds on this app

        tablet = tablet_of_request(request)
        return tablet.location if tablet is not None else None

    @staticmethod
    def _idle_too_long(request) -> bool:
        seen = request.session.get(SHARED_DEVICE_SEEN)
        if not isinstance(seen, (int, float)):
            return False  # no request timed yet (e.g. logged in before the pairing): from now on
        return timezone.now().timestamp() - seen >= SHARED_DEVICE_IDLE.total_seconds()

    @staticmethod
    def _counting_screen(request, location, cookies=None):
        """To the location's counting screen (for htmx: the whole page), with the cookies the
        view set (a message, a language)."""
        url = reverse("visitors:tablet", kwargs={"slug": location.slug})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponseClientRedirect(url)
        else:
            response = HttpResponseRedirect(url)
        for name, morsel in (cookies or {}).items():
            response.cookies[name] = morsel
        return response


SHARED_DEVICE_LOGGED_OUT = gettext_lazy(
    "Je bent uitgelogd: op de tablet blijft niemand ingelogd. De tablet telt weer bezoekers."
)
SHARED_DEVICE_IDLE_LOGGED_OUT = gettext_lazy(
    "Je bent uitgelogd omdat er 5 minuten niets gebeurde. De tablet telt weer bezoekers."
)
