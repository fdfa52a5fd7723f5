"""Who may do what, for every URL of the project: the authorization matrix.

The URLs come from the resolver, not from a list in this file: every pattern of the project is
walked (admin and allauth included), given sample arguments and requested with GET and POST by
each kind of visitor:

    anonymous          nobody logged in
    tablet             the paired Dokkum tablet: its cookie and nothing else (no session)
    volunteer          a volunteer of Dokkum
    other_volunteer    a volunteer of Burgum
    coordinator        the coordinator of Dokkum
    other_coordinator  the coordinator of Burgum
    staff              AanZet staff (every location; with TOTP, as staff must have)

The project's own URLs each have a row in MATRIX with the outcome every visitor must get. A URL
without a row fails (a new view cannot ship without deciding who may use it), and so does a row
whose URL is gone. Third-party URLs (admin, allauth, the language switch) are checked as groups,
each with one expectation. Outsiders get 404 for a location and its objects (its existence stays
private), a member who may look but not change gets 403.

Besides who gets in: a POST without a CSRF token is refused everywhere but the two JSON tablet
endpoints (which refuse cross-site requests and non-JSON bodies instead); every HTML answer
carries the Content-Security-Policy; and the list pages run with Django's fetch mode RAISE, so
that a related object loaded lazily (an N+1 in the making) is an error.

Each request of a test runs in a savepoint that is rolled back afterwards: every visitor meets
the same data, whatever the POST of the one before changed.
"""

import copy
import datetime
import gettext as gettext_module
import itertools
import json as json_module
import re
import traceback
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import FieldFetchBlocked
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.regex_helper import normalize
from django.utils.translation import trans_real

from buurtkamer.models import User
from locations import services as team_services
from locations.models import DayPart, Location, Membership, Role
from visitors import services as visit_services
from visitors.models import AgeBand, CameVia, FirstVisit, ManualTally, ReferralTarget, Tablet, Visit

from .factories import MembershipFactory, administrator, force_login
from .matrix_areas import AREAS
from .matrix_common import (
    ALL_LOGGED_IN,
    EVERYONE,
    LOGIN,
    MANAGERS,
    MANAGERS_POST,
    MANAGERS_POST_INVALID,
    MEMBERS_ONLY,
    NOBODY,
    REDIRECT,
    ROLES,
    L,
    Row,
)
from .support import fetch_mode_raise, make_persona

LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"


# The URLs, from the resolver ----------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str | None  # with namespaces: "locations:team"
    namespace: str | None
    route: str  # the route strings joined: "locaties/<slug:slug>/team/"
    regex: str  # the patterns' regexes joined, to build a path from samples
    kwargs: tuple[str, ...]
    callback: object

    @property
    def label(self):
        return self.name or f"<unnamed {self.route}>"

    @property
    def module(self):
        return getattr(self.callback, "__module__", "") or ""


def _strip_anchors(regex):
    regex = regex.removeprefix("^")
    for end in (r"\Z", "$"):
        regex = regex.removesuffix(end)
    return regex


def walk(resolver=None, route="", regex="", namespace=None):
    """Every URLPattern under a resolver, with its full name, route and regex."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        here_route = route + str(pattern.pattern)
        here_regex = regex + _strip_anchors(pattern.pattern.regex.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, here_route, here_regex, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            kwargs = tuple(re.compile(here_regex).groupindex)
            yield Url(name, namespace, here_route, here_regex, kwargs, pattern.callback)


URLS = list(walk())
URL_BY_LABEL = {url.label: url for url in URLS}


# Third-party URLs: one expectation per group --------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    expectation: str

    def matches(self, url: Url) -> bool:
        name = url.name or ""
        if self.key == "admin":
            return url.namespace == "admin"
        if self.key == "allauth-account":
            return name.startswith("account_") and url.module.startswith("allauth.account")
        if self.key == "allauth-mfa":
            return name.startswith("mfa_") and url.module.startswith("allauth.mfa")
        if self.key == "set_language":
            # Django's view, wrapped by ours (which also stores a logged-in person's choice).
            return name == "set_language" and url.module in (
                "django.views.i18n",
                "buurtkamer.views",
            )
        raise AssertionError(self.key)


GROUPS = [
    Group(
        "admin",
        "Nobody of the matrix is an administrator (staff included: AanZet staff is not an "
        "admin): every admin URL redirects them to the admin login, GET and POST; the admin "
        "login has no form of its own: it sends anonymous (and the tablet) to the site's login "
        "with next=/admin/ and refuses the logged-in personas (403); the admin logout sends "
        "them to the admin index.",
    ),
    Group(
        "allauth-account",
        "The account pages do not depend on a location role: the tablet gets exactly what "
        "anonymous gets (its cookie opens nothing here), the logged-in personas all get the same "
        "status; anonymous only reaches public pages (login, login by code, password reset, "
        "closed sign-up, ...) and is sent to the login page for the pages of a logged-in person.",
    ),
    Group(
        "allauth-mfa",
        "Two-step pages: anonymous and the tablet are sent to the login page; logged-in "
        "personas get their own pages (200, or a redirect to reauthenticate), 404 for what they "
        "do not have, never a 403 or 500.",
    ),
    Group(
        "set_language",
        "The language switch is for everyone: GET and POST redirect back (302), never to login.",
    ),
]
# allauth pages that only a logged-in person may see: anonymous and the tablet go to the login.
ALLAUTH_PAGES_FOR_LOGGED_IN = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
}


def group_of(url: Url) -> Group | None:
    matching = [group for group in GROUPS if group.matches(url)]
    assert len(matching) <= 1, f"{url.label} is in more than one group"
    return matching[0] if matching else None


PROJECT_URLS = [url for url in URLS if group_of(url) is None]


# The project's own URLs: one row each -------------------------------------------------------------


#                               anonymous, tablet, volunteer, other_volunteer, coordinator,
#                               other_coordinator, staff
MATRIX = {
    # buurtkamer (no namespace) --------------------------------------------------------------
    # GET-only pages that do not refuse POST: they show the page again (CSRF still applies).
    "dashboard": Row(get=ALL_LOGGED_IN, post=NOBODY),
    "healthz": Row(get=EVERYONE, post=NOBODY),
    # The link in the e-mail is the credential: it works for whoever holds it. An empty POST
    # is read as no POST at all (`request.POST or None`) and shows the form again: 200.
    "accept-invitation": Row(get=EVERYONE, post=EVERYONE),
    # AanZet staff only (the audit log of item 5 of issue 7).
    # allauth's e-mail page, switched off: back to the start page with a message.
    "account-email-closed": Row(get=(L, L) + (REDIRECT,) * 5, post=(L, L) + (REDIRECT,) * 5),
    "audit-log": Row(get=(L, L, 403, 403, 403, 403, 200), post=(L, L, 403, 403, 403, 403, 405)),
    # locations -------------------------------------------------------------------------------
    "locations:list": Row(get=ALL_LOGGED_IN, post=NOBODY),
    "locations:detail": Row(get=MEMBERS_ONLY, post=NOBODY),
    "locations:team": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "locations:change-role": Row(get=NOBODY, post=MANAGERS_POST),
    "locations:end-membership": Row(get=MANAGERS, post=MANAGERS_POST),
    "locations:opening-hours": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    # The workspace's "Instellingen": the pages that set a location up, one link each.
    "locations:settings": Row(get=MANAGERS, post=NOBODY),
    # visitors: the tablet and its endpoints -------------------------------------------------
    "visitors:service-worker": Row(get=EVERYONE, post=NOBODY),
    # The tablet page: the paired tablet, or a coordinator / staff logged in. A volunteer's
    # own phone is not a tablet (403); anonymous goes to the login.
    "visitors:tablet": Row(get=(L, 200, 403, 404, 200, 404, 200), post=NOBODY),
    "visitors:checkin": Row(get=NOBODY, post=(L, REDIRECT, 403, 404, REDIRECT, 404, REDIRECT)),
    "visitors:undo": Row(get=NOBODY, post=(L, REDIRECT, 403, 404, REDIRECT, 404, REDIRECT)),
    # JSON: POSTed as the page's script does, `{}` as application/json (so: 400, no client_id).
    # Not logged in and no tablet: 401 JSON (the script shows "not paired").
    "visitors:checkin-api": Row(get=NOBODY, post=(401, 400, 403, 404, 400, 404, 400)),
    "visitors:undo-api": Row(get=NOBODY, post=(401, 400, 403, 404, 400, 404, 400)),
    # Pairing needs a logged-in coordinator; the tablet itself cannot pair (again).
    "visitors:pair": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    # The logbook written on the tablet: only the location's paired tablet (its cookie); for
    # every person the page does not exist. An empty POST lacks the text: the form again, 400.
    "visitors:tablet-logbook": Row(
        get=(404, 200, 404, 404, 404, 404, 404), post=(404, 400, 404, 404, 404, 404, 404)
    ),
    # visitors: coordinator pages --------------------------------------------------------------
    "visitors:tablets": Row(get=MANAGERS, post=NOBODY),
    "visitors:revoke-tablet": Row(get=MANAGERS, post=MANAGERS_POST),
    # The tablet's language: an empty POST chooses none (the list again, 400).
    "visitors:tablet-language": Row(get=NOBODY, post=MANAGERS_POST_INVALID),
    "visitors:today": Row(get=MANAGERS, post=NOBODY),
    "visitors:referral": Row(get=NOBODY, post=MANAGERS_POST),
    "visitors:referral-undo": Row(get=NOBODY, post=MANAGERS_POST),
    "visitors:tallies": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "visitors:tally-edit": Row(get=MANAGERS, post=MANAGERS_POST_INVALID),
    "visitors:tally-void": Row(get=MANAGERS, post=MANAGERS_POST),
}
# POSTed as JSON (the tablet's script); everything else as an empty form.
JSON_ENDPOINTS = {"visitors:checkin-api", "visitors:undo-api"}
# Which object a `pk` URL argument is, per URL name.
PK_KIND = {
    "locations:change-role": "membership",
    "locations:end-membership": "membership",
    "visitors:revoke-tablet": "tablet",
    "visitors:tablet-language": "tablet",
    "visitors:tally-edit": "tally",
    "visitors:tally-void": "tally",
    "visitors:referral-undo": "referral",
}
# Samples for third-party URL arguments (only used for URLs of a group).
THIRD_PARTY_SAMPLES = {
    "key": "abc-def",  # allauth: e-mail confirmation, password reset key
    "uidb36": "1",
    "object_id": "1",  # admin
    "content_type_id": "1",
    "id": "1",
    "app_label": "locations",
    "url": "bestaat-niet/",  # the admin's catch-all
}
# Answers that are not HTML, on purpose.
NOT_HTML = {"healthz", "visitors:service-worker"}
# The rows of the later areas (rosters, logbook, activities, reports): one module each.
for _area in AREAS:
    assert not set(_area.ROWS) & set(MATRIX), f"{_area.__name__} repeats a row"
    MATRIX.update(_area.ROWS)
    PK_KIND.update(_area.PK_KIND)
    NOT_HTML |= _area.NOT_HTML
    JSON_ENDPOINTS |= getattr(_area, "JSON_ENDPOINTS", set())  # an area's tablet JSON


# The world every test meets -----------------------------------------------------------------------


def _objects_in(location, coordinator, first_name, personas):
    """One object of each kind a URL can point at: a team member, a tablet, a tally, and
    those of the areas."""
    membership = MembershipFactory(
        location=location, role=Role.VOLUNTEER, user__first_name=first_name
    )
    tablet, _token = visit_services.pair_tablet(
        location=location, name=f"Tablet achterdeur {location.slug}", paired_by=coordinator
    )
    tally = visit_services.record_tally(
        location=location,
        date=timezone.localdate(),
        day_part=DayPart.MORNING,
        visitors=3,
        first_visits=1,
        user=coordinator,
    )
    referral = visit_services.record_referral(
        location=location, target=ReferralTarget.objects.first(), user=coordinator
    )
    objects = {"membership": membership, "tablet": tablet, "tally": tally, "referral": referral}
    for area in AREAS:
        objects |= area.objects(location, coordinator, personas)
    return objects


class World:
    def __init__(self, personas, tablet_token, objects, invitation):
        self.personas = personas
        self.tablet_token = tablet_token
        self.objects = objects  # {"dokkum": {kind: object}, "burgum": {...}}
        self.invitation = invitation  # {"uidb64": ..., "token": ...}
        self._clients = {}

    def client(self, role, *, enforce_csrf_checks=False):
        """The role's browser; one per test and role (ask() puts its cookies back after use)."""
        key = (role, enforce_csrf_checks)
        if key not in self._clients:
            client = Client(enforce_csrf_checks=enforce_csrf_checks)
            if role == "tablet":
                client.cookies[settings.TABLET_COOKIE_NAME] = self.tablet_token
            elif self.personas[role] is not None:
                force_login(client, self.personas[role])
            self._clients[key] = client
        return self._clients[key]

    def path(self, url: Url, *, slug="dokkum", objects_of=None):
        """The URL filled in with samples; objects_of: whose object a `pk` is (default: slug)."""
        third_party = group_of(url) is not None
        values = {}
        for argument in url.kwargs:
            if argument == "slug":
                values[argument] = slug
            elif argument == "pk" and url.name in PK_KIND:
                kind = PK_KIND[url.name]
                values[argument] = self.objects[objects_of or slug][kind].pk
            elif argument in self.invitation:
                values[argument] = self.invitation[argument]
            elif (sample := _area_sample(url.name, argument, self.objects[slug])) is not None:
                values[argument] = sample
            elif third_party and argument in THIRD_PARTY_SAMPLES:
                values[argument] = THIRD_PARTY_SAMPLES[argument]
            else:
                pytest.fail(
                    f"URL {url.label} ({url.route}) has the argument {argument!r} without a "
                    f"sample: add one in {__name__} (PK_KIND for a pk, otherwise World.path)."
                )
        template, _params = normalize(url.regex)[0]
        return "/" + template % values


def _area_sample(name, argument, objects):
    for area in AREAS:
        if (value := area.sample(name, argument, objects)) is not None:
            return value
    return None


def _build_world():
    """The personas, the tablet, an invitation and one object of each kind per location."""
    personas = {"anonymous": None} | {role: make_persona(role) for role in ROLES[2:]}
    dokkum, burgum = Location.objects.get(slug="dokkum"), Location.objects.get(slug="burgum")
    coordinator = personas["coordinator"]
    # The tablet as in tests/test_tablet.py: paired by the coordinator through the real flow.
    pairing = Client()
    pairing.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    response = pairing.post(reverse("visitors:pair", kwargs={"slug": "dokkum"}), {"name": "Voor"})
    assert response.status_code == 302
    tablet_token = response.cookies[settings.TABLET_COOKIE_NAME].value

    # A real invitation of a fresh person: the link from the e-mail.
    team_services.invite_person(
        location=dokkum,
        email="nieuw-in-dokkum@example.org",
        first_name="Nieuw",
        last_name="In Dokkum",
        role=Role.VOLUNTEER,
        invited_by=coordinator,
        base_url="http://testserver",
    )
    uidb64, token = re.search(r"/uitnodiging/([^/\s]+)/([^/\s]+)/", mail.outbox[-1].body).groups()

    objects = {
        "dokkum": _objects_in(dokkum, coordinator, "Sjoukje", personas),
        "burgum": _objects_in(burgum, personas["other_coordinator"], "Wopke", personas),
    }
    return personas, tablet_token, objects, {"uidb64": uidb64, "token": token}


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker):
    """The world is only read: it is built once for the module, in a transaction that is rolled
    back at the end. Every test runs in a savepoint inside it (pytest-django's `db`), so what
    one test writes is gone before the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(world_data, db):
    """The module's world with fresh browsers: a session made in one test (a savepoint rolled
    back afterwards) must not be carried into the next."""
    return World(*world_data)


# Requests and outcomes ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str = ""
    content_type: str = ""
    csp: str | None = None
    templates: tuple = ()
    error: str = ""  # an exception raised by the view: a 500

    def __str__(self):
        if self.error:
            return f"500 ({self.error.strip().splitlines()[-1]})"
        return f"{self.status} {self.location}".strip()


def ask(client, method, path, *, json=None, data=None, **headers):
    """One request that leaves no trace: its database changes are rolled back and the client's
    cookies put back (a logout cannot log the next request out). An exception becomes a 500
    with its traceback."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(path, headers=headers)
            elif json is not None:
                response = client.post(path, json, content_type="application/json", headers=headers)
            else:
                response = client.post(path, data or {}, headers=headers)
        except Exception:  # reported as the 500 it is
            return Answer(500, error=traceback.format_exc())
        finally:
            transaction.set_rollback(True)
            client.cookies = cookies
    return Answer(
        status=response.status_code,
        location=response.headers.get("Location", ""),
        content_type=response.headers.get("Content-Type", ""),
        csp=response.headers.get("Content-Security-Policy"),
        templates=tuple(t.name for t in getattr(response, "templates", []) or [] if t.name),
    )


def ask_as_in_matrix(world, role, method, url, **path_options):
    path = world.path(url, **path_options)
    json = {} if (method == "POST" and url.name in JSON_ENDPOINTS) else None
    return path, ask(world.client(role), method, path, json=json)


def meets(answer: Answer, expected) -> bool:
    if answer.status >= 500:
        return False
    if expected == LOGIN:
        return answer.status == 302 and answer.location.startswith(LOGIN_URL + "?next=")
    if expected == REDIRECT:
        return answer.status == 302 and not answer.location.startswith(LOGIN_URL)
    return answer.status == expected


def csp_problems(answer: Answer) -> list[str]:
    if answer.csp is None:
        return ["no Content-Security-Policy header"]
    directives = {}
    for part in answer.csp.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    problems = []
    if "'unsafe-inline'" in answer.csp:
        problems.append("'unsafe-inline' in the policy")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if directives.get(directive) != ["'none'"]:
            problems.append(f"{directive} is {directives.get(directive)}, not 'none'")
    return problems


def is_html(answer: Answer) -> bool:
    return answer.content_type.startswith("text/html")


def report(title, lines):
    return title + ":\n  " + "\n  ".join(lines)


# Every URL is accounted for -----------------------------------------------------------------------


def test_the_resolver_walk_finds_the_project_and_third_party_urls():
    labels = set(URL_BY_LABEL)
    assert {"dashboard", "locations:team", "visitors:checkin-api", "account_login"} <= labels
    assert {"admin:index", "mfa_index", "set_language"} <= labels
    assert len(PROJECT_URLS) >= 20


def test_every_project_url_has_a_row_in_the_matrix():
    missing = [f"{url.label}  ({url.route})" for url in PROJECT_URLS if url.name not in MATRIX]
    assert not missing, report(
        "URLs without a row in MATRIX: decide who may GET and POST them and add a row", missing
    )


def test_every_row_of_the_matrix_names_an_existing_url():
    existing = {url.name for url in PROJECT_URLS}
    stale = sorted(set(MATRIX) - existing)
    assert not stale, report("Rows in MATRIX whose URL name does not exist (any more)", stale)


def test_every_group_covers_urls():
    for group in GROUPS:
        assert any(group.matches(url) for url in URLS), f"group {group.key} matches no URL"


# Third-party URLs whose path the project answers itself (its pattern comes first).
REPLACED = {"account_email": "account-email-closed"}


def test_every_url_argument_has_a_sample_and_the_path_resolves_back(world):
    for url in URLS:
        path = world.path(url)
        match = resolve(path)
        if url.label in REPLACED:
            assert match.view_name == REPLACED[url.label], f"{url.label}: {path}"
            continue
        assert match.func is url.callback, f"{url.label}: {path} resolves to {match.view_name}"


# The matrix ---------------------------------------------------------------------------------------

MATRIX_CASES = [
    pytest.param(url.name, method, id=f"{url.name}-{method}")
    for url in PROJECT_URLS
    if url.name in MATRIX
    for method in ("GET", "POST")
]


@pytest.mark.parametrize(("name", "method"), MATRIX_CASES)
def test_each_role_gets_what_the_matrix_says(world, name, method):
    url = URL_BY_LABEL[name]
    row = MATRIX[name]
    wrong, errors = [], []
    for role in ROLES:
        expected = row.expected(method, role)
        path, answer = ask_as_in_matrix(world, role, method, url)
        if not meets(answer, expected):
            wrong.append(f"{role:<18} expected {expected!s:<6} got {answer}")
            if answer.error:
                errors.append(answer.error)
        if is_html(answer) and (problems := csp_problems(answer)):
            wrong.append(f"{role:<18} {answer.status}: {', '.join(problems)}")
    assert not wrong, report(f"{method} {path}", wrong) + "\n\n" + "\n".join(errors)


SLUG_CASES = [
    pytest.param(url.name, method, id=f"{url.name}-{method}")
    for url in PROJECT_URLS
    if url.name in MATRIX and "slug" in url.kwargs
    for method in ("GET", "POST")
]
# On Burgum's URLs, with Burgum's objects, the people of Burgum are "ours" and those of Dokkum
# the outsiders: each must get what their counterpart gets in the matrix (made for Dokkum).
MIRROR = {
    "anonymous": "anonymous",
    "volunteer": "other_volunteer",
    "other_volunteer": "volunteer",
    "coordinator": "other_coordinator",
    "other_coordinator": "coordinator",
    "staff": "staff",
}


@pytest.mark.parametrize(("name", "method"), SLUG_CASES)
def test_the_matrix_holds_for_burgum_too(world, name, method):
    url = URL_BY_LABEL[name]
    wrong = []
    for role, counterpart in MIRROR.items():
        expected = MATRIX[name].expected(method, counterpart)
        path, answer = ask_as_in_matrix(world, role, method, url, slug="burgum")
        if not meets(answer, expected):
            wrong.append(f"{role:<18} expected {expected!s:<6} got {answer}")
    assert not wrong, report(f"{method} {path}", wrong)


OBJECT_CASES = [
    pytest.param(url.name, method, id=f"{url.name}-{method}")
    for url in PROJECT_URLS
    if url.name in MATRIX and "pk" in url.kwargs
    for method in ("GET", "POST")
    if MATRIX[url.name].expected(method, "coordinator") != 405
]


@pytest.mark.parametrize(("name", "method"), OBJECT_CASES)
def test_an_object_of_another_location_is_not_found(world, name, method):
    """Burgum's object under /dokkum/ (and Dokkum's under /burgum/): 404, for its own people
    and staff alike. The object stays as it was."""
    url = URL_BY_LABEL[name]
    wrong = []
    for slug, objects_of, roles in (
        ("dokkum", "burgum", ("coordinator", "staff")),
        ("burgum", "dokkum", ("other_coordinator", "staff")),
    ):
        for role in roles:
            path, answer = ask_as_in_matrix(
                world, role, method, url, slug=slug, objects_of=objects_of
            )
            if answer.status != 404:
                wrong.append(f"{method} {path} as {role}: expected 404, got {answer}")
    assert not wrong, report(name, wrong)
    kind = PK_KIND[name]
    for objects in world.objects.values():
        obj = objects[kind]
        fresh = type(obj).objects.get(pk=obj.pk)
        if kind == "membership":
            assert fresh.is_current
        elif kind == "tablet":
            assert fresh.is_paired
        elif kind == "tally":
            assert fresh.voided_at is None and fresh.visitors == obj.visitors
        elif kind == "referral":
            assert fresh.voided_at is None
        else:
            area = next(area for area in AREAS if name in area.PK_KIND)
            assert area.unchanged(kind, obj, fresh), f"{name} changed a {kind} of another location"


def test_an_unknown_location_is_not_found_even_for_staff(world):
    wrong = []
    for url in PROJECT_URLS:
        if url.name not in MATRIX or "slug" not in url.kwargs or url.name in PK_KIND:
            continue
        for method in ("GET", "POST"):
            if MATRIX[url.name].expected(method, "staff") == 405:
                continue
            path, answer = ask_as_in_matrix(world, "staff", method, url, slug="bestaat-niet")
            if answer.status != 404:
                wrong.append(f"{method} {path}: expected 404, got {answer}")
    assert not wrong, report("staff on an unknown location", wrong)


def test_an_unknown_location_is_not_found_for_anyone_logged_in(world):
    """As for staff above: every person logged in gets 404 on a location that does not exist
    (a volunteer is not told 403 there, an outsider learns nothing); anonymous gets what the
    matrix gives them at Dokkum (the login page, a 401), but a public page is not found."""
    wrong = []
    for url in PROJECT_URLS:
        if url.name not in MATRIX or "slug" not in url.kwargs or url.name in PK_KIND:
            continue
        for method in ("GET", "POST"):
            if MATRIX[url.name].expected(method, "staff") == 405:
                continue
            for role in ("anonymous", "volunteer", "other_volunteer", "coordinator"):
                expected = 404
                if role == "anonymous" and MATRIX[url.name].expected(method, role) != 200:
                    expected = MATRIX[url.name].expected(method, role)
                path, answer = ask_as_in_matrix(world, role, method, url, slug="bestaat-niet")
                if not meets(answer, expected):
                    wrong.append(f"{method} {path} as {role}: expected {expected}, got {answer}")
    assert not wrong, report("an unknown location", wrong)


def test_the_dokkum_tablet_opens_nothing_of_burgum(world, burgum):
    """A tablet is not a person: at another location it is "not paired" (login / 401)."""
    tablet = world.client("tablet")
    visits_before = Visit.objects.filter(location=burgum).count()
    for name in ("visitors:tablet",):
        path = reverse(name, kwargs={"slug": "burgum"})
        answer = ask(tablet, "GET", path)
        assert meets(answer, LOGIN), f"GET {path}: {answer}"
    for name in ("visitors:checkin", "visitors:undo", "visitors:pair"):
        path = reverse(name, kwargs={"slug": "burgum"})
        answer = ask(tablet, "POST", path, data={"client_id": str(uuid.uuid4()), "name": "x"})
        assert meets(answer, LOGIN), f"POST {path}: {answer}"
    for name in JSON_ENDPOINTS:
        path = reverse(name, kwargs={"slug": "burgum"})
        answer = ask(tablet, "POST", path, json={"client_id": str(uuid.uuid4())})
        assert answer.status == 401, f"POST {path}: {answer}"
    assert Visit.objects.filter(location=burgum).count() == visits_before
    assert Tablet.objects.filter(location=burgum).count() == 1  # only the sample one


# Third-party groups ------------------------------------------------------------------------------

GROUP_CASES = [pytest.param(group, id=group.key) for group in GROUPS]
LOGGED_IN = ROLES[2:]
# allauth pages whose exact answer is checked too: the login page is for who is not logged in
# (the tablet included); whoever is logged in is sent on.
ALLAUTH_EXACT = {
    ("account_login", "GET"): {"anonymous": 200, "tablet": 200} | dict.fromkeys(LOGGED_IN, 302),
}


def _group_admin(url, answers):
    wrong = []
    for (role, method), answer in answers.items():
        if url.name == "admin:login" and role in ("anonymous", "tablet"):
            ok = answer.status == 302 and answer.location == LOGIN_URL + "?next=/admin/"
        elif url.name == "admin:login":
            ok = answer.status == 403
        elif url.name == "admin:logout":
            ok = answer.status == 302 and answer.location == reverse("admin:index")
        else:
            ok = answer.status == 302 and answer.location.startswith(ADMIN_LOGIN_URL + "?next=")
        if not ok:
            wrong.append(f"{method} as {role}: {answer}")
    return wrong


def _group_allauth_account(url, answers):
    wrong = []
    for method in ("GET", "POST"):
        anonymous, tablet = answers["anonymous", method], answers["tablet", method]
        if (tablet.status, tablet.location) != (anonymous.status, anonymous.location):
            wrong.append(f"{method}: the tablet gets {tablet}, anonymous {anonymous}")
        if anonymous.status not in (200, 302, 404, 405):
            wrong.append(f"{method} as anonymous: {anonymous}")
        if anonymous.status == 302 and not anonymous.location.startswith("/accounts/"):
            wrong.append(f"{method} as anonymous: sent into the app, {anonymous}")
        if url.name in ALLAUTH_PAGES_FOR_LOGGED_IN and not meets(anonymous, LOGIN):
            wrong.append(f"{method} as anonymous: expected the login page, got {anonymous}")
        for role, status in ALLAUTH_EXACT.get((url.name, method), {}).items():
            if answers[role, method].status != status:
                wrong.append(f"{method} as {role}: expected {status}, got {answers[role, method]}")
        statuses = {role: answers[role, method].status for role in LOGGED_IN}
        if len(set(statuses.values())) != 1:
            wrong.append(f"{method}: the logged-in personas differ: {statuses}")
        if not set(statuses.values()) <= {200, 302, 404, 405}:
            wrong.append(f"{method}: logged-in personas get {statuses}")
    return wrong


def _group_allauth_mfa(url, answers):
    wrong = []
    for (role, method), answer in answers.items():
        if role in ("anonymous", "tablet"):
            ok = answer.status == 302 and answer.location.startswith(LOGIN_URL)
        else:
            ok = answer.status in (200, 302, 404, 405)
        if not ok:
            wrong.append(f"{method} as {role}: {answer}")
    return wrong


def _group_set_language(url, answers):
    return [
        f"{method} as {role}: {answer}"
        for (role, method), answer in answers.items()
        if not meets(answer, REDIRECT)
    ]


GROUP_CHECKS = {
    "admin": _group_admin,
    "allauth-account": _group_allauth_account,
    "allauth-mfa": _group_allauth_mfa,
    "set_language": _group_set_language,
}


@pytest.mark.parametrize("group", GROUP_CASES)
def test_third_party_urls_meet_their_group_expectation(world, group):
    wrong = []
    for url in URLS:
        if not group.matches(url):
            continue
        path = world.path(url)
        answers = {
            (role, method): ask(world.client(role), method, path)
            for role in ROLES
            for method in ("GET", "POST")
        }
        problems = [
            f"{method} as {role}: {answer}"
            for (role, method), answer in answers.items()
            if answer.status >= 500
        ]
        problems += GROUP_CHECKS[group.key](url, answers)
        problems += [
            f"{method} as {role}: {', '.join(csp)}"
            for (role, method), answer in answers.items()
            if is_html(answer) and (csp := csp_problems(answer))
        ]
        wrong += [f"{path}  {problem}" for problem in problems]
    assert not wrong, report(f"{group.key}: {group.expectation}", wrong)


def test_an_administrator_does_get_into_the_admin(db):
    """The admin group's redirects are not the admin being broken for everyone."""
    admin = administrator()
    client = Client()
    force_login(client, admin)
    assert client.get(reverse("admin:index")).status_code == 200


# CSRF ---------------------------------------------------------------------------------------------


def test_only_the_json_tablet_endpoints_are_csrf_exempt():
    exempt = {url.label for url in URLS if getattr(url.callback, "csrf_exempt", False)}
    assert exempt == JSON_ENDPOINTS


CSRF_CASES = [
    pytest.param("url", url.label, id=url.label)
    for url in PROJECT_URLS
    if not getattr(url.callback, "csrf_exempt", False)
] + [pytest.param("group", group.key, id=f"group-{group.key}") for group in GROUPS]


@pytest.mark.parametrize(("kind", "label"), CSRF_CASES)
def test_a_post_without_csrf_token_is_refused(world, kind, label):
    """Every URL but the two JSON endpoints: project URLs one by one for every role, the
    third-party ones per group for anonymous, the tablet, a coordinator and staff."""
    if kind == "url":
        urls, roles = [URL_BY_LABEL[label]], ROLES
    else:
        group = next(group for group in GROUPS if group.key == label)
        urls = [url for url in URLS if group.matches(url)]
        roles = ("anonymous", "tablet", "coordinator", "staff")
    wrong = []
    for url in urls:
        path = world.path(url)
        for role in roles:
            client = world.client(role, enforce_csrf_checks=True)
            answer = ask(client, "POST", path, data={"name": "x", "client_id": str(uuid.uuid4())})
            if answer.status != 403 or "403_csrf.html" not in answer.templates:
                wrong.append(f"{path}  {role:<18} expected the CSRF 403, got {answer}")
    assert not wrong, report("POST without a CSRF token", wrong)


JSON_CASES = [pytest.param(name, id=name) for name in sorted(JSON_ENDPOINTS)]
CROSS_SITE_HEADERS = [
    {"Origin": "https://kwaadwillend.example"},
    {"Origin": "null"},
    {"Origin": "http://testserver.kwaadwillend.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
]


@pytest.mark.parametrize("name", JSON_CASES)
@pytest.mark.parametrize("role", ["tablet", "coordinator"])
def test_json_endpoints_refuse_cross_site_and_non_json_instead_of_a_token(
    world, dokkum, name, role
):
    """csrf_exempt by design (a queued tap must never fail on an expired token): instead only
    same-origin JSON is read. Cross-site: 403; a form or text/plain body (what another site can
    send without a preflight): 415. Nothing is recorded or undone by a refused request."""
    client = world.client(role, enforce_csrf_checks=True)
    path = reverse(name, kwargs={"slug": "dokkum"})
    tapped = Visit.objects.create(
        location=dokkum,
        recorded_at=timezone.now(),
        recorded_on=timezone.localdate(),
        day_part=DayPart.MORNING,
        client_id=uuid.uuid4(),
        recorded_by_tablet=visit_services.tablet_for_token(world.tablet_token),  # its own tap
    )
    payload = {
        "client_id": str(uuid.uuid4() if name == "visitors:checkin-api" else tapped.client_id)
    }
    before = Visit.objects.count(), Visit.objects.filter(voided_at__isnull=False).count()
    wrong = []
    for headers in CROSS_SITE_HEADERS:
        answer = ask(client, "POST", path, json=payload, **headers)
        if answer.status != 403:
            wrong.append(f"cross-site {headers}: expected 403, got {answer}")
    for body, content_type in (
        ("client_id=" + payload["client_id"], "application/x-www-form-urlencoded"),
        (json_module.dumps(payload), "text/plain"),
    ):
        with transaction.atomic():
            response = client.generic("POST", path, body, content_type=content_type)
            transaction.set_rollback(True)
        if response.status_code != 415:
            wrong.append(f"{content_type} body: expected 415, got {response.status_code}")
    answer = ask(client, "POST", path, data=payload)  # multipart, as a plain <form> sends it
    if answer.status != 415:
        wrong.append(f"multipart body: expected 415, got {answer}")
    assert not wrong, report(f"POST {path} as {role}", wrong)
    assert (Visit.objects.count(), Visit.objects.filter(voided_at__isnull=False).count()) == before

    # The same request from the page itself (no CSRF token needed) is accepted.
    for headers in ({}, {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}):
        answer = ask(client, "POST", path, json=payload, **headers)
        assert answer.status in (200, 201), f"same-origin {headers}: {answer}"


# Content-Security-Policy -------------------------------------------------------------------------

CSP_CASES = [
    pytest.param(url.name, id=url.name)
    for url in PROJECT_URLS
    if url.name in MATRIX and 200 in MATRIX[url.name].get
]


@pytest.mark.parametrize("name", CSP_CASES)
def test_every_html_page_carries_the_content_security_policy(world, name):
    url = URL_BY_LABEL[name]
    role = next(
        r
        for r in ("coordinator", "staff", "tablet", "volunteer", "anonymous")
        if MATRIX[name].expected("GET", r) == 200
    )
    path, answer = ask_as_in_matrix(world, role, "GET", url)
    assert answer.status == 200, f"GET {path} as {role}: {answer}"
    if name in NOT_HTML:
        assert not is_html(answer), f"{name} answers HTML now: take it out of NOT_HTML"
        return
    assert is_html(answer), f"GET {path} as {role}: {answer.content_type}"
    assert not csp_problems(answer), f"GET {path}: {csp_problems(answer)}: {answer.csp}"


def test_the_login_and_error_pages_carry_the_content_security_policy(world):
    anonymous = world.client("anonymous")
    for path in (LOGIN_URL, "/accounts/password/reset/", ADMIN_LOGIN_URL, "/bestaat-niet/"):
        answer = ask(anonymous, "GET", path)
        assert is_html(answer), f"{path}: {answer}"
        assert not csp_problems(answer), f"{path}: {csp_problems(answer)}"


# Frysk on every page: no text without a Frisian entry -------------------------------------------


class _MarkMissing(gettext_module.NullTranslations):
    """Stands in for the Dutch behind the Frisian catalogues: a text that has no Frisian entry
    (in locale/, locale_thirdparty/ or Django's own) comes out as ⟦its Dutch msgid⟧."""

    def gettext(self, message):
        return f"⟦{message}⟧"

    def ngettext(self, singular, plural, n):
        return f"⟦{singular if n == 1 else plural}⟧"


@pytest.fixture
def frisian_marked():
    frisian = trans_real.translation("fy")
    dutch, frisian._fallback = frisian._fallback, _MarkMissing()
    yield
    frisian._fallback = dutch


def _untranslated(content: bytes) -> list[str]:
    return sorted(set(re.findall(r"⟦[^⟧]*⟧", content.decode(errors="replace"))))


def _frisian_pages(world):
    """(label, role, path): every project page someone may open, as the first who may, and the
    account and two-step pages (anonymous and staff), and the error pages."""
    for url in PROJECT_URLS:
        if url.name not in MATRIX or url.name in NOT_HTML:
            continue
        role = next(
            (
                r
                for r in ("coordinator", "staff", "tablet", "volunteer", "anonymous")
                if MATRIX[url.name].expected("GET", r) == 200
            ),
            None,
        )
        if role is not None:
            yield url.name, role, world.path(url)
    for url in URLS:
        group = group_of(url)
        if group is not None and group.key in ("allauth-account", "allauth-mfa"):
            yield url.name, "anonymous", world.path(url)
            yield url.name, "staff", world.path(url)
    yield "404", "volunteer", "/bestaat-niet/"
    yield "404", "anonymous", "/locaties/bestaat-niet/"


def test_every_page_in_frysk_has_a_frisian_entry_for_every_text(world, frisian_marked):
    untranslated, seen = [], 0
    for label, role, path in _frisian_pages(world):
        client = world.client(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fy"
        with transaction.atomic():
            # A logged-in person's stored language wins over the cookie; the tablet has its own.
            User.objects.update(language="fy")
            Tablet.objects.update(language="fy")
            response = client.get(path)
            transaction.set_rollback(True)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # files, feeds, JSON; the .ics summaries are checked in test_frisian
        seen += 1
        untranslated += [
            f"{label} ({role}) {path}: {text}" for text in _untranslated(response.content)
        ]
    assert seen > 80, f"only {seen} pages were rendered"
    assert not untranslated, report("texts without a Frisian entry", untranslated)


# Lazy loads: list pages under fetch mode RAISE ----------------------------------------------------


def test_the_fetch_mode_guard_does_raise_on_a_lazy_load(volunteer):
    with fetch_mode_raise():
        membership = Membership.objects.get(user=volunteer)
        with pytest.raises(FieldFetchBlocked):
            membership.user  # noqa: B018 - the lazy load itself
        assert Membership.objects.select_related("user").get(user=volunteer).user == volunteer


def _busy_day(location, coordinator, tag, size):
    """More of everything the list pages show: people, tablets, visits, tallies, referrals."""
    for number in range(size):
        MembershipFactory(location=location, role=Role.VOLUNTEER, user__first_name=f"{tag}{number}")
    ended = MembershipFactory(location=location, role=Role.VOLUNTEER)
    team_services.end_membership(membership=ended, ended_by=coordinator)
    tablets = [
        visit_services.pair_tablet(
            location=location, name=f"Tablet {tag}{n}", paired_by=coordinator
        )[0]
        for n in range(size)
    ]
    visit_services.revoke_tablet(tablet=tablets[-1], revoked_by=coordinator)
    came_via = list(CameVia.objects.active())
    for number in range(size):
        facts = visit_services.VisitFacts(
            first_visit=FirstVisit.YES,
            age_band=AgeBand.SENIOR,
            came_via=came_via[number % len(came_via)],
        )
        visit, _ = visit_services.record_visit(
            location=location, client_id=uuid.uuid4(), facts=facts, tablet=tablets[0]
        )
        visit_services.record_visit(location=location, client_id=uuid.uuid4(), user=coordinator)
    visit_services.undo_visit(location=location, client_id=visit.client_id, user=coordinator)
    # One active tally per day-part: the first `size` days back from today that have none yet
    # (looked up one by one until there are enough, not all hundred).
    days = (timezone.localdate() - datetime.timedelta(days=number) for number in range(100))
    free = (day for day in days if not visit_services.active_tally(location, day, "afternoon"))
    tallies = [
        visit_services.record_tally(
            location=location,
            date=day,
            day_part=DayPart.AFTERNOON,
            visitors=2,
            first_visits=1,
            user=coordinator,
        )
        for day in itertools.islice(free, size)
    ]
    visit_services.void_tally(tally=tallies[-1], user=coordinator)
    visit_services.correct_tally(tally=tallies[0], visitors=4, first_visits=2, user=coordinator)
    targets = list(ReferralTarget.objects.active())
    for number in range(size):
        visit_services.record_referral(
            location=location, target=targets[number % len(targets)], user=coordinator
        )
    for area in AREAS:  # the areas' own rows: shifts, log entries, activities, ...
        if busy := getattr(area, "busy", None):
            busy(location, coordinator, tag, size)


LIST_PAGES = [
    "dashboard",
    "locations:list",
    "locations:detail",
    "locations:team",
    "visitors:tablets",
    "visitors:today",
    "visitors:tallies",
    "visitors:tablet",
    "audit-log",
]
for _area in AREAS:  # an area's list pages, and busy() to make their lists longer
    LIST_PAGES += getattr(_area, "LIST_PAGES", [])
LIST_CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name in LIST_PAGES
    if name in URL_BY_LABEL
    for role in ROLES
    if MATRIX[name].expected("GET", role) == 200
]


@pytest.mark.parametrize(("name", "role"), LIST_CASES)
def test_list_pages_load_nothing_lazily_and_their_queries_do_not_grow(
    world, dokkum, burgum, name, role
):
    """Under fetch mode RAISE, a lazily loaded related object fails the page. And the number
    of queries stays the same when every list on the page gets longer (this also catches a
    related manager queried per row, which the fetch mode does not see)."""
    url = URL_BY_LABEL[name]
    path = world.path(url)
    client = world.client(role)
    coordinators = {
        dokkum: world.personas["coordinator"],
        burgum: world.personas["other_coordinator"],
    }
    for location, coordinator in coordinators.items():
        _busy_day(location, coordinator, "a", 3)

    def count():
        with fetch_mode_raise(), CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, f"GET {path} as {role}: {response.status_code}"
        return len(queries), [q["sql"] for q in queries]

    count()  # first request: the tablet's "last seen" and the like are written once
    few, _ = count()
    for location, coordinator in coordinators.items():
        _busy_day(location, coordinator, "b", 6)
    many, sql = count()
    assert many == few, report(f"GET {path} as {role}: {few} queries, then {many}", sql)


def test_the_busy_day_is_on_the_pages(world, dokkum, burgum):
    """The lists above are not empty: the rows they must not load lazily are there."""
    _busy_day(dokkum, world.personas["coordinator"], "a", 3)
    assert Tablet.objects.filter(location=dokkum, revoked_at__isnull=False).exists()
    assert ManualTally.objects.filter(location=dokkum, voided_at__isnull=False).exists()
    page = world.client("coordinator").get(reverse("visitors:today", kwargs={"slug": "dokkum"}))
    assert page.status_code == 200
    assert page.text.count("<tr") > 6
