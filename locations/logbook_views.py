"""The logbook of a location: read and write (its volunteers and coordinators), close a
follow-up (its coordinators). Staff see every location's logbook."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from buurtkamer.once import repeat_response, submitted_once
from buurtkamer.permissions import Action, can, location_required

from . import services
from .forms import CloseFollowUpForm, LogbookFilterForm, LogEntryForm
from .models import LogEntry

PAGE_SIZE = 25


@require_safe
@location_required(Action.VIEW_LOCATION)
def logbook(request, location):
    """The location's entries, newest day first, filtered by kind and open follow-ups."""
    filters = LogbookFilterForm(request.GET)
    entries = (
        LogEntry.objects.filter(location=location)
        .select_related("author", "closed_by", "tablet")
        .newest_first()
    )
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            entries = entries.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["open"]:
            entries = entries.open_follow_ups()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return TemplateResponse(
        request,
        "locations/logbook.html",
        {
            "location": location,
            "page": page,
            "filters": filters,
            "filtered": filters.is_valid() and any(filters.cleaned_data.values()),
            "open_count": services.open_follow_up_counts([location.pk]).get(location.pk, 0),
            "may_close": can(request.user, Action.MANAGE_LOCATION, location),
        },
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.VIEW_LOCATION)
def logbook_new(request, location):
    """Write an entry. The form reminds the writer never to name visitors."""
    if request.method == "POST":
        form = LogEntryForm(request.POST)
        if form.is_valid():
            list_url = reverse("locations:logbook", kwargs={"slug": location.slug})
            with submitted_once(request, form.submission_key_value) as claim:
                if claim.earlier:
                    return repeat_response(request, claim.earlier, list_url)
                entry = services.write_log_entry(
                    location=location, author=request.user, **form.typed()
                )
                claim.made(list_url, entry.pk)
            messages.success(request, _("Je bericht staat in het logboek. Dank je wel!"))
            return redirect(list_url)
        status = 400
    else:
        now = timezone.localtime()
        form = LogEntryForm(
            initial={"date": now.date(), "day_part": location.day_part_at(now).value}
        )
        status = 200
    return TemplateResponse(
        request, "locations/logbook_form.html", {"location": location, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def logbook_close(request, location, pk):
    """A coordinator closes a follow-up, writing down what was done."""
    entry = get_object_or_404(
        LogEntry.objects.select_related("author", "location", "tablet"), pk=pk, location=location
    )
    if not entry.is_open:
        messages.info(request, _("Deze melding is al afgehandeld of vraagt geen actie."))
        return redirect("locations:logbook", slug=location.slug)
    form = CloseFollowUpForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                services.close_follow_up(
                    entry=entry, closed_by=request.user, note=form.cleaned_data["closing_note"]
                )
            except services.LocationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("De melding is afgehandeld."))
            return redirect("locations:logbook", slug=location.slug)
        status = 400
    return TemplateResponse(
        request,
        "locations/logbook_close.html",
        {"location": location, "entry": entry, "form": form},
        status=status,
    )
