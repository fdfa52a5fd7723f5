"""Forms of the profile pages: a volunteer's own data, and what a coordinator records."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtkamer.dates import BoundedDateField, day_long, not_after_today
from buurtkamer.forms import FieldsetsMixin
from buurtkamer.languages import set_user_language
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import VersionedFormMixin, claim_version
from locations.models import DayPart, Weekday

from .members import available_members, member_label
from .models import Status, Task, VolunteerProfile

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,24}$",
    _("Vul een telefoonnummer in met alleen cijfers, spaties of een + vooraan."),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MyProfileForm(FieldsetsMixin, VersionedFormMixin, forms.Form):
    """What a volunteer changes about themselves: name, phone, what they like to do when.

    It carries the profile's version (buurtkamer/versions.py): a save from a page loaded
    before another save (a second tab, a phone) is refused instead of undoing that one.
    """

    fieldsets = [
        (_("Over jou"), [("first_name", "last_name"), "phone", "language"]),
        (
            _("Wat je graag doet, en wanneer"),
            ["preferred_tasks", "preferred_weekdays", "preferred_day_parts"],
        ),
    ]

    first_name = forms.CharField(label=_("Voornaam"), max_length=100)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        max_length=30,
        required=False,
        validators=[phone_validator],
        help_text=_("Alleen coördinatoren zien je nummer, andere vrijwilligers niet."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Taal"),
        choices=settings.LANGUAGES,
        required=False,  # not sent (a page from before there was a choice): unchanged
        help_text=_("De taal van de site en van de e-mails die je van ons krijgt."),
    )
    preferred_tasks = forms.MultipleChoiceField(
        label=_("Taken die ik graag doe"),
        choices=Task.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Dagen die mij goed uitkomen"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_day_parts = forms.MultipleChoiceField(
        label=_("Dagdelen die mij goed uitkomen"),
        choices=DayPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_for(cls, user, profile):
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": profile.phone,
            "language": user.language,
            "preferred_tasks": profile.preferred_tasks,
            "preferred_weekdays": profile.preferred_weekdays,
            "preferred_day_parts": profile.preferred_day_parts,
        }

    def newer_values(self, user, profile) -> list[tuple[str, object]]:
        """[(label, stored value)] of the fields where the stored value differs from what was
        typed: empty when the same was sent twice."""
        stored = self.initial_for(user, profile)
        typed = self._normalised()
        rows = []
        for name, value in stored.items():
            if typed[name] != value and not (name == "language" and not typed[name]):
                field = self.fields[name]
                if hasattr(field, "choices") and isinstance(value, list):
                    labels = dict(field.choices)
                    value = ", ".join(str(labels.get(item, item)) for item in value)
                elif hasattr(field, "choices"):
                    value = dict(field.choices).get(value, value)
                rows.append((field.label, value))
        return rows

    def _normalised(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "phone": data["phone"].strip(),
            "language": data["language"],
            "preferred_tasks": [task for task in Task.values if task in data["preferred_tasks"]],
            "preferred_weekdays": sorted(set(data["preferred_weekdays"])),
            "preferred_day_parts": [
                part for part in DayPart.values if part in data["preferred_day_parts"]
            ],
        }

    def save(self, user, profile):
        """Save, audited; raises VersionConflict when the profile changed since the page was
        loaded."""
        with transaction.atomic():
            claim_version(VolunteerProfile, profile.pk, self.loaded_version)
            self._save(user, profile)
            profile.version = VolunteerProfile.objects.values_list("version", flat=True).get(
                pk=profile.pk
            )
            log_action(actor=user, action=AuditEvent.Action.PROFILE_CHANGED, subject=user.email)

    def _save(self, user, profile):
        data = self.cleaned_data
        user.first_name = data["first_name"].strip()
        user.last_name = data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        if data["language"]:
            set_user_language(user=user, language=data["language"])
        profile.phone = data["phone"].strip()
        profile.preferred_tasks = [task for task in Task.values if task in data["preferred_tasks"]]
        profile.preferred_weekdays = sorted(set(data["preferred_weekdays"]))
        profile.preferred_day_parts = [
            part for part in DayPart.values if part in data["preferred_day_parts"]
        ]
        profile.save(
            update_fields=[
                "phone",
                "preferred_tasks",
                "preferred_weekdays",
                "preferred_day_parts",
            ]
        )


class StatusForm(forms.Form):
    """A new status at one location from a date between the previous status change (`earliest`)
    and today."""

    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Status.choices)
    since = forms.DateField(label=_("Vanaf"), widget=DateInput())

    def __init__(self, *args, earliest=None, **kwargs):
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.earliest = earliest
        today = timezone.localdate()
        self.fields["since"].widget.attrs["max"] = today.isoformat()
        if earliest is not None:
            self.fields["since"].widget.attrs["min"] = earliest.isoformat()
            self.fields["since"].help_text = _("Tussen %(earliest)s en vandaag.") % {
                "earliest": day_long(earliest)
            }

    def clean_since(self):
        from .profiles import status_date_error

        since = self.cleaned_data["since"]
        error = status_date_error(since, earliest=self.earliest)
        if error is not None:
            raise forms.ValidationError(error.message, code=error.code)
        return since


class OnboardingForm(VersionedFormMixin, forms.Form):
    """VOG date, buddy (another available member of the same location: members.available_members,
    intake and aspirant marked, never paused or stopped) and the coordinators' notes."""

    # Not in the future, not before 2000 (buurtkamer.dates: every date from a form is bounded).
    vog_received_on = BoundedDateField(
        label=_("VOG ontvangen op"), required=False, widget=DateInput(), latest=not_after_today
    )
    buddy = forms.ModelChoiceField(
        label=_("Buddy"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(geen buddy)"),
    )
    notes = forms.CharField(
        label=_("Notities"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Alleen coördinatoren van deze locatie en medewerkers van AanZet lezen dit. De "
            "vrijwilliger ziet het ook als die de eigen gegevens downloadt. Schrijf geen "
            "medische of persoonlijke details op."
        ),
    )

    def __init__(self, *args, location, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buddy"].queryset = available_members(location).exclude(pk=person.pk)
        self.fields["buddy"].label_from_instance = member_label


class TrainingForm(forms.Form):
    name = forms.CharField(label=_("Training"), max_length=120)
    followed_on = BoundedDateField(
        label=_("Gevolgd op"), widget=DateInput(), latest=not_after_today
    )
