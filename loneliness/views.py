"""The loneliness rounds' pages.

- Staff plan rounds (list, new, change); coordinators see the list of their locations' rounds.
- The figures of a round, its CSV and XLSX: staff (every location) and coordinators (the
  locations of the round they coordinate); another round is a 404, volunteers 403.
- The printed questionnaire and the paper entry form of a location: its coordinators and staff.
- The questionnaire on the tablet (`tablet_questionnaire`, `answers_api`): who may count at the
  door (visitors.views.tablet.open_door), and only while a round runs there (else 404).
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from buurtkamer.exports import XLSX_CONTENT_TYPE
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.once import repeat_response, submitted_once
from buurtkamer.permissions import Action, can, location_required, locations_for, staff_required
from buurtkamer.versions import VersionConflict, newer_values, refuse_newer
from visitors.views.tablet import NotAllowed, open_door, refused_page, tablet_json_endpoint

from . import exports, services
from .forms import NewRoundForm, PaperKeyForm, PaperSheetFormSet, QuestionnaireForm, RoundForm
from .models import Frequency, Round, Source
from .scoring import CITATION, STATEMENTS


def _visible_rounds(user):
    return (
        Round.objects.filter(locations__in=locations_for(user, Action.LONELINESS_FIGURES))
        .distinct()
        .prefetch_related("locations")
    )


# Rounds --------------------------------------------------------------------------------------


@require_safe
@login_required
def rounds(request):
    if not can(request.user, Action.LONELINESS_FIGURES):
        raise PermissionDenied
    mine = set(locations_for(request.user, Action.LONELINESS_FIGURES).values_list("pk", flat=True))
    shown = list(_visible_rounds(request.user).order_by("-starts_on", "-pk"))
    for round_ in shown:  # the paper links: only the locations this person looks after
        round_.own_locations = [loc for loc in round_.locations.all() if loc.pk in mine]
    return TemplateResponse(
        request,
        "loneliness/rounds.html",
        {
            "rounds": shown,
            "may_plan": can(request.user, Action.PLAN_LONELINESS_ROUNDS),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def round_new(request):
    form = NewRoundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            list_url = reverse("loneliness:rounds")
            with submitted_once(request, form.submission_key_value) as claim:
                if claim.earlier:
                    return repeat_response(request, claim.earlier, list_url)
                round_ = services.plan_round(user=request.user, **form.typed())
                claim.made(list_url, round_)
            messages.success(request, _("De meetronde is gepland."))
            return redirect(list_url)
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    return TemplateResponse(
        request,
        "loneliness/round_form.html",
        {"form": form, "round": None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def round_edit(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    form = RoundForm(request.POST or None, instance=round_)
    context = {"form": form, "round": round_}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.change_round(
                    round_=round_,
                    user=request.user,
                    version=form.loaded_version,
                    **form.typed(),
                )
            except VersionConflict:
                fresh = Round.objects.get(pk=round_.pk)
                newer = newer_values(form, fresh)
                if newer:
                    refuse_newer(form, fresh.version)
                    return TemplateResponse(
                        request,
                        "loneliness/round_form.html",
                        context | {"newer": newer},
                        status=409,
                    )
                messages.success(request, _("De meetronde is gewijzigd."))  # a double click
                return redirect("loneliness:rounds")
            except services.LonelinessError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("De meetronde is gewijzigd."))
                return redirect("loneliness:rounds")
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    return TemplateResponse(
        request,
        "loneliness/round_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# Figures -------------------------------------------------------------------------------------


def _round_and_locations(request, round_id):
    """The round and the locations of it the person may see figures of (404 when none)."""
    if not can(request.user, Action.LONELINESS_FIGURES):
        raise PermissionDenied
    round_ = get_object_or_404(Round, pk=round_id)
    locations = list(
        round_.locations.filter(
            pk__in=locations_for(request.user, Action.LONELINESS_FIGURES)
        ).order_by("name")
    )
    if not locations:
        raise Http404
    return round_, locations


@require_safe
@login_required
def figures(request, round_id):
    round_, locations = _round_and_locations(request, round_id)
    result = services.round_figures(round_, locations)
    return TemplateResponse(
        request,
        "loneliness/figures.html",
        {
            "round": round_,
            "figures": result,
            "columns": result.columns(),
            "min_group": services.MIN_GROUP,
            "period": services.round_period(round_),
        },
    )


def _export(request, round_id, extension):
    round_, locations = _round_and_locations(request, round_id)
    result = services.round_figures(round_, locations)
    filename = f"eenzaamheid-{round_.starts_on:%Y-%m-%d}.{extension}"
    if extension == "csv":
        response = HttpResponse(exports.figures_csv(result), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.figures_xlsx(result), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    log_action(
        actor=request.user,
        action=AuditEvent.Action.LONELINESS_EXPORTED,
        location=locations[0] if len(locations) == 1 else None,
        subject=filename,
        locations=[location.slug for location in locations],
    )
    return response


@require_safe
@login_required
def figures_csv(request, round_id):
    return _export(request, round_id, "csv")


@require_safe
@login_required
def figures_xlsx(request, round_id):
    return _export(request, round_id, "xlsx")


# Paper ---------------------------------------------------------------------------------------


def _round_at(location, pk):
    return get_object_or_404(Round, pk=pk, locations=location)


@require_safe
@location_required(Action.LONELINESS_FIGURES)
def paper(request, location, pk):
    """The printable A4 questionnaire of a location and round."""
    round_ = _round_at(location, pk)
    return TemplateResponse(
        request,
        "loneliness/paper.html",
        {
            "location": location,
            "round": round_,
            "statements": STATEMENTS,
            "frequencies": Frequency.choices,
            "citation": CITATION,
            "support_line": settings.LONELINESS_SUPPORT_LINE,
            "period": services.round_period(round_),
        },
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.LONELINESS_FIGURES)
def paper_entry(request, location, pk):
    """Typing in the paper questionnaires: one sheet per row; empty rows are skipped."""
    round_ = _round_at(location, pk)
    key_form = PaperKeyForm(request.POST or None)
    formset = PaperSheetFormSet(request.POST or None, prefix="vel")
    status = 200
    if request.method == "POST":
        if key_form.is_valid() and formset.is_valid():
            back = reverse("loneliness:paper-entry", kwargs={"slug": location.slug, "pk": pk})
            with submitted_once(request, key_form.submission_key_value) as claim:
                if claim.earlier:
                    return repeat_response(request, claim.earlier, back)
                stored = services.enter_paper(
                    round_=round_,
                    location=location,
                    sheets=[form.sheet() for form in formset.forms if form.has_changed()],
                    user=request.user,
                )
                if stored:
                    claim.made(back, stored)
            if stored:
                messages.success(
                    request,
                    _("%(count)s vragenlijsten opgeslagen. Dank je wel!") % {"count": stored},
                )
                return redirect(back)
            messages.error(request, _("Er is niets ingevuld: er is niets opgeslagen."))
        else:
            messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
        status = 400
    return TemplateResponse(
        request,
        "loneliness/paper_entry.html",
        {
            "location": location,
            "round": round_,
            "formset": formset,
            "key_form": key_form,
            "statements": STATEMENTS,
            "period": services.round_period(round_),
            "stored": round_.responses.filter(location=location, source=Source.PAPER).count(),
        },
        status=status,
    )


# On the tablet -------------------------------------------------------------------------------


def _door_and_round(request, slug):
    """(door, round) or raise NotAllowed; outside a round the questionnaire does not exist."""
    door = open_door(request, slug)
    round_ = services.round_on_tablet(door.location)
    if round_ is None:
        raise Http404
    return door, round_


@never_cache
@require_http_methods(["GET", "POST"])
def tablet_questionnaire(request, slug):
    """One statement per screen (static/js/tablet-loneliness.js); without JavaScript all of
    them on one page in a plain form. `?klaar=1` is the thanks screen."""
    try:
        door, round_ = _door_and_round(request, slug)
    except NotAllowed as error:
        return refused_page(request, slug, error)
    form = QuestionnaireForm(
        request.POST or None,
        initial={"client_id": uuid.uuid4(), "round": round_.pk},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["round"] in (None, round_.pk):
            try:
                services.record_response(
                    round_=round_,
                    location=door.location,
                    answers=form.answers(),
                    frequency=form.cleaned_data["frequency"] or None,
                    client_id=form.cleaned_data["client_id"],
                )
            except services.LonelinessError as error:
                messages.error(request, error.message)
            else:
                url = reverse("loneliness:tablet", kwargs={"slug": slug})
                return redirect(f"{url}?klaar=1")
        status = 400
    return TemplateResponse(
        request,
        "loneliness/tablet.html",
        {
            "location": door.location,
            "round": round_,
            "form": form,
            "statements": [
                (number, text, form[f"answer_{number}"]) for number, text, *_rest in STATEMENTS
            ],
            "done": request.method == "GET" and request.GET.get("klaar") == "1",
            "support_line": settings.LONELINESS_SUPPORT_LINE,
        },
        status=status,
    )


@tablet_json_endpoint(QuestionnaireForm)
def answers_api(request, door, form):
    wanted = form.cleaned_data["round"]
    if wanted:
        round_ = Round.objects.filter(pk=wanted).first()
    else:  # no round sent: the one running here today
        round_ = services.round_on_tablet(door.location)
    if round_ is None:
        raise services.LonelinessError("no_round", _("Er loopt hier nu geen vragenlijst."))
    response, created = services.record_response(
        round_=round_,
        location=door.location,
        answers=form.answers(),
        frequency=form.cleaned_data["frequency"] or None,
        client_id=form.cleaned_data["client_id"],
    )
    return JsonResponse(
        {"status": "ok", "created": created, "client_id": str(response.client_id)},
        status=201 if created else 200,
    )
