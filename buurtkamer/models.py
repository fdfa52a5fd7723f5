"""People who log in, and the audit trail of what they did that matters."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_admin", True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: a volunteer, a coordinator, AanZet staff or an administrator.

    Volunteer and coordinator are roles per location (locations.Membership). AanZet staff
    (`is_aanzet_staff`) see every location. `is_admin` opens the Django admin.
    """

    email = models.EmailField(_("e-mailadres"), unique=True)
    first_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=150, blank=True)
    is_aanzet_staff = models.BooleanField(
        _("medewerker AanZet"),
        default=False,
        help_text=_("Ziet alle locaties en alle cijfers."),
    )
    is_admin = models.BooleanField(
        _("beheerder"), default=False, help_text=_("Mag de beheeromgeving (Django admin) in.")
    )
    is_active = models.BooleanField(_("actief"), default=True)
    # Every page after the login and every e-mail to this person is in this language
    # (buurtkamer.middleware.ChosenLanguageMiddleware, buurtkamer.emails).
    language = models.CharField(
        _("taal"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="nl",
        help_text=_("De taal van de pagina's en van de e-mails aan deze persoon."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            # One account per address, whatever its capitals: login looks it up case-blind.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def is_staff(self):
        """Django admin access (the admin checks `is_staff`)."""
        return self.is_admin

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email.split("@")[0]


class AuditEvent(models.Model):
    """Who did what, when: pairing a tablet, changing a role, ending a membership, an export."""

    class Action(models.TextChoices):
        INVITED = "invited", _("uitgenodigd")
        ROLE_CHANGED = "role_changed", _("rol gewijzigd")
        MEMBERSHIP_ENDED = "membership_ended", _("lidmaatschap beëindigd")
        INVITATION_ACCEPTED = "invitation_accepted", _("uitnodiging geaccepteerd")
        INVITATION_DECLINED = "invitation_declined", _("uitnodiging afgeslagen")
        INVITATION_WITHDRAWN = "invitation_withdrawn", _("uitnodiging ingetrokken")
        MEMBER_ADDED_BY_STAFF = "member_added_by_staff", _("direct toegevoegd door AanZet")
        OPENING_HOURS_CHANGED = "opening_hours_changed", _("openingstijden gewijzigd")
        TABLET_PAIRED = "tablet_paired", _("tablet gekoppeld")
        TABLET_REVOKED = "tablet_revoked", _("tablet ontkoppeld")
        VISIT_VOIDED = "visit_voided", _("bezoek ongedaan gemaakt")
        TALLY_RECORDED = "tally_recorded", _("turflijst ingevoerd")
        TALLY_CORRECTED = "tally_corrected", _("turflijst gecorrigeerd")
        TALLY_VOIDED = "tally_voided", _("turflijst vervallen")
        CLOSURE_ADDED = "closure_added", _("sluiting ingevoerd")
        CLOSURE_DELETED = "closure_deleted", _("sluiting verwijderd")
        HOUSE_RULES_CHANGED = "house_rules_changed", _("huisregels gewijzigd")
        FOLLOW_UP_CLOSED = "logbook_follow_up_closed", _("logboekpunt afgehandeld")
        LOG_ENTRY_WRITTEN = "logbook_entry_written", _("logboekbericht geschreven")
        ROSTER_TEMPLATES_CHANGED = "roster_templates_changed", _("roostersjablonen gewijzigd")
        ROSTER_ASSIGNED = "roster_assigned", _("ingedeeld in het rooster")
        ROSTER_UNASSIGNED = "roster_unassigned", _("uitgeschreven uit het rooster")
        ROSTER_ATTENDANCE = "roster_attendance", _("aanwezigheid vastgelegd")
        ACTIVITY_CREATED = "activity_created", _("activiteit aangemaakt")
        ACTIVITY_CHANGED = "activity_changed", _("activiteit gewijzigd")
        ACTIVITY_CANCELLED = "activity_cancelled", _("activiteit afgelast")
        ACTIVITY_RESTORED = "activity_restored", _("afgelaste activiteit gaat toch door")
        ACTIVITY_ATTENDANCE = "activity_attendance", _("opkomst activiteit ingevoerd")
        STORY_ADDED = "story_added", _("verhaal toegevoegd")
        STORY_CHANGED = "story_changed", _("verhaal gewijzigd")
        STORY_DELETED = "story_deleted", _("verhaal verwijderd")
        MONTHLY_REPORT_SENT = "monthly_report_sent", _("maandrapportage verstuurd")
        VOLUNTEER_STATUS_CHANGED = "volunteer_status_changed", _("status vrijwilliger gewijzigd")
        VOLUNTEER_DETAILS_CHANGED = (
            "volunteer_details_changed",
            _("VOG, buddy of notities vrijwilliger gewijzigd"),
        )
        TRAINING_ADDED = "training_added", _("training toegevoegd")
        TRAINING_REMOVED = "training_removed", _("training verwijderd")
        VOLUNTEER_ANONYMISED = "volunteer_anonymised", _("oud-vrijwilliger geanonimiseerd")
        PERSONAL_DATA_EXPORTED = "personal_data_exported", _("eigen gegevens gedownload")
        REPORT_EXPORTED = "report_exported", _("rapportage gedownload")
        REFERRAL_RECORDED = "referral_recorded", _("doorverwijzing geteld")
        REFERRAL_VOIDED = "referral_voided", _("doorverwijzing ongedaan gemaakt")
        ROOM_ADDED = "room_added", _("ruimte toegevoegd")
        ROOM_CHANGED = "room_changed", _("ruimte gewijzigd")
        CATEGORY_ADDED = "category_added", _("soort activiteit toegevoegd")
        CATEGORY_CHANGED = "category_changed", _("soort activiteit gewijzigd")
        PARTNER_ADDED = "partner_added", _("partner toegevoegd")
        PARTNER_CHANGED = "partner_changed", _("partner gewijzigd")
        PROFILE_CHANGED = "profile_changed", _("eigen gegevens gewijzigd")
        CALENDAR_LINKS_MADE = "calendar_links_made", _("agenda-links gemaakt")
        LONELINESS_ROUND_PLANNED = "loneliness_round_planned", _("meetronde eenzaamheid gepland")
        LONELINESS_ROUND_CHANGED = (
            "loneliness_round_changed",
            _("meetronde eenzaamheid gewijzigd"),
        )
        LONELINESS_PAPER_ENTERED = (
            "loneliness_paper_entered",
            _("papieren vragenlijsten eenzaamheid ingevoerd"),
        )
        LONELINESS_EXPORTED = "loneliness_exported", _("cijfers eenzaamheid gedownload")
        LANGUAGE_CHANGED = "language_changed", _("taal gewijzigd")
        TABLET_LANGUAGE_CHANGED = "tablet_language_changed", _("taal tablet gewijzigd")

    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("actie"), max_length=40, choices=Action)
    location = models.ForeignKey(
        "locations.Location",
        verbose_name=_("locatie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("betreft"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at"]
        indexes = [
            # The staff audit page lists the newest events first.
            models.Index(fields=["-at"], name="auditevent_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject}"


def log_action(*, actor, action, location=None, subject="", **details):
    """Record one audit event; call it inside the transaction of the change it describes.

    `action` must be a member of AuditEvent.Action: a plain string (a typo, an action nobody
    added to the list) raises TypeError instead of landing in the log unnoticed.
    """
    if not isinstance(action, AuditEvent.Action):
        raise TypeError(f"log_action needs an AuditEvent.Action member, not {action!r}")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        location=location,
        subject=str(subject)[:200],
        details=details,
    )


class SubmissionKey(models.Model):
    """One use of a form that creates something (buurtkamer/once.py).

    The key is made when the form is shown and sent back with it. Its row is written in the same
    transaction as what the form creates: a second click, a replay or a parallel request with
    the same key runs into the unique constraint, creates nothing and is sent to the result of
    the first. The nightly retention command deletes keys older than SUBMISSION_KEY_DAYS.
    """

    key = models.UUIDField(_("sleutel"), unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("verstuurd op"), default=timezone.now)
    result_url = models.CharField(_("resultaat (adres)"), max_length=300, blank=True)
    made = models.CharField(_("wat er is gemaakt"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("formulier-sleutel")
        verbose_name_plural = _("formulier-sleutels")
        indexes = [models.Index(fields=["created_at"], name="submissionkey_created_idx")]

    def __str__(self):
        return f"{self.key} {self.made}"


class JobRun(models.Model):
    """The last success of one scheduled job (buurtkamer/jobs.py), written by `manage.py
    run_job` (what the systemd timers run) and read by /healthz."""

    name = models.CharField(_("taak"), max_length=100, unique=True)
    last_success = models.DateTimeField(_("laatst gelukt op"))
    last_duration = models.DurationField(_("duur"), null=True, blank=True)

    class Meta:
        verbose_name = _("geplande taak")
        verbose_name_plural = _("geplande taken")

    def __str__(self):
        return f"{self.name} {self.last_success:%Y-%m-%d %H:%M}"
