"""The audit log for AanZet staff: who did what, when, where; newest first, 50 to a page."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from locations.models import Location, Role

from .models import AuditEvent
from .permissions import staff_required

EVENTS_PER_PAGE = 50

# The details an event may carry (keyword arguments of log_action), in words.
DETAIL_LABELS = {
    "role": _("rol"),
    "old": _("was"),
    "new": _("wordt"),
    "open_slots": _("open dagdelen"),
    "tablet": _("tablet"),
    # Volunteers' data (volunteers.profiles): ids, codes and field names, never a note's text.
    "volunteer": _("persoon (nummer)"),
    "previous": _("was"),
    "status": _("status"),
    "since": _("vanaf"),
    "fields": _("gewijzigd"),
    "training": _("training"),
    "followed_on": _("gevolgd op"),
    "format": _("formaat"),
    "locations": _("locaties"),
}


class AuditFilterForm(forms.Form):
    location = forms.ChoiceField(
        label=_("Locatie"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    action = forms.ChoiceField(
        label=_("Actie"),
        choices=[("", _("Alle acties")), *AuditEvent.Action.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query gives the options and checks the choice: the location is filtered on by slug.
        locations = Location.objects.order_by("name").values_list("slug", "name")
        self.fields["location"].choices = [("", _("Alle locaties")), *locations]


def _readable(value):
    """A detail's value for people: role codes as their names, lists as a comma-separated line."""
    if isinstance(value, list):
        return ", ".join(str(_readable(item)) for item in value)
    if isinstance(value, str) and value in Role.values:
        return Role(value).label
    return value


def _details(event):
    if not isinstance(event.details, dict):
        return [("", event.details)]
    return [(DETAIL_LABELS.get(key, key), _readable(value)) for key, value in event.details.items()]


@staff_required
@require_safe
def audit_log(request):
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        chosen = form.cleaned_data
    else:
        # Ignore what is not valid (a made-up location or action), keep the rest, and say so.
        chosen = {key: value for key, value in form.cleaned_data.items() if value}
        messages.warning(
            request, gettext("Dit filter bestaat niet en is genegeerd. Kies uit de lijst.")
        )
        form = AuditFilterForm(initial=chosen)

    events = AuditEvent.objects.select_related("actor", "location").order_by("-at", "-pk")
    filters = {}
    if chosen.get("location"):
        events = events.filter(location__slug=chosen["location"])
        filters["location"] = chosen["location"]
    if chosen.get("action"):
        events = events.filter(action=chosen["action"])
        filters["action"] = chosen["action"]

    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("pagina"))
    for event in page.object_list:
        event.detail_lines = _details(event)
    return render(
        request,
        "buurtkamer/audit_log.html",
        # Page links keep the filter (only its valid part).
        {"form": form, "page": page, "filter_query": urlencode(filters)},
    )
