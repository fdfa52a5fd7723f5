from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlencode, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from buurtkamer.once import already_sent, repeat_response, submitted_once
from buurtkamer.paging import bounded_page
from buurtkamer.permissions import Action, location_required, locations_for
from buurtkamer.today import today_at
from buurtkamer.versions import VersionConflict, newer_values, refuse_newer
from volunteers.services import assignments_on_closed_days

from . import services, workspace
from .forms import (
    CLOSURE_REASONS,
    ClosureForm,
    HouseRulesForm,
    InviteForm,
    LocationSearchForm,
    OpeningHoursFormSet,
    OpeningHoursVersionForm,
    RoleForm,
    opening_hours_initial,
)
from .models import Closure, Location, Membership, Role

PAST_CLOSURES = 20  # the closures page shows this many of the past ones
LOCATIONS_PER_PAGE = 25


@require_safe
@login_required
def location_list(request):
    """The locations this person may see, a page of LOCATIONS_PER_PAGE at a time, searched by
    name, town or municipality: the same few queries for 4 locations or 250."""
    search = LocationSearchForm(request.GET)
    text, problem = search.text_and_problem()
    locations = (
        locations_for(request.user, Action.VIEW_LOCATION)
        .search(text)
        .prefetch_related("opening_hours")
        .order_by("name", "pk")
    )
    page, notice = bounded_page(Paginator(locations, LOCATIONS_PER_PAGE), request.GET.get("pagina"))
    notice = problem or notice
    return render(
        request,
        "locations/location_list.html",
        {
            "search": search,
            "text": text,
            "page": page,
            "notice": notice,
            "page_query": urlencode({"zoek": text}) if text else "",
        },
    )


@require_safe
@location_required(Action.VIEW_LOCATION)
def location_detail(request, location):
    """ "Vandaag": what matters at this location today, the first page of its workspace."""
    return render(
        request,
        "locations/location_detail.html",
        {"location": location, **today_at(request.user, location, timezone.localdate())},
    )


@require_safe
@location_required(Action.MANAGE_LOCATION)
def location_settings(request, location):
    """ "Instellingen": the pages that set a location up, on one page with a word on each."""
    return render(
        request,
        "locations/settings.html",
        {
            "location": location,
            "links": workspace.allowed_links(request.user, location, workspace.SETTINGS),
        },
    )


def _team_page(request, location, invite_form, status=200):
    memberships = (
        Membership.objects.current()
        .filter(location=location)
        .select_related("user")
        .order_by("role", "user__first_name", "user__email")
    )
    # Invitations not answered yet: only the address that was typed, nothing of the account.
    invitations = (
        Membership.objects.invitations()
        .filter(location=location)
        .select_related("user")
        .only("pk", "role", "started_at", "location_id", "user__email")
        .order_by("user__email")
    )
    return TemplateResponse(
        request,
        "locations/team.html",
        {
            "location": location,
            "memberships": memberships,
            "invitations": invitations,
            "invite_form": invite_form,
            "roles": Role.choices,
        },
        status=status,
    )


@location_required(Action.MANAGE_LOCATION)
def team(request, location):
    if request.method != "POST":
        return _team_page(request, location, InviteForm(inviter=request.user))
    form = InviteForm(request.POST, inviter=request.user)
    if not form.is_valid():
        return _team_page(request, location, form, status=400)
    try:
        membership, mail_sent = services.invite_person(
            location=location,
            invited_by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            **form.cleaned_data,
        )
    except services.TeamError as error:
        form.add_error("email", error.message)
        return _team_page(request, location, form, status=400)
    details = {"email": membership.user.email, "role": membership.get_role_display()}
    if membership.is_current and membership.user.has_usable_password():
        # Only AanZet staff add someone with an account directly.
        text = _("%(email)s is toegevoegd als %(role)s. Er is een bericht verstuurd.")
        messages.success(request, text % details)
    elif mail_sent:
        text = _("%(email)s is uitgenodigd als %(role)s. Er is een e-mail verstuurd.")
        messages.success(request, text % details)
    else:
        messages.warning(
            request,
            _(
                "%(email)s is uitgenodigd als %(role)s, maar de e-mail kon niet worden "
                "verstuurd. Nodig later nog eens uit: dan gaat de e-mail opnieuw."
            )
            % details,
        )
    return redirect("locations:team", slug=location.slug)


def _membership_of(location, pk, *, invitations_too=False):
    memberships = Membership.objects.current()
    if invitations_too:
        memberships = Membership.objects.filter(ended_at__isnull=True)
    return get_object_or_404(
        memberships.select_related("user", "location"), pk=pk, location=location
    )


LAST_COORDINATOR_CONFIRMED = "bevestig_laatste_coordinator"


def _confirmed(request) -> bool:
    return request.POST.get(LAST_COORDINATOR_CONFIRMED) == "ja"


def _confirm_last_coordinator(request, location, membership, error, *, action, fields):
    """AanZet staff: the extra "are you sure?" before the last coordinator goes."""
    return TemplateResponse(
        request,
        "locations/last_coordinator_confirm.html",
        {
            "location": location,
            "membership": membership,
            "message": error.message,
            "action": action,
            "fields": fields,
            "confirm_field": LAST_COORDINATOR_CONFIRMED,
        },
    )


@require_POST
@location_required(Action.MANAGE_LOCATION)
def change_role(request, location, pk):
    membership = _membership_of(location, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een geldige rol."))
        return redirect("locations:team", slug=location.slug)
    role = form.cleaned_data["role"]
    try:
        services.change_role(
            membership=membership,
            role=role,
            changed_by=request.user,
            confirmed=_confirmed(request),
        )
    except services.TeamError as error:
        if error.code == "confirm_last_coordinator":
            return _confirm_last_coordinator(
                request,
                location,
                membership,
                error,
                action=request.path,
                fields={"role": role},
            )
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is nu %(role)s.")
            % {"name": membership.user, "role": membership.get_role_display()},
        )
    return redirect("locations:team", slug=location.slug)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def end_membership(request, location, pk):
    """GET asks "are you sure?"; POST ends the membership (the history stays). For an
    invitation not answered yet: withdraw it."""
    membership = _membership_of(location, pk, invitations_too=True)
    if request.method == "GET":
        refusal = None
        try:
            services.check_a_coordinator_stays(membership, changed_by=request.user)
        except services.TeamError as error:
            refusal = error
        return render(
            request,
            "locations/end_membership_confirm.html",
            {
                "location": location,
                "membership": membership,
                "refusal": refusal,
                "confirm_field": LAST_COORDINATOR_CONFIRMED,
            },
        )
    try:
        services.end_membership(
            membership=membership, ended_by=request.user, confirmed=_confirmed(request)
        )
    except services.TeamError as error:
        if error.code == "confirm_last_coordinator":
            return _confirm_last_coordinator(
                request, location, membership, error, action=request.path, fields={}
            )
        messages.error(request, error.message)
        return redirect("locations:team", slug=location.slug)
    if membership.pending:
        text = _("De uitnodiging van %(email)s is ingetrokken.") % {"email": membership.user.email}
    else:
        text = _("%(name)s hoort niet meer bij %(location)s.") % {
            "name": membership.user,
            "location": location,
        }
    messages.success(request, text)
    return redirect("locations:team", slug=location.slug)


def _current_slots(location) -> list[tuple[str, str]]:
    """[(weekday and day-part, times)] of the opening hours stored now, for a refusal."""
    return [
        (
            f"{row.get_weekday_display()} {row.get_day_part_display()}".capitalize(),
            f"{row.opens_at:%H:%M}–{row.closes_at:%H:%M}",
        )
        for row in location.opening_hours.order_by("weekday", "opens_at")
    ] or [(_("Openingstijden"), _("nergens open"))]


@location_required(Action.MANAGE_LOCATION)
def opening_hours(request, location):
    existing = list(location.opening_hours.all())
    newer = None
    if request.method == "POST":
        formset = OpeningHoursFormSet(request.POST, initial=opening_hours_initial(existing))
        version_form = OpeningHoursVersionForm(request.POST)
        if formset.is_valid() and version_form.is_valid():
            try:
                services.set_opening_hours(
                    location=location,
                    changed_by=request.user,
                    version=version_form.loaded_version,
                    slots=[
                        {
                            "weekday": form.weekday,
                            "day_part": form.day_part,
                            "opens_at": form.cleaned_data["opens_at"],
                            "closes_at": form.cleaned_data["closes_at"],
                        }
                        for form in formset
                        if form.cleaned_data.get("is_open")
                    ],
                )
            except VersionConflict:
                location.refresh_from_db(fields=["opening_hours_version"])
                refuse_newer(version_form, location.opening_hours_version)
                newer = _current_slots(location)
                status = 409
            else:
                messages.success(request, _("De openingstijden zijn opgeslagen."))
                return redirect(location)
        else:
            status = 400
            messages.error(request, _("Niet opgeslagen: kijk de rood gemarkeerde regels na."))
    else:
        formset = OpeningHoursFormSet(initial=opening_hours_initial(existing))
        version_form = OpeningHoursVersionForm(version=location.opening_hours_version)
        status = 200
    return TemplateResponse(
        request,
        "locations/opening_hours_form.html",
        {
            "location": location,
            "formset": formset,
            "version_form": version_form,
            "newer": newer,
        },
        status=status,
    )


def accept_invitation(request, uidb64, token):
    """An invited person sets their first password and is logged in."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not services.invitation_tokens.check_token(user, token):
        return TemplateResponse(request, "locations/invitation_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_invitations_of_new_person(user, password_form=form)
        if Authenticator.objects.filter(user=user).exists():
            # Two-factor authentication is on: log in the normal way, with the second step.
            messages.success(request, _("Je wachtwoord is ingesteld. Log nu in."))
            return redirect("account_login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welkom! Je wachtwoord is ingesteld."))
        return redirect("dashboard")
    return TemplateResponse(
        request,
        "locations/accept_invitation.html",
        {"form": form, "invited_user": user},
        status=400 if form.is_bound else 200,
    )


def _open_invitation_of(request, pk, code):
    """The invitation this link is for, if it is open and for the person logged in."""
    membership = (
        Membership.objects.invitations()
        .select_related("location")
        .filter(pk=pk, user=request.user)
        .first()
    )
    if membership is None or not services.membership_invitation_tokens.check_token(
        membership, code
    ):
        return None
    return membership


def _answer_invitation(request, pk, code, *, accept):
    """GET shows the question (a mail scanner that opens links changes nothing); POST answers.
    Someone else than the invited person, a used or an expired link: 404."""
    membership = _open_invitation_of(request, pk, code)
    if membership is None:
        return TemplateResponse(request, "locations/membership_invitation_invalid.html", status=404)
    if request.method == "GET":
        return TemplateResponse(
            request,
            "locations/membership_invitation.html",
            {
                "membership": membership,
                "location": membership.location,
                "accept": accept,
                "code": code,
            },
        )
    try:
        services.answer_invitation(membership=membership, person=request.user, accept=accept)
    except services.TeamError:
        return TemplateResponse(request, "locations/membership_invitation_invalid.html", status=404)
    details = {"location": membership.location, "role": membership.get_role_display()}
    if accept:
        messages.success(request, _("Welkom! Je bent nu %(role)s bij %(location)s.") % details)
        return redirect(membership.location)
    messages.success(request, _("Je hebt de uitnodiging van %(location)s afgeslagen.") % details)
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
@login_required
def accept_membership(request, pk, code):
    return _answer_invitation(request, pk, code, accept=True)


@require_http_methods(["GET", "POST"])
@login_required
def decline_membership(request, pk, code):
    return _answer_invitation(request, pk, code, accept=False)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def closures(request, location):
    """Coming and past closures of a location; add one (suggestions prefill the form)."""
    today = timezone.localdate()
    presets = services.closure_presets(today)
    list_url = reverse("locations:closures", kwargs={"slug": location.slug})
    if request.method == "POST":
        form = ClosureForm(request.POST, location=location)
        if form.is_valid():
            try:
                with submitted_once(request, form.submission_key_value) as claim:
                    if claim.earlier:
                        return repeat_response(request, claim.earlier, list_url)
                    closure = services.add_closure(
                        location=location, created_by=request.user, **form.typed()
                    )
                    claim.made(list_url, closure)
            except services.LocationError as error:  # an overlapping closure, posted at once
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("De sluiting is opgeslagen: %(closure)s.") % {"closure": closure.reason},
                )
                return redirect("locations:closures", slug=location.slug)
        # Sent again (or at once) after the first was saved: the overlap with itself is
        # no error, the first's result is the answer.
        if (earlier := already_sent(request)) is not None:
            return repeat_response(request, earlier, list_url)
        status = 400
    else:
        chosen = next((p for p in presets if p.key == request.GET.get("voorstel")), None)
        initial = (
            {"starts_on": chosen.starts_on, "ends_on": chosen.ends_on, "reason": chosen.reason}
            if chosen
            else {}
        )
        form = ClosureForm(initial=initial, location=location)
        status = 200
    listed = location.closures.order_by("starts_on")
    return TemplateResponse(
        request,
        "locations/closures.html",
        {
            "location": location,
            "form": form,
            "presets": presets,
            "reasons": CLOSURE_REASONS,
            "coming": listed.filter(ends_on__gte=today),
            "past": listed.filter(ends_on__lt=today).order_by("-starts_on")[:PAST_CLOSURES],
            "today": today,
            # People still on the roster on closed days: the coordinator tells them.
            "still_rostered": list(assignments_on_closed_days(location, today=today)),
        },
        status=status,
    )


@require_POST
@location_required(Action.MANAGE_LOCATION)
def closure_delete(request, location, pk):
    closure = get_object_or_404(
        Closure.objects.select_related("location"), pk=pk, location=location
    )
    try:
        services.delete_closure(closure=closure, deleted_by=request.user)
    except services.LocationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("De sluiting is verwijderd: %(closure)s.") % {"closure": closure.reason}
        )
    return redirect("locations:closures", slug=location.slug)


@require_http_methods(["GET", "POST"])
@location_required(Action.MANAGE_LOCATION)
def house_rules(request, location):
    """The house rules and the address, as the public programme shows them."""
    if request.method == "POST":
        form = HouseRulesForm(request.POST, instance=location)
        if form.is_valid():
            typed = form.typed()
            try:
                services.set_house_rules(
                    location=location,
                    changed_by=request.user,
                    version=form.loaded_version,
                    **typed,
                )
            except VersionConflict:
                fresh = Location.objects.get(pk=location.pk)
                newer = newer_values(form, fresh)
                if not newer:  # the same text again (a double click): nothing to refuse
                    messages.success(request, _("De huisregels en het adres zijn opgeslagen."))
                    return redirect(location)
                refuse_newer(form, fresh.version)
                return TemplateResponse(
                    request,
                    "locations/house_rules.html",
                    {"location": location, "form": form, "newer": newer},
                    status=409,
                )
            messages.success(request, _("De huisregels en het adres zijn opgeslagen."))
            return redirect(location)
        status = 400
    else:
        form = HouseRulesForm(instance=location)
        status = 200
    return TemplateResponse(
        request,
        "locations/house_rules.html",
        {"location": location, "form": form},
        status=status,
    )
