"""Coordinators and staff: paired tablets, today's check-ins, manual tallies, referrals.

Every page needs Action.MANAGE_VISITS at the location: its coordinators and AanZet staff. A
volunteer of the location gets 403, anyone else 404, and someone not logged in the login page.
"""

from django import forms
from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from buurtkamer.dates import day_long
from buurtkamer.once import repeat_response, submitted_once
from buurtkamer.permissions import Action, location_required
from locations.models import DayPart

from .. import services
from ..forms import ReferralForm, TabletLanguageForm, TallyForm, TallyNumbersForm
from ..models import ManualTally, Referral, Source, Tablet


def _when(tally):
    """ "dinsdag 3 november, ochtend" for messages."""
    return f"{day_long(tally.date)}, {tally.get_day_part_display()}"


def _when_of(data):
    return f"{day_long(data['date'])}, {DayPart(data['day_part']).label}"


# Tablets -------------------------------------------------------------------------------------


@require_safe
@location_required(Action.MANAGE_VISITS)
def tablet_list(request, location):
    return _tablet_list(request, location)


def _tablet_list(request, location, *, refused=None, status=200):
    """The tablets of a location; `refused`: (tablet id, bound form) of a refused language."""
    tablets = list(
        Tablet.objects.filter(location=location)
        .select_related("paired_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "name")
    )
    for tablet in tablets:
        if refused and refused[0] == tablet.pk:
            tablet.language_form = refused[1]
        else:
            tablet.language_form = TabletLanguageForm(
                initial={"language": tablet.language}, prefix=f"tablet-{tablet.pk}"
            )
    tablet_url = reverse("visitors:tablet", kwargs={"slug": location.slug})
    return render(
        request,
        "visitors/manage/tablet_list.html",
        {
            "location": location,
            "tablets": tablets,
            "tablet_url": tablet_url,
            "site_address": request.build_absolute_uri("/").rstrip("/"),
        },
        status=status,
    )


@require_POST
@location_required(Action.MANAGE_VISITS)
def tablet_language(request, location, pk):
    """The language of a paired tablet, changed from here (its pages follow at once)."""
    tablet = get_object_or_404(
        Tablet.objects.paired().select_related("location"), pk=pk, location=location
    )
    form = TabletLanguageForm(request.POST, prefix=f"tablet-{tablet.pk}")
    if not form.is_valid():
        return _tablet_list(request, location, refused=(tablet.pk, form), status=400)
    language = form.cleaned_data["language"]
    if services.set_tablet_language(tablet=tablet, language=language, changed_by=request.user):
        messages.success(
            request,
            _("%(name)s spreekt nu %(language)s.")
            % {"name": tablet.name, "language": tablet.get_language_display()},
        )
    return redirect("visitors:tablets", slug=location.slug)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def revoke_tablet(request, location, pk):
    """GET asks "are you sure?"; POST revokes: the tablet stops recording at once."""
    tablet = get_object_or_404(Tablet.objects.select_related("location"), pk=pk, location=location)
    if not tablet.is_paired:
        messages.info(request, _("%(name)s is al ontkoppeld.") % {"name": tablet.name})
        return redirect("visitors:tablets", slug=location.slug)
    if request.method == "GET":
        return render(
            request,
            "visitors/manage/revoke_tablet_confirm.html",
            {"location": location, "tablet": tablet},
        )
    services.revoke_tablet(tablet=tablet, revoked_by=request.user)
    messages.success(
        request,
        _(
            "%(name)s is ontkoppeld. Deze tablet telt geen bezoekers meer "
            "tot hij opnieuw is gekoppeld."
        )
        % {"name": tablet.name},
    )
    return redirect("visitors:tablets", slug=location.slug)


# Today ---------------------------------------------------------------------------------------

TODAY_LIST_LIMIT = 200


@require_safe
@location_required(Action.MANAGE_VISITS)
def today(request, location):
    date = timezone.localdate()
    # The list shows the newest visits; the figures above it count them all.
    visits = list(services.visits_of_day(location, date)[: TODAY_LIST_LIMIT + 1])
    return render(
        request,
        "visitors/manage/today.html",
        {
            "location": location,
            "date": date,
            "figures": services.day_figures(location, date),
            "visits": visits[:TODAY_LIST_LIMIT],
            "more_visits": len(visits) > TODAY_LIST_LIMIT,
            "list_limit": TODAY_LIST_LIMIT,
            "referrals": services.referral_counts(location, date),
            "referral_form": ReferralForm(),
            "undoable_referrals": services.undoable_referrals(location),
            "tablet_source": Source.TABLET,
            "tablet_url": reverse("visitors:tablet", kwargs={"slug": location.slug}),
        },
    )


@require_POST
@location_required(Action.MANAGE_VISITS)
def referral(request, location):
    """+1 referred onward today: only the location, the day and where to; nobody is named."""
    form = ReferralForm(request.POST)
    today_url = reverse("visitors:today", kwargs={"slug": location.slug})
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(today_url)
    with submitted_once(request, form.submission_key_value) as claim:
        if claim.earlier:
            return repeat_response(request, claim.earlier, today_url)
        target = form.cleaned_data["target"]
        made = services.record_referral(location=location, target=target, user=request.user)
        claim.made(today_url, made)
    messages.success(request, _("Geteld: 1 doorverwijzing naar %(target)s.") % {"target": target})
    return redirect(today_url)


@require_POST
@location_required(Action.MANAGE_VISITS)
def referral_undo(request, location, pk):
    """Undo a "+1" within 10 minutes, like a tap; it is kept, no longer counted."""
    made = get_object_or_404(Referral.objects.select_related("target"), pk=pk, location=location)
    try:
        services.undo_referral(referral=made, user=request.user)
    except services.VisitError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Ongedaan gemaakt: 1 doorverwijzing naar %(target)s.") % {"target": made.target},
        )
    return redirect("visitors:today", slug=location.slug)


# Manual tallies ------------------------------------------------------------------------------


def _tallies_page(request, location, form, status=200, **extra):
    return TemplateResponse(
        request,
        "visitors/manage/tallies.html",
        {
            "location": location,
            "form": form,
            "tallies": services.recent_tallies(location, form.today),
            "weeks": services.TALLY_LIST_WEEKS,
            **extra,
        },
        status=status,
    )


def _offer_correction(request, location, form, earlier):
    """A day-part has one tally: a second one is offered as a correction of the first."""
    data = form.tally_data()
    correct_url = reverse("visitors:tally-edit", kwargs={"slug": location.slug, "pk": earlier.pk})
    correct_url += f"?visitors={data['visitors']}&first_visits={data['first_visits']}"
    return _tallies_page(
        request, location, form, status=409, earlier=earlier, correct_url=correct_url
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def tallies(request, location):
    if request.method == "GET":
        initial = {"date": timezone.localdate(), "first_visits": 0}
        # The dashboard links an opened day-part without a count here: ?date=…&day_part=….
        asked = TallyForm().fields
        try:
            initial["date"] = asked["date"].clean(request.GET["date"])
            initial["day_part"] = asked["day_part"].clean(request.GET["day_part"])
        except (KeyError, forms.ValidationError):
            initial.pop("day_part", None)
            initial["date"] = timezone.localdate()
        form = TallyForm(initial=initial)
        return _tallies_page(request, location, form)
    form = TallyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
        return _tallies_page(request, location, form, status=400)
    data = form.tally_data()
    list_url = reverse("visitors:tallies", kwargs={"slug": location.slug})
    with submitted_once(request, form.submission_key_value) as claim:
        if claim.earlier:
            return repeat_response(request, claim.earlier, list_url)
        earlier = services.active_tally(location, data["date"], data["day_part"])
        if earlier is not None:
            return _offer_correction(request, location, form, earlier)
        doubts = services.tally_doubts(location, data["date"], data["day_part"])
        if doubts and not form.cleaned_data["confirm"]:
            # Asked before saving; the typed values stay in the form, with the checkbox.
            return _tallies_page(request, location, form, doubts=doubts, when=_when_of(data))
        try:
            tally = services.record_tally(location=location, user=request.user, **data)
        except services.VisitError as error:
            if error.code != "already_tallied":
                raise
            return _offer_correction(request, location, form, error.tally)
        claim.made(list_url, tally)
    messages.success(
        request,
        ngettext(
            "%(count)s bezoeker van %(when)s opgeslagen.",
            "%(count)s bezoekers van %(when)s opgeslagen.",
            tally.visitors,
        )
        % {
            "count": tally.visitors,
            "when": _when(tally),
        },
    )
    return redirect(list_url)


def _tally_of(location, pk):
    return get_object_or_404(
        ManualTally.objects.select_related("location", "created_by"), pk=pk, location=location
    )


def _refuse_voided(request, location):
    messages.error(request, _("Deze turflijst is vervallen en kan niet meer worden gewijzigd."))
    return redirect("visitors:tallies", slug=location.slug)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def tally_edit(request, location, pk):
    """Correct the numbers of a tally; its date and day-part stay as they are."""
    tally = _tally_of(location, pk)
    if tally.voided_at is not None:
        return _refuse_voided(request, location)
    if request.method == "GET":
        initial = {"visitors": tally.visitors, "first_visits": tally.first_visits}
        # Offered from a second tally for the same day-part: its numbers, when they are valid.
        offered = TallyNumbersForm(request.GET)
        if "visitors" in request.GET and offered.is_valid():
            initial.update(offered.cleaned_data)
        form = TallyNumbersForm(initial=initial)
    else:
        form = TallyNumbersForm(request.POST)
        if form.is_valid():
            try:
                tally = services.correct_tally(tally=tally, user=request.user, **form.cleaned_data)
            except services.VisitError as error:
                messages.error(request, error.message)
                return redirect("visitors:tallies", slug=location.slug)
            messages.success(
                request,
                ngettext(
                    "De turflijst van %(when)s is gecorrigeerd: nu %(count)s bezoeker.",
                    "De turflijst van %(when)s is gecorrigeerd: nu %(count)s bezoekers.",
                    tally.visitors,
                )
                % {
                    "count": tally.visitors,
                    "when": _when(tally),
                },
            )
            return redirect("visitors:tallies", slug=location.slug)
        messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde vakjes na."))
    return TemplateResponse(
        request,
        "visitors/manage/tally_edit.html",
        {"location": location, "tally": tally, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_VISITS)
def tally_void(request, location, pk):
    """GET asks "are you sure?"; POST voids the tally and its visits (kept, no longer counted)."""
    tally = _tally_of(location, pk)
    if tally.voided_at is not None:
        messages.info(request, _("Deze turflijst was al vervallen."))
        return redirect("visitors:tallies", slug=location.slug)
    if request.method == "GET":
        return render(
            request,
            "visitors/manage/tally_void_confirm.html",
            {"location": location, "tally": tally},
        )
    services.void_tally(tally=tally, user=request.user)
    messages.success(
        request,
        _("De turflijst van %(when)s is vervallen. Deze bezoekers tellen niet meer mee.")
        % {"when": _when(tally)},
    )
    return redirect("visitors:tallies", slug=location.slug)
