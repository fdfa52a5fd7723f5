"""Profile pages: a volunteer's own data, and the volunteers of a location for its coordinators.

The volunteers list and a volunteer's page are for the location's coordinators and AanZet staff
(a volunteer gets 403, an outsider 404); phone numbers and notes appear nowhere else.
"""

import json
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from buurtkamer.permissions import Action, location_required
from buurtkamer.versions import VersionConflict, refuse_newer

from .. import profiles
from ..models import Assignment, Attendance, Status, Training, VolunteerProfile
from ..profile_forms import MyProfileForm, OnboardingForm, StatusForm, TrainingForm

# A volunteer's own pages ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def my_profile(request):
    user = request.user
    # Looking makes nothing; the first save makes the profile (as aspirant).
    profile = VolunteerProfile.objects.filter(user=user).select_related(
        "buddy"
    ).first() or VolunteerProfile(user=user)
    newer = None
    if request.method == "POST":
        form = MyProfileForm(request.POST)
        if form.is_valid():
            try:
                form.save(user, profile if profile.pk else profiles.get_profile(user))
            except VersionConflict:
                user.refresh_from_db(fields=["first_name", "last_name"])
                profile = profiles.get_profile(user)
                newer = form.newer_values(user, profile)
                if newer:
                    refuse_newer(request, form, profile.version)
            if not newer:
                messages.success(request, _("Je gegevens zijn opgeslagen."))
                return redirect("volunteers:my-profile")
            status = 409
        else:
            status = 400
    else:
        form = MyProfileForm(
            initial=MyProfileForm.initial_for(user, profile), version=profile.version
        )
        status = 200
    trainings = list(profile.trainings.order_by("-followed_on")) if profile.pk else []
    return TemplateResponse(
        request,
        "volunteers/profiles/my_profile.html",
        {
            "form": form,
            "profile": profile,
            "buddy": profile.buddy,
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
    day = timezone.localdate().isoformat()
    if wanted == "csv":
        response = HttpResponse(
            "\ufeff" + profiles.export_csv(data), content_type="text/csv; charset=utf-8"
        )
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
    people = list(profiles.volunteers_of(location))
    rows = []
    for person in people:
        profile = profiles.profile_or_default(person)
        rows.append(
            {
                "person": person,
                "profile": profile,
                "vog_missing": profile.vog_received_on is None
                and profile.status in (Status.ACTIVE, Status.INTAKE),
                "vog_outdated": profiles.vog_outdated(profile.vog_received_on, today),
            }
        )
    counts = Counter(row["profile"].status for row in rows)
    wanted = request.GET.get("status", "")
    if wanted not in Status.values:
        wanted = ""
    shown = [row for row in rows if row["profile"].status == wanted] if wanted else rows
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


def _person_or_404(location, pk):
    person = profiles.member_of(location, pk)
    if person is None:
        raise Http404
    return person


def _detail_page(request, location, person, *, status=200, **forms):
    today = timezone.localdate()
    profile = profiles.profile_or_default(person)
    assignments = list(
        Assignment.objects.filter(volunteer=person, shift__location=location)
        .select_related("shift")
        .order_by("shift__date", "shift__starts_at")
    )
    coming = [a for a in assignments if a.is_active and a.shift.date >= today]
    past = [a for a in assignments if a.is_active and a.shift.date < today]
    past.reverse()
    cancelled = [a for a in assignments if not a.is_active]
    cancelled.reverse()
    no_shows = [a for a in past if a.attendance == Attendance.NO_SHOW]
    if profile.pk:
        history = list(profile.status_changes.select_related("changed_by"))
        trainings = list(profile.trainings.all())
    else:
        history, trainings = [], []
    forms.setdefault("status_form", StatusForm(initial={"status": profile.status, "since": today}))
    forms.setdefault(
        "onboarding_form",
        OnboardingForm(
            location=location,
            person=person,
            initial={
                "vog_received_on": profile.vog_received_on,
                "buddy": profile.buddy_id,
                "notes": profile.notes,
            },
        ),
    )
    forms.setdefault("training_form", TrainingForm())
    return TemplateResponse(
        request,
        "volunteers/profiles/detail.html",
        {
            "location": location,
            "person": person,
            "profile": profile,
            "history": history,
            "trainings": trainings,
            "coming": coming,
            "past": past[:30],
            "past_count": len(past),
            "cancelled": cancelled,
            "late_count": sum(1 for a in cancelled if a.cancelled_late),
            "no_shows": no_shows,
            "todos": profiles.todos_of(person, profile, location, today),
            "vog_outdated": profiles.vog_outdated(profile.vog_received_on, today),
            **forms,
        },
        status=status,
    )


@require_safe
@location_required(Action.MANAGE_LOCATION)
def volunteer_detail(request, location, pk):
    return _detail_page(request, location, _person_or_404(location, pk))


def _back(location, person, anchor=""):
    response = redirect("volunteers:detail", slug=location.slug, pk=person.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@location_required(Action.MANAGE_LOCATION)
def change_status(request, location, pk):
    person = _person_or_404(location, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, location, person, status=400, status_form=form)
    change = profiles.change_status(
        profile=profiles.get_profile(person),
        status=form.cleaned_data["status"],
        since=form.cleaned_data["since"],
        changed_by=request.user,
    )
    if change is None:
        messages.info(request, _("De status was al zo; er is niets veranderd."))
    else:
        messages.success(
            request,
            _("%(name)s is nu %(status)s vanaf %(since)s.")
            % {
                "name": person,
                "status": change.get_status_display(),
                "since": change.since.strftime("%d-%m-%Y"),
            },
        )
        if change.status in (Status.PAUSED, Status.STOPPED):
            coming = (
                Assignment.objects.active()
                .filter(volunteer=person, shift__date__gte=timezone.localdate())
                .count()
            )
            if coming:
                messages.warning(
                    request,
                    ngettext(
                        "Let op: %(name)s staat nog op %(count)d komende dienst. Haal die uit "
                        "het rooster als dat nodig is.",
                        "Let op: %(name)s staat nog op %(count)d komende diensten. Haal die uit "
                        "het rooster als dat nodig is.",
                        coming,
                    )
                    % {"name": person, "count": coming},
                )
    return _back(location, person, "status")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def edit_onboarding(request, location, pk):
    person = _person_or_404(location, pk)
    form = OnboardingForm(request.POST, location=location, person=person)
    if not form.is_valid():
        return _detail_page(request, location, person, status=400, onboarding_form=form)
    profile = profiles.get_profile(person)
    profile.vog_received_on = form.cleaned_data["vog_received_on"]
    profile.buddy = form.cleaned_data["buddy"]
    profile.notes = form.cleaned_data["notes"]
    profile.save(update_fields=["vog_received_on", "buddy", "notes"])
    messages.success(request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": person})
    return _back(location, person, "begeleiding")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def add_training(request, location, pk):
    person = _person_or_404(location, pk)
    form = TrainingForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, location, person, status=400, training_form=form)
    Training.objects.create(profile=profiles.get_profile(person), **form.cleaned_data)
    messages.success(request, _("De training is toegevoegd."))
    return _back(location, person, "trainingen")


@require_POST
@location_required(Action.MANAGE_LOCATION)
def remove_training(request, location, pk, training_pk):
    person = _person_or_404(location, pk)
    training = get_object_or_404(Training, pk=training_pk, profile__user=person)
    training.delete()
    messages.success(request, _("De training %(name)s is verwijderd.") % {"name": training.name})
    return _back(location, person, "trainingen")
