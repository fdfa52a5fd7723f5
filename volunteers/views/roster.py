"""Roster pages: my shifts, open places, taking and cancelling a place, the location's roster
grid (coordinators manage it, its volunteers read it), the A4 wall roster, shift templates.

Taking a place and cancelling are a person's own business: only members of the shift's location
(take) and the assignment's own volunteer (cancel) get these pages; anyone else gets 404.
Coordinators assign and unassign from a shift's page.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from buurtkamer.dates import clamp, day_long, monday_of
from buurtkamer.once import submitted_once
from buurtkamer.permissions import Action, can, is_member, location_required, member_locations
from locations.models import DayPart

from .. import services
from ..forms import (
    AssignForm,
    AttendanceForm,
    CancelForm,
    FillGapForm,
    GenerateForm,
    TemplatesForm,
)
from ..members import coordinators_of, current_members
from ..models import Assignment, Shift

WEEKS_SHOWN = 4


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _week_start(value: str | None) -> tuple[datetime.date, bool]:
    """The Monday of ?week=2026-W48 or ?week=2026-11-23 (this week when absent or wrong), and
    whether the week asked lay outside the dates the application accepts: then the Monday is
    that of the nearest week that does (the view redirects there)."""
    today = timezone.localdate()
    day = None
    if value:
        try:
            if "W" in value.upper():
                year, week = value.upper().split("-W")
                day = datetime.date.fromisocalendar(int(year), int(week), 1)
            else:
                day = datetime.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        return monday_of(today), False
    monday = monday_of(clamp(day))
    return monday, monday != monday_of(day)


def _to_week(request, monday):
    """Redirect to the same page for another week (an asked week out of range)."""
    return redirect(f"{request.path}?week={_iso_week(monday)}")


def _iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


# A volunteer's own pages --------------------------------------------------------------------------


@require_safe
@login_required
def my_shifts(request):
    from .. import feeds

    today = timezone.localdate()
    assignments = list(
        Assignment.objects.active()
        .filter(volunteer=request.user)
        .annotate(closed=Exists(Shift.objects.on_closed_days().filter(pk=OuterRef("shift"))))
        .select_related("shift__location")
        .order_by("shift__date", "shift__starts_at")
    )
    now = timezone.now()
    coming = [a for a in assignments if a.shift.end_datetime() > now]
    past = [a for a in assignments if a.shift.end_datetime() <= now]
    past = sorted(past, key=lambda a: (a.shift.date, a.shift.starts_at), reverse=True)[:20]
    for assignment in coming:
        assignment.late_if_now = services.would_be_late(assignment.shift, now)
    return TemplateResponse(
        request,
        "volunteers/roster/my_shifts.html",
        {
            "coming": coming,
            "past": past,
            "today": today,
            "late_hours": services.late_cancel_hours(),
            "my_feed": feeds.my_feed(request),
        },
    )


def _my_locations(user):
    return member_locations(user).filter(active=True).order_by("name")


@require_safe
@login_required
def open_places(request):
    today = timezone.localdate()
    locations = list(_my_locations(request.user))
    shifts = list(
        services.open_places(locations, *services.open_places_window(today), user=request.user)
    )
    return TemplateResponse(
        request,
        "volunteers/roster/open_places.html",
        {
            "shifts": shifts,
            "locations": locations,
            "weeks": services.OPEN_PLACES_WEEKS,
            "after_cancel": "afgemeld" in request.GET,
        },
    )


def _member_shift(user, pk) -> Shift:
    """The shift if the person is a current member of its location; 404 otherwise."""
    shift = get_object_or_404(Shift.objects.with_state().select_related("location"), pk=pk)
    if not is_member(user, shift.location_id):
        raise Http404
    return shift


@require_http_methods(["GET", "POST"])
@login_required
def take(request, pk):
    """GET: the confirmation page (the link in the open-place e-mail lands here); POST: take it."""
    shift = _member_shift(request.user, pk)
    if request.method == "POST":
        try:
            services.take_place(shift, request.user)
        except services.RosterError as error:
            messages.error(request, error.message)
            return redirect("volunteers:open-places")
        messages.success(
            request,
            _("Dank je wel! Je staat op het rooster: %(shift)s.") % {"shift": _shift_text(shift)},
        )
        return redirect("volunteers:my-shifts")
    mine = Assignment.objects.active().filter(shift=shift, volunteer=request.user).exists()
    busy = services.overlapping(request.user, shift).exists() and not mine
    return TemplateResponse(
        request,
        "volunteers/roster/take.html",
        {
            "shift": shift,
            "free": shift.places_left,
            "closure": shift.location.closure_on(shift.date) if shift.closed else None,
            "mine": mine,
            "busy": busy,
            "started": shift.has_started(),
        },
    )


def _shift_text(shift) -> str:
    return "{task}, {day}, {start}–{end}, {location}".format(
        task=capfirst(shift.get_task_display()),
        day=day_long(shift.date),
        start=shift.starts_at.strftime("%H:%M"),
        end=shift.ends_at.strftime("%H:%M"),
        location=shift.location.name,
    )


@require_http_methods(["GET", "POST"])
@login_required
def cancel(request, pk):
    """A volunteer cancels their own place: with an optional reason; late within N hours."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("shift__location"), pk=pk, volunteer=request.user
    )
    if assignment.cancelled_at is not None:  # e.g. the browser's back button after cancelling
        messages.info(request, _("Je bent al afgemeld voor deze dienst."))
        return redirect("volunteers:my-shifts")
    shift = assignment.shift
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_assignment(
                assignment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                base_url=_base_url(request),
            )
        except services.RosterError as error:
            messages.error(request, error.message)
            return redirect("volunteers:my-shifts")
        messages.success(
            request,
            _("Je bent afgemeld voor %(shift)s. We vragen de anderen of zij kunnen.")
            % {"shift": _shift_text(shift)},
        )
        return redirect(reverse("volunteers:open-places") + "?afgemeld=1")
    return TemplateResponse(
        request,
        "volunteers/roster/cancel.html",
        {
            "assignment": assignment,
            "shift": shift,
            "form": form,
            "late": services.would_be_late(shift),
            "late_from": services.late_from(shift),
            "late_hours": services.late_cancel_hours(),
        },
        status=400 if form.is_bound else 200,
    )


# The location's roster ----------------------------------------------------------------------------


@require_safe
@location_required(Action.VIEW_LOCATION)
def roster(request, location):
    start, moved = _week_start(request.GET.get("week"))
    if moved:
        return _to_week(request, start)
    weeks = services.roster_grid(location, start, WEEKS_SHOWN)
    may_manage = can(request.user, Action.MANAGE_LOCATION, location)
    return TemplateResponse(
        request,
        "volunteers/roster/grid.html",
        {
            **(_share(request, location) if may_manage else {}),
            "location": location,
            "weeks": weeks,
            "may_manage": may_manage,
            "today": timezone.localdate(),
            "this_week": _iso_week(start),
            "previous_week": _iso_week(start - datetime.timedelta(weeks=WEEKS_SHOWN)),
            "next_week": _iso_week(start + datetime.timedelta(weeks=WEEKS_SHOWN)),
            "generate_form": GenerateForm() if may_manage else None,
        },
    )


@require_safe
@location_required(Action.VIEW_LOCATION)
def roster_print(request, location):
    start, moved = _week_start(request.GET.get("week"))
    if moved:
        return _to_week(request, start)
    (week,) = services.roster_grid(location, start, 1)
    tasks = []
    for day in week.days:
        for slot in day.slots:
            for shift in slot.shifts:
                if shift.task not in tasks:
                    tasks.append(shift.task)
    tasks.sort(key=lambda task: services.TASK_ORDER.get(task, 9))
    rows = []
    for day in week.days:
        for number, slot in enumerate(day.slots or [None]):
            cells = []
            if slot is not None:
                for task in tasks:
                    cells.append([shift for shift in slot.shifts if shift.task == task])
            rows.append(
                {
                    "day": day,
                    "first": number == 0,
                    "span": max(len(day.slots), 1),
                    "slot": slot,
                    "cells": cells,
                }
            )
    from ..models import Task

    return TemplateResponse(
        request,
        "volunteers/roster/print.html",
        {
            "location": location,
            "week": week,
            "rows": rows,
            "tasks": [Task(task) for task in tasks],
            "previous_week": _iso_week(week.monday - datetime.timedelta(weeks=1)),
            "next_week": _iso_week(week.monday + datetime.timedelta(weeks=1)),
            "printed_at": timezone.localtime(),
            "coordinators": coordinators_of(location),
        },
    )


def _location_shift(location, pk) -> Shift:
    return get_object_or_404(
        Shift.objects.with_state().select_related("location"), pk=pk, location=location
    )


@require_safe
@location_required(Action.VIEW_LOCATION)
def shift_detail(request, location, pk):
    return _render_shift(request, location, _location_shift(location, pk))


def _render_shift(request, location, shift, *, assign_form=None, status=200):
    may_manage = can(request.user, Action.MANAGE_LOCATION, location)
    rows = Assignment.objects.filter(shift=shift).select_related("volunteer")
    if not may_manage:
        rows = rows.active()  # late cancellations: coordinators only
    rows = list(rows.order_by("cancelled_at", "created_at"))
    standing = [row for row in rows if row.is_active]
    if may_manage and assign_form is None:
        # Available and free at that time (one query with its subqueries).
        assign_form = AssignForm(members=services.assignable_for(shift))
    mine = next((row for row in standing if row.volunteer_id == request.user.pk), None)
    member = is_member(request.user, location)
    offer = not may_manage and member and not mine and not shift.has_started() and not shift.closed
    elsewhere = offer and services.overlapping(request.user, shift).exists()
    return TemplateResponse(
        request,
        "volunteers/roster/shift.html",
        {
            "location": location,
            "shift": shift,
            "standing": standing,
            "cancelled": [row for row in rows if not row.is_active],
            "free": shift.places_left,
            "closure": shift.location.closure_on(shift.date) if shift.closed else None,
            "may_manage": may_manage,
            "assign_form": assign_form if may_manage else None,
            "started": shift.has_started(),
            "mine": mine,
            "is_member": member,
            "elsewhere": elsewhere,
            "attendance_form": AttendanceForm(),
            "week": _iso_week(shift.date),
        },
        status=status,
    )


@require_POST
@location_required(Action.MANAGE_LOCATION)
def assign(request, location, pk):
    shift = _location_shift(location, pk)
    # Any current member passes the form; take_place says why someone cannot be assigned.
    form = AssignForm(request.POST, members=current_members(location))
    if not form.is_valid():
        form.fields["volunteer"].queryset = services.assignable_for(shift)
        return _render_shift(request, location, shift, assign_form=form, status=400)
    person = form.cleaned_data["volunteer"]
    try:
        services.take_place(shift, person, assigned_by=request.user)
    except services.RosterError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is ingedeeld.") % {"name": person.get_full_name() or person},
        )
    return redirect("volunteers:shift", slug=location.slug, pk=shift.pk)


# Filling a gap ------------------------------------------------------------------------------------


def _share(request, location) -> dict:
    """The open places of the coming two weeks to share (services.share_text), as text and as
    a WhatsApp link."""
    text = services.share_text(location, timezone.localdate(), base_url=_base_url(request))
    return {"share_text": text, "whatsapp_link": services.whatsapp_link(text)}


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def gap(request, location, pk):
    """A shift with room, and who fits it (services.suggestions_for), each with a button that
    assigns them (services.take_place: audited, e-mailed). Asked by htmx (request.htmx): only
    the panel, shown in place on the dashboard or the roster; otherwise the whole page, so it
    works without JavaScript. After a POST without htmx: back here (the message says how it
    went)."""
    shift = _location_shift(location, pk)
    status = 200
    if request.method == "POST":
        form = FillGapForm(request.POST, members=current_members(location))
        if form.is_valid():
            person = form.cleaned_data["volunteer"]
            here = reverse("volunteers:gap", kwargs={"slug": location.slug, "pk": shift.pk})
            name = person.get_full_name() or str(person)
            with submitted_once(request, form.submission_key_value) as claim:
                if claim.earlier is not None:
                    messages.info(
                        request, _("Dit was al opgeslagen. Er is niets dubbel opgeslagen.")
                    )
                else:
                    try:
                        services.take_place(shift, person, assigned_by=request.user)
                    except services.RosterError as error:
                        messages.error(request, error.message)
                    else:
                        claim.made(here, what=name)
                        messages.success(
                            request,
                            _("%(name)s is ingedeeld en krijgt een e-mail.") % {"name": name},
                        )
            if not request.htmx:
                return redirect(here)
            shift = _location_shift(location, pk)  # its new state
        else:
            messages.error(request, _("Kies wie je wilt indelen."))
            # htmx swaps only a 2xx answer: the panel with the message.
            status = 200 if request.htmx else 400
    return _render_gap(request, location, shift, status=status)


def _render_gap(request, location, shift, *, status=200):
    open_for_assigning = shift.places_left > 0 and not shift.has_started()
    suggestions = services.suggestions_for(shift) if open_for_assigning else []
    forms = [
        (suggestion, FillGapForm(members=None, initial={"volunteer": suggestion.person.pk}))
        for suggestion in suggestions
    ]
    context = {
        "location": location,
        "shift": shift,
        "suggestions": forms,
        "started": shift.has_started(),
        "week": _iso_week(shift.date),
        "month": shift.date,
        # Opened from the dashboard's gap list: its count beside the gap follows along.
        "update_badge": bool(request.htmx) and request.htmx.target == f"gat-{shift.pk}",
        **_share(request, location),
    }
    template = "volunteers/roster/_gap.html" if request.htmx else "volunteers/roster/gap.html"
    return TemplateResponse(request, template, context, status=status)


def _location_assignment(location, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("shift__location", "volunteer"),
        pk=pk,
        shift__location=location,
    )


@require_POST
@location_required(Action.MANAGE_LOCATION)
def unassign(request, location, pk):
    assignment = _location_assignment(location, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_assignment(
            assignment, by=request.user, reason=reason, base_url=_base_url(request)
        )
    except services.RosterError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is uitgeschreven. De plek is weer open.")
            % {"name": assignment.volunteer.get_full_name() or assignment.volunteer},
        )
    return redirect("volunteers:shift", slug=location.slug, pk=assignment.shift_id)


@require_POST
@location_required(Action.MANAGE_LOCATION)
def attendance(request, location, pk):
    assignment = _location_assignment(location, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies aanwezig of niet gekomen."))
    else:
        try:
            services.mark_attendance(assignment, form.cleaned_data["attendance"], by=request.user)
        except services.RosterError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("De aanwezigheid is opgeslagen."))
    return redirect("volunteers:shift", slug=location.slug, pk=assignment.shift_id)


# Shift templates and making shifts ----------------------------------------------------------------


def _template_slots(location, templates):
    """Open weekday × day-parts, plus those with templates (closed now: shown to be emptied)."""
    hours = {(row.weekday, row.day_part): row for row in location.opening_hours.all()}
    keys = set(hours) | {(t.weekday, t.day_part) for t in templates}
    order = {part: n for n, part in enumerate(DayPart)}
    return [
        (weekday, part, hours.get((weekday, part)))
        for weekday, part in sorted(keys, key=lambda key: (key[0], order[DayPart(key[1])]))
    ]


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def shift_templates(request, location):
    templates = list(location.shift_templates.all())
    slots = _template_slots(location, templates)
    form = TemplatesForm(
        request.POST if request.method == "POST" else None, slots=slots, templates=templates
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.save_templates(location, rows=form.templates(), changed_by=request.user)
            messages.success(request, _("De roostersjablonen zijn opgeslagen."))
            return redirect("volunteers:shift-templates", slug=location.slug)
        status = 400
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    return TemplateResponse(
        request,
        "volunteers/roster/templates.html",
        {
            "location": location,
            "form": form,
            "rows": list(form.bound_rows()),
            "tasks": list(TemplatesForm.TASKS),
            "generate_form": GenerateForm(),
        },
        status=status,
    )


@require_POST
@location_required(Action.MANAGE_LOCATION)
def generate(request, location):
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een aantal weken van 1 tot en met 26."))
        return redirect("volunteers:shift-templates", slug=location.slug)
    made = services.generate_shifts(
        location, start=timezone.localdate(), weeks=form.cleaned_data["weeks"]
    )
    if made:
        messages.success(request, _("%(count)s diensten aangemaakt.") % {"count": made})
    else:
        messages.info(request, _("Alle diensten bestonden al; er is niets bijgekomen."))
    return redirect("volunteers:roster", slug=location.slug)
