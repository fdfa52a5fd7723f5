"""Which period, which locations and how grouped: the report's filters.

`ReportFilterForm` reads them from the query string (the parameter names are the page's
links: periode, van, tot, per, indeling, locatie, extern) and `filters_from` turns a form into
`Filters`. A choice or date that is not valid is a Dutch message on the form and the default
is used instead, so the page always shows figures; a location the person may not see is a 404.
"""

import datetime
from dataclasses import dataclass, field

from crispy_forms.bootstrap import InlineCheckboxes, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import models
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtkamer.dates import (
    BoundedDateField,
    day_short,
    monday_of,
    month_end,
    previous_month,
    years_before,
)
from buurtkamer.permissions import Action, locations_for

# A period longer than this is refused: a typo in a year should not ask for centuries.
LONGEST_PERIOD = datetime.timedelta(days=366 * 11)


class Period(models.TextChoices):
    THIS_WEEK = "deze-week", gettext_lazy("deze week")
    LAST_WEEK = "vorige-week", gettext_lazy("vorige week")
    THIS_MONTH = "deze-maand", gettext_lazy("deze maand")
    LAST_MONTH = "vorige-maand", gettext_lazy("vorige maand")
    THIS_QUARTER = "dit-kwartaal", gettext_lazy("dit kwartaal")
    THIS_YEAR = "dit-jaar", gettext_lazy("dit jaar")
    LAST_YEAR = "vorig-jaar", gettext_lazy("vorig jaar")
    CUSTOM = "anders", gettext_lazy("van – tot")


class Grouping(models.TextChoices):
    """How the course over time is grouped (URL parameter "per")."""

    DAY = "dag", gettext_lazy("per dag")
    WEEK = "week", gettext_lazy("per week")
    MONTH = "maand", gettext_lazy("per maand")


class Per(models.TextChoices):
    """What is put side by side (URL parameter "indeling")."""

    LOCATION = "locatie", gettext_lazy("per locatie")
    MUNICIPALITY = "gemeente", gettext_lazy("per gemeente")


def preset_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = monday_of(today)
    if preset == Period.THIS_WEEK:
        return monday, monday + datetime.timedelta(days=6)
    if preset == Period.LAST_WEEK:
        return monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)
    if preset == Period.LAST_MONTH:
        return previous_month(today)
    if preset == Period.THIS_QUARTER:
        first_month = (today.month - 1) // 3 * 3 + 1
        start = today.replace(month=first_month, day=1)
        return start, month_end(start.replace(month=first_month + 2))
    if preset == Period.THIS_YEAR:
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    if preset == Period.LAST_YEAR:
        year = today.year - 1
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return today.replace(day=1), month_end(today)  # this month, the default


def default_grouping(start, end) -> str:
    days = (end - start).days + 1
    if days <= 31:
        return Grouping.DAY
    if days <= 92:
        return Grouping.WEEK
    return Grouping.MONTH


@dataclass
class Filters:
    start: datetime.date
    end: datetime.date
    locations: list  # Location objects, in name order
    grouping: str = Grouping.WEEK
    per: str = Per.LOCATION
    preset: str = Period.CUSTOM
    external: bool = False
    all_locations: bool = True  # no choice made: everything the person may see
    allowed: list = field(default_factory=list)  # every location the person may choose
    notice: str = ""  # why the dates asked for were not used (shown above the figures)

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def previous(self):
        """The period of the same length just before."""
        length = datetime.timedelta(days=self.days)
        return self.start - length, self.end - length

    @property
    def year_before(self):
        return years_before(self.start), years_before(self.end)

    @property
    def whole_year(self) -> bool:
        """1 January to 31 December of one year: the period before *is* the year before."""
        first_day = datetime.date(self.start.year, 1, 1)
        return self.start == first_day and self.end == datetime.date(self.start.year, 12, 31)

    @property
    def label(self):
        return f"{day_short(self.start)} – {day_short(self.end)}"

    def filename(self, extension: str) -> str:
        """The filters in the file name: rapportage_2026-01-01_2026-12-31_dokkum_per-maand."""
        places = "alle-locaties" if self.all_locations else "-".join(x.slug for x in self.locations)
        parts = ["rapportage", self.start.isoformat(), self.end.isoformat(), places]
        parts.append(f"per-{self.grouping}")
        if self.per == Per.MUNICIPALITY:
            parts.append("per-gemeente")
        if self.external:
            parts.append("extern")
        return "_".join(parts) + f".{extension}"

    def query(self, **changes) -> str:
        """The query string of these filters (for the export links)."""
        params = QueryDict(mutable=True)
        params["periode"] = self.preset
        if self.preset == Period.CUSTOM:
            params["van"], params["tot"] = self.start.isoformat(), self.end.isoformat()
        if not self.all_locations:
            params.setlist("locatie", [location.slug for location in self.locations])
        params["per"] = self.grouping
        params["indeling"] = self.per
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()

    def initial(self) -> dict:
        """The form's values for these filters (the dates the preset stands for, too)."""
        chosen = [] if self.all_locations else [location.slug for location in self.locations]
        return {
            "periode": self.preset,
            "van": self.start,
            "tot": self.end,
            "per": self.grouping,
            "indeling": self.per,
            "locatie": chosen,
        }


def report_locations(user):
    """The locations a person may see reports of: all for staff, coordinated ones otherwise.

    Nobody else may see reports: PermissionDenied (403)."""
    locations = list(locations_for(user, Action.MANAGE_LOCATION).order_by("name"))
    if not locations:
        raise PermissionDenied
    return locations


def _choices(text_choices):
    return [(value, capfirst(label)) for value, label in text_choices.choices]


# What a link with a choice that does not exist (any more) hears: the default is then used.
NOT_A_CHOICE = {"invalid_choice": gettext_lazy("Kies een van de mogelijkheden uit de lijst.")}


class ReportFilterForm(forms.Form):
    periode = forms.ChoiceField(
        label=gettext_lazy("Periode"),
        choices=_choices(Period),
        required=False,
        error_messages=NOT_A_CHOICE,
        help_text=gettext_lazy("Kies “van – tot” om zelf de datums te bepalen."),
    )
    van = BoundedDateField(
        label=gettext_lazy("Van"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    tot = BoundedDateField(
        label=gettext_lazy("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    per = forms.ChoiceField(
        label=gettext_lazy("Verloop"),
        choices=_choices(Grouping),
        required=False,
        error_messages=NOT_A_CHOICE,
    )
    indeling = forms.ChoiceField(
        label=gettext_lazy("Naast elkaar"),
        choices=_choices(Per),
        required=False,
        error_messages=NOT_A_CHOICE,
    )
    locatie = forms.MultipleChoiceField(
        label=gettext_lazy("Locaties (niets aangevinkt: alle)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extern = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, allowed, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        self.fields["locatie"].choices = [(x.slug, x.name) for x in allowed]
        if len(allowed) < 2:
            del self.fields["locatie"]  # nothing to choose
        self.helper = self._helper()

    def _helper(self):
        helper = FormHelper(self)
        helper.form_method = "get"
        helper.form_tag = False
        helper.disable_csrf = True
        places = [InlineCheckboxes("locatie")] if "locatie" in self.fields else []
        helper.layout = Layout(
            Div(
                Div("periode", css_class="col-md-6 col-xl-3"),
                Div("van", css_class="col-6 col-xl-2"),
                Div("tot", css_class="col-6 col-xl-2"),
                Div("per", css_class="col-6 col-xl-2"),
                Div("indeling", css_class="col-6 col-xl-3"),
                css_class="row g-3",
            ),
            *places,
            StrictButton(_("Toon cijfers"), type="submit", css_class="btn-primary"),
        )
        return helper

    def clean(self):
        data = super().clean()
        if data.get("periode") != Period.CUSTOM or self.has_error("van") or self.has_error("tot"):
            return data
        start, end = data.get("van"), data.get("tot")
        if start is None or end is None:
            self.add_error(None, _("Vul bij “van – tot” allebei de datums in."))
        elif end < start:
            self.add_error("tot", _("Deze datum ligt voor de begindatum. Kies een latere datum."))
        elif end - start > LONGEST_PERIOD:
            self.add_error("tot", _("Kies een periode van hoogstens tien jaar."))
        return data


def _period(form, today):
    """(preset, start, end, notice) of a checked form: its own dates when they are valid."""
    data = form.cleaned_data
    preset = data.get("periode") or Period.THIS_MONTH
    if preset == Period.CUSTOM:
        if not (form.has_error("van") or form.has_error("tot") or form.non_field_errors()):
            return preset, data["van"], data["tot"], ""
        errors = form.errors.as_data()
        messages = [
            m
            for name in ("van", "tot", NON_FIELD_ERRORS)
            for e in errors.get(name, [])
            for m in e.messages
        ]
        notice = " ".join([*messages[:1], _("Je ziet nu de cijfers van deze maand.")])
        preset = Period.THIS_MONTH
        return (preset, *preset_range(preset, today), notice)
    return (preset, *preset_range(preset, today), "")


YEARS_SHOWN = 10  # the year overview offers this year and the nine before


class YearOverviewForm(forms.Form):
    """The year overview's choices: the calendar year (last year unless asked), for outside use
    or not, and the locations chosen on the report (kept, not shown again)."""

    jaar = forms.TypedChoiceField(
        label=gettext_lazy("Jaar"), coerce=int, required=False, error_messages=NOT_A_CHOICE
    )
    extern = forms.BooleanField(
        label=gettext_lazy("Voor extern gebruik (aantallen onder 5 als “<5”)"), required=False
    )
    locatie = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, params, *, filters, today):
        super().__init__(params, initial={"jaar": today.year - 1})
        self.fields["jaar"].choices = [
            (year, year) for year in range(today.year, today.year - YEARS_SHOWN, -1)
        ]
        self.fields["locatie"].choices = [(x.slug, x.name) for x in filters.allowed]
        self.default_year = today.year - 1
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_class = "d-flex flex-wrap gap-3 align-items-end"
        self.helper.layout = Layout(
            "jaar",
            "extern",
            "locatie",
            StrictButton(_("Toon"), type="submit", css_class="btn-primary mb-3"),
        )

    @property
    def year(self) -> int:
        """The year asked for, or last year when nothing (or nothing valid) was asked."""
        if self.is_valid() and self.cleaned_data["jaar"]:
            return self.cleaned_data["jaar"]
        return self.default_year


def filters_from(params, user, *, today=None) -> tuple[ReportFilterForm, Filters]:
    """The form of a query string and the filters it stands for, limited to what this person
    may see. A location slug the person may not see is a 404, whatever else is asked."""
    today = today or timezone.localdate()
    allowed = report_locations(user)
    asked = [slug for slug in params.getlist("locatie") if slug]
    if not set(asked) <= {location.slug for location in allowed}:
        raise Http404
    form = ReportFilterForm(params, allowed=allowed)
    form.is_valid()  # a field in error falls back to its default below
    preset, start, end, notice = _period(form, today)
    chosen = [location for location in allowed if location.slug in asked] or allowed
    filters = Filters(
        start=start,
        end=end,
        locations=chosen,
        grouping=form.cleaned_data.get("per") or default_grouping(start, end),
        per=form.cleaned_data.get("indeling") or Per.LOCATION,
        preset=preset,
        external=bool(form.cleaned_data.get("extern")),
        all_locations=not asked or len(chosen) == len(allowed),
        allowed=allowed,
        notice=notice,
    )
    if not form.errors:  # show the dates the preset stands for
        form = ReportFilterForm(initial=filters.initial(), allowed=allowed)
    return form, filters


def parse_filters(params, user, *, today=None) -> Filters:
    """The filters of a query string (the exports and the year overview: no form shown)."""
    return filters_from(params, user, today=today)[1]
