"""The calendar feeds: a volunteer's own shifts and a location's roster, as .ics files.

No login: a phone's calendar app cannot log in, so the secret token in the URL is the
credential. An unknown (or replaced) token is 404, and so is a location feed for someone who is
not (or no longer) a coordinator there. A location feed has its own secret (RosterFeedToken),
never the personal one. Making new links is a logged-in POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from buurtkamer.permissions import Action, can

from .. import feeds


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def my_feed(request, calendar_token):
    profile = feeds.profile_for_token(calendar_token)
    if profile is None:
        raise Http404
    body = feeds.personal_calendar(profile, base_url=_base_url(request))
    return _ics(body, "buurtkamer-mijn-diensten.ics")


@require_safe
def location_feed(request, roster_token, location_slug):
    key = feeds.roster_token_for(roster_token, location_slug)
    if key is None or not can(key.user, Action.MANAGE_LOCATION, key.location):
        raise Http404
    body = feeds.location_calendar(key.location, base_url=_base_url(request))
    return _ics(body, f"buurtkamer-rooster-{key.location.slug}.ics")


@require_POST
@login_required
def make_feed(request):
    """Make the calendar links that do not exist yet (the page that shows them only reads)."""
    feeds.make_links(request.user)
    messages.success(request, _("Je agenda-link is klaar. Zet hem in de agenda op je telefoon."))
    return redirect(feeds.my_shifts_path())


@require_POST
@login_required
def regenerate_feed(request):
    """New secret links: the old ones (personal and rosters) stop working at once (404)."""
    feeds.new_links(request.user)
    messages.success(
        request,
        _(
            "Je hebt een nieuwe agenda-link. De oude link werkt niet meer: zet de nieuwe in de "
            "agenda op je telefoon."
        ),
    )
    return redirect(feeds.my_shifts_path())
