"""Profile pages: a volunteer's own data, and the volunteers of a location for its coordinators.

The volunteers list and a volunteer's page are for the location's coordinators and AanZet staff
(a volunteer gets 403, an outsider 404); phone numbers and notes appear nowhere else. What they
show and change of status, VOG, buddy and notes is this location's record of the membership
(volunteers.models.MemberRecord): another location's stays out of sight.
"""

import json
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from buurtkamer.dates import day_long
from buurtkamer.languages import language_of, remember_language
from buurtkamer.permissions import Action, location_required
from buurtkamer.versions import VersionConflict, newer_values, refuse_newer
from locations.models import Membership

from .. import profiles, services
from ..members import NOT_AVAILABLE
from ..models import Assignment, Attendance, Status, VolunteerProfile
from ..profile_forms import MyProfileForm, OnboardingForm, StatusForm, TrainingForm

# A volunteer's own pages ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def my_profile(request):
    user = request.user
    # Looking makes nothing; the first save makes the profile (as aspirant).
    profile = VolunteerProfile.objects.filter(user=user).first() or VolunteerProfile(user=user)
    newer = None
    if request.method == "POST":
        form = MyProfileForm(request.POST)
        if form.is_valid():
            try:
                form.save(user, profile if profile.pk else profiles.get_profile(user))
            except VersionConflict:
                user.refresh_from_db(fields=["first_name", "last_name", "language"])
                profile = profiles.get_profile(user)
                newer = form.newer_values(user, profile)
                if newer:
                    refuse_newer(form, profile.version)
            if not newer:
                translation.activate(language_of(user))  # the message in the chosen language
                messages.success(request, _("Je gegevens zijn opgeslagen."))
                # The cookie too: after logging out this device keeps the language.
                return remember_language(redirect("volunteers:my-profile"), language_of(user))
            status = 409
        else:
            status = 400
    else:
        form = MyProfileForm(
            initial=MyProfileForm.initial_for(user, profile), version=profile.version
        )
        status = 200
    trainings = list(profile.trainings.order_by("-followed_on")) if profile.pk else []
    memberships = [
        {"location": membership.location, "record": profiles.record_or_default(membership)}
        for membership in Membership.objects.current()
        .filter(user=user)
        .select_related("location", "volunteer_record", "volunteer_record__buddy")
        .order_by("location__name")
    ]
    return TemplateResponse(
        request,
        "volunteers/profiles/my_profile.html",
        {
            "form": form,
            "profile": profile,
            "memberships": memberships,
            "trainings": trainings,
            "newer": newer,
        },
        status=status,
    )


@require_safe
@login_required
def my_data(request):
    """Everything held about the person, as JSON (default) or CSV (?format=csv)."""
    wanted = request.GET.get("format", "json")
    if wanted not in ("json", "csv"):
        return HttpResponseBadRequest(_("Kies json of csv."), content_type="text/plain")
    data = profiles.export_data(request.user)
    profiles.log_export(request.user, wanted)
    day = timezone.localdate().isoformat()
    if wanted == "csv":
        response = HttpResponse(profiles.export_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="mijn-gegevens-{day}.{wanted}"'
    response["Cache-Control"] = "no-store"
    return response


# Coordinators: the volunteers of a location ---------------------------------------------------


@require_safe
@location_required(Action.MANAGE_LOCATION)
def volunteer_list(request, location):
    today = timezone.localdate()
    rows = []
    for membership in profiles.volunteers_of(location):
        record = profiles.record_or_default(membership)
        todos = {todo.kind for todo in profiles.todos_of(membership.user, record, location, today)}
        rows.append(
            {
                "person": membership.user,
                "profile": profiles.profile_or_default(membership.user),
                "record": record,
                "first_shift_on": membership.first_shift_on,
                "vog_missing": "vog_missing" in todos,
                "vog_outdated": "vog_outdated" in todos,
                "buddy_missing": "buddy" in todos,
            }
        )
    counts = Counter(row["record"].status for row in rows)
    wanted = request.GET.get("status", "")
    if wanted not in Status.values:
        wanted = ""
    shown = [row for row in rows if row["record"].status == wanted] if wanted else rows
    return TemplateResponse(
        request,
        "volunteers/profiles/list.html",
        {
            "location": location,
            "rows": shown,
            "total": len(rows),
            "status_filter": wanted,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        },
    )


def _membership_or_404(location, pk):
    membership = profiles.membership_of(location, pk)
    if membership is None:
        raise Http404
    return membership


def _shift_history(person, location, today) -> dict:
    """The person's shifts at this location: coming, past (newest first), cancelled."""
    assignments = list(
        Assignment.objects.filter(volunteer=person, shift__location=location)
        .select_related("shift")
        .order_by("shift__date", "shift__starts_at")
    )
    coming = [a for a in assignments if a.is_active and a.shift.date >= today]
    past = [a for a in reversed(assignments) if a.is_active and a.shift.date < today]
    cancelled = [a for a in reversed(assignments) if not a.is_active]
    return {
        "coming": coming,
        "past": past[:30],
        "past_count": len(past),
        "cancelled": cancelled,
        "late_count": sum(1 for a in cancelled if a.cancelled_late),
        "no_shows": [a for a in past if a.attendance == Attendance.NO_SHOW],
    }


def _detail_forms(location, person, record, today, forms) -> dict:
    """The forms of the page: the ones posted (with their errors) or fresh ones."""
    forms.setdefault(
        "status_form",
        StatusForm(initial={"status": record.status, "since": today}, earliest=record.status_since),
    )
    forms.setdefault(
        "onboarding_form",
        OnboardingForm(
            location=location,
            person=person,
            version=record.version,
            initial={
                "vog_received_on": record.vog_received_on,
                "buddy": record.buddy_id,
                "notes": record.notes,
            },
        ),
    )
    forms.setdefault("training_form", TrainingForm())
    return forms


def _detail_page(request, location, membership, *, status=200, **forms):
    today = timezone.localdate()
    person = membership.user
    record = profiles.record_or_default(membership)
    history = list(record.status_changes.select_related("changed_by")) if record.pk else []
    trainings = list(profiles.trainings_of(person))
    for training in trainings:  # as profiles.removable_trainings, without another query
        training.removable_here = training.location_id in (None, location.pk)
    todos = profiles.todos_of(person, record, location, today)
    # Paused or stopped but still on the roster here: listed, to be taken off.
    still_rostered = (
        list(services.coming_assignments(person, location))
        if record.status in NOT_AVAILABLE
        else []
    )
    return TemplateResponse(
        request,
        "volunteers/profiles/detail.html",
        {
            "location": location,
            "person": person,
            "profile": profiles.profile_or_default(person),
            "record": record,
            "history": history,
            "trainings": trainings,
            **_shift_history(person, location, today),
            "todos": todos,
            "vog_outdated": any(todo.kind == "vog_outdated" for todo in todos),
            "still_rostered": still_rostered,
            **_detail_forms(location, person, record, today, forms),
        },
        status=status,
    )


@require_safe
@location_required(Action.MANAGE_LOCATION)
def volunteer_detail(request, location, pk):
    return _detail_page(request, location, _membership_or_404(location, pk))


def _back(location, person, anchor=""):
    response = redirect("volunteers:detail", slug=location.slug, pk=person.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@location_required(Action.MANAGE_LOCATION)
def change_status(request, location, pk):
    membership = _membership_or_404(location, pk)
    person = membership.user
    record = profiles.record_or_default(membership)
    form = StatusForm(request.POST, earliest=record.status_since)
    if not form.is_valid():
        return _detail_page(request, location, membership, status=400, status_form=form)
    try:
        change = profiles.change_status(
            membership=membership,
            status=form.cleaned_data["status"],
            since=form.cleaned_data["since"],
            changed_by=request.user,
        )
    except profiles.ProfileError as error:  # the history moved on in between
        form.add_error("since", error.message)
        return _detail_page(request, location, membership, status=400, status_form=form)
    if change is None:
        messages.info(request, _("De status was al zo; er is niets veranderd."))
    else:
        messages.success(
            request,
            _("%(name)s is nu %(status)s vanaf %(since)s bij %(location)s.")
            % {
                "name": person,
                "status": change.get_status_display(),
                "since": day_long(change.since),
                "location": location.name,
            },
        )
        if change.status in NOT_AVAILABLE:
            coming = services.coming_assignments(person, location).count()
            if coming:
                messages.warning(
                    request,
                    ngettext(
                        "Let op: %(name)s staat nog op %(count)d komende dienst. Hieronder kun "
                        "je die uit het rooster halen.",
                        "Let op: %(name)s staat nog op %(count)d komende diensten. Hieronder kun "
                        "je die uit het rooster halen.",
                        coming,
                    )
                    % {"name": person, "count": coming},
                )
                return _back(location, person, "nog-ingeroosterd")
    return _back(location, person, "status")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def release(request, location, pk):
    """Take a paused or stopped member off their coming shifts here: one (`assignment`) or all,
    through services.release_from_roster (each cancellation audited, the person e-mailed)."""
    membership = _membership_or_404(location, pk)
    person = membership.user
    if profiles.record_or_default(membership).status not in NOT_AVAILABLE:
        messages.error(
            request,
            _("%(name)s is niet gepauzeerd of gestopt; haal diensten weg via het rooster.")
            % {"name": person},
        )
        return _back(location, person, "status")
    wanted = request.POST.get("assignment", "")
    ids = None
    if wanted:
        if not wanted.isdigit() or len(wanted) > 12:
            messages.error(request, _("Die dienst is niet gevonden."))
            return _back(location, person, "nog-ingeroosterd")
        ids = [int(wanted)]
    try:
        released = services.release_from_roster(
            person,
            location,
            by=request.user,
            assignment_ids=ids,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except services.RosterError as error:
        messages.error(request, error.message)
        return _back(location, person, "nog-ingeroosterd")
    if released:
        messages.success(
            request,
            ngettext(
                "%(name)s is uit %(count)d dienst gehaald. We vragen anderen of zij kunnen.",
                "%(name)s is uit %(count)d diensten gehaald. We vragen anderen of zij kunnen.",
                len(released),
            )
            % {"name": person, "count": len(released)},
        )
    else:
        messages.info(request, _("Er waren geen komende diensten meer om uit te halen."))
    return _back(location, person, "status")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def edit_onboarding(request, location, pk):
    membership = _membership_or_404(location, pk)
    person = membership.user
    form = OnboardingForm(request.POST, location=location, person=person)
    if not form.is_valid():
        return _detail_page(request, location, membership, status=400, onboarding_form=form)
    try:
        changed = profiles.save_details(
            membership=membership,
            vog_received_on=form.cleaned_data["vog_received_on"],
            buddy=form.cleaned_data["buddy"],
            notes=form.cleaned_data["notes"],
            changed_by=request.user,
            version=form.loaded_version,
        )
    except VersionConflict:
        fresh = profiles.record_or_default(membership)
        refuse_newer(form, fresh.version)
        return _detail_page(
            request,
            location,
            membership,
            status=409,
            onboarding_form=form,
            newer=newer_values(form, fresh),
        )
    if changed:
        messages.success(request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": person})
    else:
        messages.info(request, _("Er was niets veranderd."))
    return _back(location, person, "begeleiding")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def add_training(request, location, pk):
    membership = _membership_or_404(location, pk)
    form = TrainingForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, location, membership, status=400, training_form=form)
    profiles.add_training(
        person=membership.user, location=location, by=request.user, **form.cleaned_data
    )
    messages.success(request, _("De training is toegevoegd."))
    return _back(location, membership.user, "trainingen")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def remove_training(request, location, pk, training_pk):
    person = _membership_or_404(location, pk).user
    training = get_object_or_404(
        profiles.removable_trainings(person, location).select_related("profile__user"),
        pk=training_pk,
    )
    profiles.remove_training(training=training, location=location, by=request.user)
    messages.success(request, _("De training %(name)s is verwijderd.") % {"name": training.name})
    return _back(location, person, "trainingen")
