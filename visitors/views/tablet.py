"""The check-in screen at the door, and the endpoints its taps go to.

Who gets in: the tablet paired to this location (its cookie), or a coordinator or staff member
who is logged in. Everyone else goes to the login page (a tablet is not a person and never
logs in). The JSON endpoints carry no CSRF token, so that a tap queued while the device was
offline can never be refused for an expired token: they accept only JSON, only from this
site's own pages (Origin / Sec-Fetch-Site), and the tablet cookie is SameSite=Strict.
"""

import json
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.services import todays_occurrences
from buurtkamer.errors import DomainError
from buurtkamer.once import repeat_response, submitted_once
from buurtkamer.permissions import Action, can, get_location_for
from locations import services as location_services
from locations.forms import TabletLogEntryForm
from locations.models import Location
from volunteers.services import on_duty_today

from .. import services
from ..forms import CheckinForm, PairForm, RuledForm, UndoForm
from ..models import FIRST_VISIT_SUMMARY, AgeBand, CameVia, FirstVisit, Tablet


@dataclass
class Door:
    """Who is at the tablet page: the paired tablet, or a logged-in coordinator/staff."""

    location: Location
    tablet: Tablet | None = None
    user: object = None


class NotAllowed(Exception):
    """Who is at the door may not count here (`status`: 401, 403 or 404). Access, not a rule of
    the domain, so no DomainError: it only travels from open_door to this module's answers."""

    def __init__(self, code: str, status: int):
        super().__init__(code)
        self.code = code
        self.status = status


def open_door(request, slug) -> Door:
    """Resolve who may record visits at this location, or raise NotAllowed / 404 / 403."""
    tablet = services.tablet_of_request(request)
    if tablet is not None and tablet.location.slug == slug:
        if not tablet.is_paired:
            raise NotAllowed("revoked", 403)
        services.mark_seen(tablet)
        return Door(location=tablet.location, tablet=tablet)
    if request.user.is_authenticated:
        location = get_location_for(request.user, slug, Action.RECORD_VISITS)
        return Door(location=location, user=request.user)
    raise NotAllowed("not_paired", 401)


def open_door_for_json(request, slug) -> Door:
    """open_door, with "not yours" and "not here" as NotAllowed, so they answer in JSON."""
    try:
        return open_door(request, slug)
    except Http404 as error:
        raise NotAllowed("not_found", 404) from error
    except PermissionDenied as error:
        raise NotAllowed("forbidden", 403) from error


TABLET_MESSAGES = {
    "revoked": gettext_lazy(
        "Deze tablet is ontkoppeld en telt niet meer mee. Vraag een coördinator om "
        "hem opnieuw te koppelen."
    ),
    "not_paired": gettext_lazy(
        "Deze tablet is niet gekoppeld, of je bent niet meer ingelogd. Vraag een "
        "coördinator om hem te koppelen."
    ),
    "forbidden": gettext_lazy("Alleen een gekoppelde tablet of een coördinator kan hier tellen."),
    "not_found": gettext_lazy("Deze buurtkamer is niet gevonden."),
}


def _tablet_message(code):
    return str(TABLET_MESSAGES.get(code, _("Dit kan hier niet.")))


def refused_page(request, slug, error: NotAllowed):
    if error.code == "not_paired":
        return redirect_to_login(request.get_full_path())
    location = Location.objects.filter(slug=slug).first()
    may_pair = (
        location is not None
        and request.user.is_authenticated
        and can(request.user, Action.RECORD_VISITS, location)
    )
    return TemplateResponse(
        request,
        "visitors/tablet_revoked.html",
        {
            "message": _tablet_message(error.code),
            "pair_form": PairForm() if may_pair else None,
            "slug": slug,
        },
        status=error.status,
    )


def _today(location):
    return services.counts_on(location, timezone.localdate())


@never_cache
@require_GET
def tablet_page(request, slug):
    try:
        door = open_door(request, slug)
    except NotAllowed as error:
        return refused_page(request, slug, error)
    response = _tablet_screen(request, door)
    if door.tablet is not None:
        with_tablet_cookie(response, request.COOKIES[settings.TABLET_COOKIE_NAME])
    return response


def _tablet_screen(request, door: Door, *, pair_form=None, status=200):
    if pair_form is None and door.tablet is None:
        pair_form = PairForm()
    context = {
        "location": door.location,
        "tablet": door.tablet,
        "counts": _today(door.location),
        "recent": services.recent_taps(door.location, tablet=door.tablet),
        "form": CheckinForm.fresh(),
        "first_visit_choices": [
            (value, label, FIRST_VISIT_SUMMARY.get(value, ""))
            for value, label in FirstVisit.choices
        ],
        "age_bands": AgeBand.choices,
        "came_via_options": list(CameVia.objects.active()),
        "pair_form": pair_form,
        "now": timezone.localtime(),
        "undo_minutes": int(services.UNDO_WINDOW.total_seconds() // 60),
        "programme": todays_occurrences(door.location),
        "on_duty": on_duty_today(door.location),
        # Closed today (Koningsdag, the summer break): said on the screen, and still counted.
        "closure": door.location.closures.covering(timezone.localdate()).first(),
    }
    return TemplateResponse(request, "visitors/tablet.html", context, status=status)


def _record(door: Door, form) -> tuple:
    """Record the tap a CheckinForm (or its Reading) holds."""
    return services.record_visit(
        location=door.location,
        client_id=form.cleaned_data["client_id"],
        facts=CheckinForm.visit_facts(form.cleaned_data),
        tapped_at=form.cleaned_data.get("tapped_at"),
        device_sent_time=bool(form.data.get("tapped_at")),
        tablet=door.tablet,
        user=door.user,
        occurrence=form.cleaned_data.get("occurrence"),
    )


# Without JavaScript: plain forms, a redirect and a message -------------------------------


@require_POST
def checkin_form(request, slug):
    try:
        door = open_door(request, slug)
    except NotAllowed as error:
        return refused_page(request, slug, error)
    form = CheckinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dat ging niet goed. Tik nog een keer op de knop."))
        return redirect("visitors:tablet", slug=slug)
    try:
        _visit, created = _record(door, form)
    except services.VisitError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(request, _("Welkom! Bezoeker geteld."))
        else:
            messages.info(request, _("Deze tik was al geteld."))
    return redirect("visitors:tablet", slug=slug)


@require_POST
def undo_form(request, slug):
    try:
        door = open_door(request, slug)
    except NotAllowed as error:
        return refused_page(request, slug, error)
    form = UndoForm(request.POST)
    if form.is_valid():
        try:
            services.undo_visit(
                location=door.location,
                client_id=form.cleaned_data["client_id"],
                tablet=door.tablet,
                user=door.user,
            )
        except services.VisitError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Ongedaan gemaakt: deze bezoeker telt niet mee."))
    else:
        messages.error(request, _("Dat ging niet goed. Probeer het nog een keer."))
    return redirect("visitors:tablet", slug=slug)


# With JavaScript: JSON, retried from the browser's queue ---------------------------------


def _same_origin(request) -> bool:
    # request.META rather than request.headers: the latter parses every header of the request
    # into a dict of its own, on each tap, for these two.
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.META.get("HTTP_ORIGIN")
    return origin is None or origin == f"{request.scheme}://{request.get_host()}"


def _json_request(request):
    """(payload, error response): only same-origin JSON objects are read."""
    if not _same_origin(request):
        return None, JsonResponse(
            {"status": "forbidden", "message": _("Niet toegestaan.")}, status=403
        )
    if request.content_type != "application/json":
        return None, JsonResponse({"status": "invalid", "message": _("Verwacht JSON.")}, status=415)
    try:
        body = request.body  # refused above settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    except RequestDataTooBig:
        message = _("Dit verzoek is te groot en wordt niet verwerkt.")
        return None, JsonResponse(
            {"status": "too_large", "error": message, "message": message}, status=413
        )
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        payload = None
    if not isinstance(payload, dict):
        return None, JsonResponse(
            {"status": "invalid", "message": _("Onleesbaar verzoek.")}, status=400
        )
    return payload, None


def _refused_json(error: NotAllowed):
    return JsonResponse(
        {"status": error.code, "message": _tablet_message(error.code)}, status=error.status
    )


def _counts_payload(location):
    return {"date": timezone.localdate().isoformat(), **_today(location)}


def tablet_json_endpoint(form_class):
    """The shared frame of the JSON endpoints: same-origin JSON only, the door, the form's
    rules, and domain errors as 409; the handler gets (request, door, form) and answers the
    success. A RuledForm (the tap, the undo) reads the payload without a form instance
    (RuledForm.read: a tap must be cheap); a JSON null counts as left out either way."""

    def decorator(handle):
        @csrf_exempt
        @require_POST
        @wraps(handle)
        def view(request, slug):
            payload, problem = _json_request(request)
            if problem:
                return problem
            try:
                door = open_door_for_json(request, slug)
            except NotAllowed as error:
                return _refused_json(error)
            if issubclass(form_class, RuledForm):
                form = form_class.read(payload)
            else:
                form = form_class(
                    {key: value for key, value in payload.items() if value is not None}
                )
            if not form.is_valid():
                return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
            try:
                return handle(request, door, form)
            except DomainError as error:  # a visit's rule, or another area's (loneliness)
                return JsonResponse(
                    {"status": error.code, "message": str(error.message)}, status=409
                )

        return view

    return decorator


@tablet_json_endpoint(CheckinForm)
def checkin_api(request, door, form):
    """One tap; with today's counts unless the tap says `"counts": false`: tablet.js says so
    while its counts are less than a minute old, and adds the tap itself (its `recorded_on`
    and `day_part`), so that a busy moment does not count today's visits again for every tap."""
    visit, created = _record(door, form)
    answer = {
        "status": "ok",
        "created": created,
        "client_id": str(visit.client_id),
        "recorded_at": timezone.localtime(visit.recorded_at).isoformat(),
        "recorded_on": visit.recorded_on.isoformat(),
        "day_part": visit.day_part,
        "voided": visit.is_voided,
    }
    if form.data.get("counts") is not False:
        answer["today"] = _counts_payload(door.location)
    return JsonResponse(answer, status=201 if created else 200)


@tablet_json_endpoint(UndoForm)
def undo_api(request, door, form):
    services.undo_visit(
        location=door.location,
        client_id=form.cleaned_data["client_id"],
        tablet=door.tablet,
        user=door.user,
        undone_at=form.cleaned_data["undone_at"],
    )
    return JsonResponse({"status": "ok", "today": _counts_payload(door.location)})


# The logbook, written on the tablet ---------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def tablet_logbook(request, slug):
    """The paired tablet writes in its location's logbook itself, as the device: nobody logs in
    on the shared tablet for it. The writer may give a first name. Only with this location's
    tablet cookie: for anyone else the page does not exist (404); a revoked tablet is told so."""
    tablet = services.tablet_of_request(request)
    if tablet is None or tablet.location.slug != slug:
        raise Http404
    if not tablet.is_paired:
        return refused_page(request, slug, NotAllowed("revoked", 403))
    services.mark_seen(tablet)
    location = tablet.location
    if request.method == "POST":
        form = TabletLogEntryForm(request.POST)
        if form.is_valid():
            counting_screen = reverse("visitors:tablet", kwargs={"slug": slug})
            with submitted_once(request, form.submission_key_value) as claim:
                if claim.earlier:  # a second tap on "opslaan": written once
                    return repeat_response(request, claim.earlier, counting_screen)
                entry = location_services.write_log_entry(
                    location=location, author=None, tablet=tablet, **form.typed()
                )
                claim.made(counting_screen, entry.pk)
            messages.success(request, _("Je bericht staat in het logboek. Dank je wel!"))
            return redirect(counting_screen)
        status = 400
    else:
        now = timezone.localtime()
        form = TabletLogEntryForm(
            initial={"date": now.date(), "day_part": location.day_part_at(now).value}
        )
        status = 200
    return TemplateResponse(
        request,
        "visitors/tablet_logbook.html",
        {"location": location, "tablet": tablet, "form": form, "now": timezone.localtime()},
        status=status,
    )


# Pairing -----------------------------------------------------------------------------------


@require_POST
def pair(request, slug):
    """A coordinator turns this browser into the location's tablet, and is logged out of it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    location = get_location_for(request.user, slug, Action.RECORD_VISITS)
    form = PairForm(request.POST)
    if not form.is_valid():
        door = Door(location=location, user=request.user)
        return _tablet_screen(request, door, pair_form=form, status=400)
    tablet, token = services.pair_tablet(
        location=location,
        name=form.cleaned_data["name"],
        paired_by=request.user,
        language=form.cleaned_data["language"],
    )
    logout(request)  # the shared tablet must not keep the coordinator's login
    with translation.override(tablet.language):  # said on the tablet, in its language
        messages.success(
            request,
            _("%(name)s is gekoppeld aan %(location)s. Je bent op dit apparaat uitgelogd.")
            % {"name": tablet.name, "location": location},
        )
    return with_tablet_cookie(redirect("visitors:tablet", slug=slug), token)


def with_tablet_cookie(response, token):
    """The device's credential. Browsers cap a cookie's life (Chromium: 400 days), so the
    tablet page sets it again on every visit: a tablet in use stays paired."""
    response.set_cookie(
        settings.TABLET_COOKIE_NAME,
        token,
        max_age=settings.TABLET_COOKIE_MAX_AGE,
        secure=settings.TABLET_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
        path="/",
    )
    return response


# Offline: the service worker ---------------------------------------------------------------


@require_GET
def service_worker(request):
    """Served from /tablet/ so that it may control every tablet page."""
    body = render_to_string(
        "visitors/sw.js",
        {
            "assets": [
                # What templates/visitors/tablet_base.html and base.html load.
                static("bootstrap/css/bootstrap-reboot.min.css"),
                static("css/tablet-base.css"),
                static("css/buurtkamer.css"),
                static("css/print.css"),
                static("css/tablet.css"),
                static("css/tablet-loneliness.css"),
                static("js/once.js"),
                static("js/client-id.js"),
                static("js/tablet.js"),
                static("js/tablet-loneliness.js"),  # sends queued questionnaires, also offline
                static("img/favicon.svg"),
            ],
            "static_url": settings.STATIC_URL,  # old static files leave the cache
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/tablet/"
    response["Cache-Control"] = "no-cache"
    return response
