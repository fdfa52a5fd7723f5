"""Activity pages: the calendar, activities and their dates, rooms, categories, partners, and
the public programme (no login) with its poster and .ics feed. Views are thin: the rules are in
activities/services.py."""

import datetime

import qrcode
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from qrcode.image.svg import SvgPathImage

from buurtkamer.dates import clamp, day_long, in_range, monday_of, parse_date
from buurtkamer.languages import URL_PARAMETER, in_url_language, language_links
from buurtkamer.once import repeat_response, submitted_once
from buurtkamer.permissions import (
    Action,
    can,
    location_required,
    locations_for,
    manages_some_location_required,
    staff_required,
)
from buurtkamer.versions import VersionConflict, newer_values, refuse_newer
from locations.forms import LocationSearchForm
from locations.models import Location

from . import catalogue, services
from .forms import (
    ActivityForm,
    AttendanceForm,
    CancelForm,
    CategoryForm,
    NewActivityForm,
    OccurrenceForm,
    PartnerForm,
    RoomForm,
)
from .ics import programme_calendar
from .models import Activity, Category, Occurrence, Partner, Room

# The calendar ----------------------------------------------------------------------------------


def _chosen_day(request) -> datetime.date:
    """?datum=: today when absent or not a date; out of range: the nearest date in range."""
    return clamp(parse_date(request.GET.get("datum")) or timezone.localdate())


def _out_of_range_redirect(request):
    """A ?datum= outside the accepted dates: the same page for the nearest date that is not."""
    asked = parse_date(request.GET.get("datum"))
    if asked is None or in_range(asked):
        return None
    params = request.GET.copy()
    params["datum"] = clamp(asked).isoformat()
    return redirect(f"{request.path}?{params.urlencode()}")


def _calendar_context(request, locations):
    day = _chosen_day(request)
    month_view = request.GET.get("weergave") == "maand"
    if month_view:
        first = day.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        start = monday_of(first)
        end = monday_of(last) + datetime.timedelta(days=6)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
        days = services.days_with_occurrences(locations, start, end, in_month=first.month)
    else:
        start = monday_of(day)
        end = start + datetime.timedelta(days=6)
        previous = start - datetime.timedelta(days=7)
        following = start + datetime.timedelta(days=7)
        days = services.days_with_occurrences(locations, start, end)
    weeks = [days[index : index + 7] for index in range(0, len(days), 7)]
    problems = sum(
        1
        for d in days
        for occurrence in d.occurrences
        if not occurrence.is_cancelled and (occurrence.conflicts or occurrence.outside_hours)
    )
    return {
        "month_view": month_view,
        "start": start,
        "end": end,
        "month": day.replace(day=1),
        "days": days,
        "weeks": weeks,
        "previous": previous,
        "following": following,
        "today": timezone.localdate(),
        "problems": problems,
        "several_locations": len(locations) > 1,
    }


@require_safe
@location_required(Action.VIEW_LOCATION)
def calendar(request, location):
    if moved := _out_of_range_redirect(request):
        return moved
    context = _calendar_context(request, [location])
    context |= {
        "location": location,
        "may_manage": can(request.user, Action.MANAGE_LOCATION, location),
    }
    return render(request, "activities/calendar.html", context)


@require_safe
@staff_required
def calendar_all(request):
    if moved := _out_of_range_redirect(request):
        return moved
    locations = list(Location.objects.active().order_by("name"))
    context = _calendar_context(request, locations)
    context |= {"location": None, "may_manage": False}
    return render(request, "activities/calendar.html", context)


# Activities -----------------------------------------------------------------------------------


@require_safe
@location_required(Action.VIEW_LOCATION)
def activity_list(request, location):
    activities = (
        Activity.objects.filter(location=location)
        .select_related("category", "room", "location")
        .order_by("starts_at", "title")
    )
    return render(
        request,
        "activities/activity_list.html",
        {
            "location": location,
            "activities": activities,
            "may_manage": can(request.user, Action.MANAGE_LOCATION, location),
        },
    )


def _activity_of(location, pk):
    return get_object_or_404(
        Activity.objects.select_related("category", "room", "location"), pk=pk, location=location
    )


@require_safe
@location_required(Action.VIEW_LOCATION)
def activity_detail(request, location, pk):
    activity = _activity_of(location, pk)
    today = timezone.localdate()
    occurrences = list(
        activity.occurrences.filter(date__gte=today)
        .select_related("room", "activity", "activity__location")
        .order_by("date")[:12]
    )
    conflicts = services.room_conflicts(occurrences)
    slots = services.opening_slots([location.pk])
    for occurrence in occurrences:
        occurrence.conflicts = conflicts.get(occurrence.pk, [])
        occurrence.outside_hours = services.outside_opening_hours(occurrence, location.pk, slots)
    may_manage = can(request.user, Action.MANAGE_LOCATION, location)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "location": location,
            "activity": activity,
            "occurrences": occurrences,
            "partners": activity.partners.all(),
            # Organisers' names are for the team only, never on the public programme.
            "organisers": activity.organisers.order_by("first_name"),
            "may_manage": may_manage,
        },
    )


def _activity_form_page(request, location, form, activity=None, status=200, newer=None):
    return TemplateResponse(
        request,
        "activities/activity_form.html",
        {"location": location, "form": form, "activity": activity, "newer": newer},
        status=status,
    )


def _some_dates(days) -> str:
    """ "maandag 2 maart, maandag 9 maart en maandag 16 maart" or "…, maandag 16 maart en nog 9
    keer"."""
    shown = [day_long(day) for day in days[:3]]
    if len(days) > 3:
        return _("%(dates)s en nog %(count)s keer") % {
            "dates": ", ".join(shown),
            "count": len(days) - 3,
        }
    if len(shown) == 1:
        return shown[0]
    return _("%(dates)s en %(last)s") % {"dates": ", ".join(shown[:-1]), "last": shown[-1]}


def _after_saving(request, activity):
    """Plan the dates, then warn (once per kind) about room conflicts and opening hours."""
    result = services.generate_occurrences(activity)
    clashes, outside = {}, []
    for occurrence in services.conflicts_of_activity(activity):
        for other in occurrence.conflicts:
            clashes.setdefault((str(occurrence.room), other.activity.title), []).append(
                occurrence.date
            )
        if occurrence.outside_hours:
            outside.append(occurrence.date)
    for (room, other), days in clashes.items():
        messages.warning(
            request,
            _("Let op: %(room)s is ook bezet door %(other)s op %(dates)s.")
            % {"room": room, "other": other, "dates": _some_dates(sorted(set(days)))},
        )
    if outside:
        messages.warning(
            request,
            _("Let op: %(title)s valt buiten de openingstijden op %(dates)s.")
            % {"title": activity.title, "dates": _some_dates(outside)},
        )
    if result.kept_shifts:
        messages.warning(
            request,
            _(
                "Er staan al vrijwilligers op de begeleidingsdienst van %(count)s datum(s) die "
                "niet meer doorgaan. Die diensten zijn blijven staan: laat het de vrijwilligers "
                "weten."
            )
            % {"count": len(result.kept_shifts)},
        )


@location_required(Action.MANAGE_LOCATION)
def activity_new(request, location):
    if request.method != "POST":
        initial = {"starts_on": timezone.localdate(), "recurrence": "weekly"}
        return _activity_form_page(
            request, location, NewActivityForm(location=location, initial=initial)
        )
    form = NewActivityForm(request.POST, location=location)
    if not form.is_valid():
        return _activity_form_page(request, location, form, status=400)
    with submitted_once(request, form.submission_key_value) as claim:
        if claim.earlier:
            listing = reverse("activities:activity-list", kwargs={"slug": location.slug})
            return repeat_response(request, claim.earlier, listing)
        activity = services.create_activity(form, user=request.user)
        claim.made(activity.get_absolute_url(), activity.title)
    messages.success(request, _("De activiteit is opgeslagen en staat in de agenda."))
    _after_saving(request, activity)
    return redirect(activity.get_absolute_url())


@location_required(Action.MANAGE_LOCATION)
def activity_edit(request, location, pk):
    activity = _activity_of(location, pk)
    if request.method != "POST":
        return _activity_form_page(
            request, location, ActivityForm(instance=activity, location=location), activity
        )
    form = ActivityForm(request.POST, instance=activity, location=location)
    if not form.is_valid():
        return _activity_form_page(request, location, form, activity, status=400)
    try:
        activity = services.change_activity(form, user=request.user)
    except VersionConflict:
        fresh = _activity_of(location, pk)
        newer = newer_values(form, fresh)
        if not newer:  # the same values again (a double click): nothing to refuse
            return redirect(fresh.get_absolute_url())
        refuse_newer(form, fresh.version)
        return _activity_form_page(request, location, form, fresh, status=409, newer=newer)
    messages.success(
        request,
        _(
            "Opgeslagen. De komende keren zijn aangepast, behalve de keren die met de hand "
            "zijn veranderd."
        ),
    )
    _after_saving(request, activity)
    return redirect(activity.get_absolute_url())


# One occurrence -------------------------------------------------------------------------------


def _occurrence_of(location, pk):
    return get_object_or_404(
        Occurrence.objects.select_related(
            "activity", "activity__location", "activity__category", "room", "support_shift"
        ),
        pk=pk,
        activity__location=location,
    )


def _occurrence_page(request, location, occurrence, *, forms=None, status=200):
    forms = forms or {}
    may_manage = can(request.user, Action.MANAGE_LOCATION, location)
    conflicts = services.room_conflicts([occurrence]).get(occurrence.pk, [])
    slots = services.opening_slots([location.pk])
    checkins = occurrence.visits.counted().count()  # Visit.occurrence, related_name
    return TemplateResponse(
        request,
        "activities/occurrence.html",
        {
            "location": location,
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "conflicts": conflicts,
            "outside_hours": services.outside_opening_hours(occurrence, location.pk, slots),
            "checkins": checkins,
            "today": timezone.localdate(),
            "may_count": occurrence.participants_can_be_counted(),
            "may_manage": may_manage,
            "cancel_form": forms.get("cancel") or CancelForm(),
            "edit_form": forms.get("edit")
            or OccurrenceForm(instance=occurrence, location=location),
            "attendance_form": forms.get("attendance")
            or AttendanceForm(
                initial={
                    "attendance": occurrence.attendance
                    if occurrence.attendance is not None
                    else (checkins or None),
                    "notes": occurrence.notes,
                }
            ),
        },
        status=status,
    )


@require_safe
@location_required(Action.VIEW_LOCATION)
def occurrence_detail(request, location, pk):
    return _occurrence_page(request, location, _occurrence_of(location, pk))


@require_POST
@location_required(Action.MANAGE_LOCATION)
def occurrence_cancel(request, location, pk):
    occurrence = _occurrence_of(location, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _occurrence_page(request, location, occurrence, forms={"cancel": form}, status=400)
    shift_gone = services.cancel_occurrence(
        occurrence, reason=form.cleaned_data["reason"], user=request.user
    )
    messages.success(request, _("Deze keer gaat niet door. De rest van de reeks blijft staan."))
    if not shift_gone:
        messages.warning(
            request,
            _(
                "Er staan vrijwilligers op de begeleidingsdienst. Die dienst is blijven staan: "
                "laat het ze weten en meld ze af in het rooster."
            ),
        )
    return redirect(occurrence.get_absolute_url())


@require_POST
@location_required(Action.MANAGE_LOCATION)
def occurrence_restore(request, location, pk):
    occurrence = _occurrence_of(location, pk)
    try:
        services.restore_occurrence(occurrence, user=request.user)
    except services.OccurrenceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deze keer gaat toch door."))
    return redirect(occurrence.get_absolute_url())


@location_required(Action.MANAGE_LOCATION)
def occurrence_edit(request, location, pk):
    occurrence = _occurrence_of(location, pk)
    if request.method != "POST":
        return _occurrence_page(request, location, occurrence)
    form = OccurrenceForm(
        request.POST, instance=Occurrence.objects.get(pk=occurrence.pk), location=location
    )
    if not form.is_valid():
        return _occurrence_page(request, location, occurrence, forms={"edit": form}, status=400)
    changed = services.change_occurrence(
        occurrence, user=request.user, **{name: form.cleaned_data[name] for name in form.fields}
    )
    if changed:
        messages.success(
            request,
            _(
                "Deze keer is aangepast. Als je later de hele activiteit verandert, blijft "
                "deze keer zoals hij nu is."
            ),
        )
    else:
        messages.info(
            request, _("Er was niets veranderd; deze keer gaat gewoon mee met de activiteit.")
        )
    return redirect(occurrence.get_absolute_url())


@require_POST
@location_required(Action.MANAGE_LOCATION)
def occurrence_attendance(request, location, pk):
    occurrence = _occurrence_of(location, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _occurrence_page(
            request, location, occurrence, forms={"attendance": form}, status=400
        )
    try:
        services.record_attendance(
            occurrence,
            attendance=form.cleaned_data["attendance"],
            notes=form.cleaned_data["notes"],
            user=request.user,
        )
    except services.OccurrenceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Het aantal deelnemers is opgeslagen."))
    return redirect(occurrence.get_absolute_url())


# Rooms (per location) -------------------------------------------------------------------------


@location_required(Action.MANAGE_LOCATION)
def rooms(request, location):
    form = RoomForm(request.POST or None, location=location)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            room = catalogue.save_room(form, user=request.user)
            messages.success(request, _("Ruimte %(name)s is toegevoegd.") % {"name": room.name})
            return redirect("activities:rooms", slug=location.slug)
        status = 400
    return TemplateResponse(
        request,
        "activities/rooms.html",
        {"location": location, "rooms": Room.objects.filter(location=location), "form": form},
        status=status,
    )


@location_required(Action.MANAGE_LOCATION)
def room_edit(request, location, pk):
    room = get_object_or_404(Room, pk=pk, location=location)
    form = RoomForm(request.POST or None, instance=room, location=location)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            catalogue.save_room(form, user=request.user)
            messages.success(request, _("De ruimte is opgeslagen."))
            return redirect("activities:rooms", slug=location.slug)
        status = 400
    return TemplateResponse(
        request,
        "activities/simple_form.html",
        {
            "location": location,
            "form": form,
            "title": _("Ruimte bewerken"),
            "back": reverse("activities:rooms", kwargs={"slug": location.slug}),
        },
        status=status,
    )


# Categories and partners (shared by the locations) --------------------------------------------


@manages_some_location_required
def categories(request):
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            category = catalogue.save_category(form, user=request.user)
            messages.success(request, _("Soort %(name)s is toegevoegd.") % {"name": category.name})
            return redirect("activities:categories")
        status = 400
    listing = Category.objects.annotate(used=Count("activities"))
    return TemplateResponse(
        request, "activities/categories.html", {"categories": listing, "form": form}, status=status
    )


@manages_some_location_required
def category_edit(request, category_id):
    category = get_object_or_404(Category, pk=category_id)
    form = CategoryForm(request.POST or None, instance=category)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            catalogue.save_category(form, user=request.user)
            messages.success(request, _("De soort is opgeslagen."))
            return redirect("activities:categories")
        status = 400
    return TemplateResponse(
        request,
        "activities/simple_form.html",
        {
            "form": form,
            "title": _("Soort activiteit bewerken"),
            "back": reverse("activities:categories"),
        },
        status=status,
    )


def _partner_scope(request):
    """(partners this person may see and edit, the locations they may link them to)."""
    locations = locations_for(request.user, Action.MANAGE_LOCATION)
    if not can(request.user, Action.VIEW_ALL_LOCATIONS):
        return Partner.objects.for_locations(locations), locations
    return Partner.objects.all(), locations


@require_safe
@manages_some_location_required
def partners(request):
    partner_qs, _locations = _partner_scope(request)
    listing = partner_qs.prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("name"))
    ).order_by("name")
    return render(request, "activities/partners.html", {"partners": listing})


@manages_some_location_required
def partner_new(request):
    _partners, locations = _partner_scope(request)
    form = PartnerForm(request.POST or None, locations=locations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            partner = catalogue.save_partner(form, user=request.user)
            messages.success(request, _("Partner %(name)s is toegevoegd.") % {"name": partner.name})
            return redirect("activities:partners")
        status = 400
    return TemplateResponse(
        request,
        "activities/simple_form.html",
        {"form": form, "title": _("Nieuwe partner"), "back": reverse("activities:partners")},
        status=status,
    )


@manages_some_location_required
def partner_edit(request, partner_id):
    partner_qs, locations = _partner_scope(request)
    partner = get_object_or_404(partner_qs, pk=partner_id)
    form = PartnerForm(request.POST or None, instance=partner, locations=locations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            catalogue.save_partner(form, user=request.user)
            messages.success(request, _("De partner is opgeslagen."))
            return redirect("activities:partners")
        status = 400
    return TemplateResponse(
        request,
        "activities/simple_form.html",
        {"form": form, "title": partner.name, "back": reverse("activities:partners")},
        status=status,
    )


# The public programme (no login, no personal data) --------------------------------------------

PUBLIC_CACHE = {"public": True, "max_age": 300}
GROUPED_FROM = 12  # the programme index lists more locations than this per municipality


def _public_location(slug):
    return get_object_or_404(Location.objects.active().prefetch_related("opening_hours"), slug=slug)


def _programme_context(location, weeks, start=None):
    start = start or monday_of(timezone.localdate())
    end = start + datetime.timedelta(days=7 * weeks - 1)
    days = services.days_with_occurrences([location], start, end, with_partners=True)
    return {
        "location": location,
        "house_rules": location.house_rules,
        "opening_hours": location.opening_hours.all(),
        "weeks": [
            {
                "days": days[index : index + 7],
                "busy": any(d.occurrences or d.closures for d in days[index : index + 7]),
            }
            for index in range(0, len(days), 7)
        ],
        "start": start,
        "end": end,
        "today": timezone.localdate(),
    }


def _public(response):
    patch_cache_control(response, **PUBLIC_CACHE)
    return response


def _with_switch(request, context):
    """What every public page needs for its language: the switch, and the language of its
    links (so that the poster, the .ics and the way back stay in it)."""
    return context | {
        "language_links": language_links(request),
        "url_language": request.url_language,
    }


def _qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (no image request, nothing for the CSP to refuse)."""
    image = qrcode.make(url, image_factory=SvgPathImage, border=1)
    return image.to_string(encoding="unicode")


@require_safe
@in_url_language
def programme_index(request):
    """The active locations, to choose one's programme. More than GROUPED_FROM: a search (by
    name, town or municipality) and the list per municipality; in one query however many."""
    search = LocationSearchForm(request.GET)
    text, _problem = search.text_and_problem()  # a too long search shows them all
    locations = list(Location.objects.active().search(text).order_by("name"))
    grouped = len(locations) > GROUPED_FROM
    if grouped:
        locations.sort(key=lambda location: (location.municipality, location.name))
    context = _with_switch(
        request, {"locations": locations, "grouped": grouped, "search": search, "text": text}
    )
    return _public(render(request, "activities/programme_index.html", context))


@require_safe
@in_url_language
def programme(request, slug):
    location = _public_location(slug)
    context = _with_switch(request, _programme_context(location, weeks=2))
    return _public(render(request, "activities/programme.html", context))


@require_safe
@in_url_language
def poster(request, slug):
    location = _public_location(slug)
    monday, refused = services.poster_week(request.GET.get("week"))
    context = _with_switch(request, _programme_context(location, weeks=1, start=monday))
    week = context["weeks"][0]["days"]
    this_monday = monday_of(context["today"])
    # The printed code leads to the programme in the poster's language.
    programme_url = request.build_absolute_uri(
        reverse("activities:programme", kwargs={"slug": location.slug})
        + "?"
        + urlencode({URL_PARAMETER: request.url_language})
    )
    context.update(
        week=week,
        refused=refused,
        choices=[
            (
                key,
                this_monday + datetime.timedelta(weeks=offset),
                this_monday + datetime.timedelta(weeks=offset, days=6),
            )
            for key, offset in services.POSTER_WEEKS.items()
        ],
        density=services.poster_density(week),
        programme_url=programme_url,
        qr_code=_qr_svg(programme_url),
    )
    return _public(render(request, "activities/poster.html", context))


@require_safe
@in_url_language
def programme_ics(request, slug):
    """The programme of the coming eight weeks as a calendar feed, in the language of its URL
    (`?taal=fy`; without it the reader's own)."""
    location = _public_location(slug)
    start = monday_of(timezone.localdate())
    occurrences = (
        Occurrence.objects.filter(activity__location=location)
        .filter(Q(date__gte=start), Q(date__lte=start + datetime.timedelta(weeks=8)))
        .select_related("activity", "activity__category", "room")
        .order_by("date", "starts_at")
    )
    body = programme_calendar(location, occurrences, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="programma-{location.slug}.ics"'
    return _public(response)
