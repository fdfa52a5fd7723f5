"""Team changes at a location: invite a person, change a role, end a membership."""

import logging
from smtplib import SMTPException

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from buurtkamer.emails import send_templated_email
from buurtkamer.models import AuditEvent, log_action

from .models import Location, Membership, OpeningHours, Role

logger = logging.getLogger(__name__)


class TeamError(Exception):
    """A team change that cannot be made; `message` is shown to the coordinator."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-use link to set a first password; it stops working once a password is set."""

    key_salt = "buurtkamer.locations.invitation"


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user) -> str:
    return reverse(
        "accept-invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def invite_person(
    *,
    location: Location,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    invited_by,
    base_url: str,
) -> tuple[Membership, bool]:
    """Give a person a role at a location, creating their account when it is new.

    A new person (or one who never set a password) gets an e-mail with a link to set a
    password; inviting such a person again sends the link again. A person who already has an
    account gets a short notice. Returns (membership, whether the e-mail could be sent).
    """
    User = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, first_name=first_name, last_name=last_name)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        membership = Membership.objects.current().filter(user=user, location=location).first()
        if membership is not None and user.has_usable_password():
            raise TeamError(
                "already_member",
                _("%(email)s hoort al bij %(location)s.") % {"email": email, "location": location},
            )
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(user=user, location=location, role=role)
            except IntegrityError as error:
                raise TeamError(
                    "already_member",
                    _("%(email)s hoort al bij %(location)s.")
                    % {"email": email, "location": location},
                ) from error
        log_action(
            actor=invited_by,
            action=AuditEvent.Action.INVITED,
            location=location,
            subject=email,
            role=membership.role,
        )

    context = {
        "user": user,
        "location": location,
        "role": Role(membership.role).label,
        "invited_by": invited_by,
    }
    if user.has_usable_password():
        context["login_url"] = base_url + reverse("account_login")
        template = "locations/email/added_to_location"
    else:
        context["invitation_url"] = base_url + invitation_path(user)
        template = "locations/email/invitation"
    try:
        send_templated_email(template, context, [user.email])
    except (OSError, SMTPException):
        logger.exception("Could not send the invitation to %s", user.email)
        return membership, False
    return membership, True


def change_role(*, membership: Membership, role: Role, changed_by) -> Membership:
    if not membership.is_current:
        raise TeamError("ended", _("Dit lidmaatschap is al beëindigd."))
    if membership.role == role:
        return membership
    old_role = membership.role
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.ROLE_CHANGED,
            location=membership.location,
            subject=membership.user.email,
            old=old_role,
            new=role,
        )
    return membership


def end_membership(*, membership: Membership, ended_by) -> Membership:
    if not membership.is_current:
        raise TeamError("ended", _("Dit lidmaatschap is al beëindigd."))
    with transaction.atomic():
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        log_action(
            actor=ended_by,
            action=AuditEvent.Action.MEMBERSHIP_ENDED,
            location=membership.location,
            subject=membership.user.email,
            role=membership.role,
        )
    return membership


def set_opening_hours(*, location: Location, slots: list[dict], changed_by) -> None:
    """Replace a location's opening hours by the open slots given.

    Each slot: {"weekday", "day_part", "opens_at", "closes_at"}.
    """
    with transaction.atomic():
        OpeningHours.objects.filter(location=location).delete()
        OpeningHours.objects.bulk_create(OpeningHours(location=location, **slot) for slot in slots)
        log_action(
            actor=changed_by,
            action=AuditEvent.Action.OPENING_HOURS_CHANGED,
            location=location,
            subject=str(location),
            open_slots=len(slots),
        )
