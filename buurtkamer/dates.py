"""Small date helpers shared by the roster, the programme, the reports and the forms.

- `years_before`: the same day a number of years earlier (29 February → 28 February), the one
  way "the same period a year ago" is computed.
- `months_before`, `month_end`, `previous_month`: calendar-month arithmetic on dateutil's
  `relativedelta` (31 March minus one month is 28/29 February: the end of the month is kept).
- `earliest_date` / `latest_date` / `in_range` / `clamp`: the dates the application accepts
  at all (from 2000 to five years ahead). Every date from a URL or a form is checked against
  them, so a typo like 0001-01-01 or 9999-12-31 is a clear message and never an OverflowError.
- `BoundedDateField`: a form field that does that check, with optional tighter bounds.
- `day_long` / `day_short` (and `day_time_long` / `day_time_short` for a moment): the one way a
  day is written for people, on pages, in e-mails, exports' titles and messages: "dinsdag
  3 december", "3 dec" in tight tables, with the year only when it is not this year. The formats
  are named ones (DAY_LONG_FORMAT …) in buurtkamer/formats/<language>/formats.py, the names of
  days and months come from the catalogues; templates use the filters of the same names
  ({% load dates %}, buurtkamer/templatetags/dates.py).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week a day falls in."""
    return day - datetime.timedelta(days=day.weekday())


def years_before(day: datetime.date, years: int = 1) -> datetime.date:
    """The same day `years` years earlier (negative: later); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (negative: later); a day the target month
    does not have becomes that month's last day (31 March minus one month: 28/29 February)."""
    return day - relativedelta(months=months)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of the month a day falls in."""
    return day + relativedelta(day=31)


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the month before the one today falls in."""
    start = today + relativedelta(months=-1, day=1)
    return start, month_end(start)


def same_week_a_year_before(monday: datetime.date) -> datetime.date:
    """The Monday of the same ISO week a year earlier (the week of the same Thursday)."""
    return monday_of(years_before(monday_of(monday) + datetime.timedelta(days=3)))


def _written(value, form: str, today: datetime.date | None, with_year: bool = False) -> str:
    """`value` (a date, or a datetime shown in local time) in the named format DAY_<form>_FORMAT
    of the active language, DAY_<form>_YEAR… when it falls in another year than today (or
    always, `with_year`: in a file, which is read later)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    day = value.date() if isinstance(value, datetime.datetime) else value
    today = today or timezone.localdate()
    length, _sep, rest = form.partition("_")
    year = "_YEAR" if with_year or day.year != today.year else ""
    suffix = f"_{rest}" if rest else ""
    return date_format(value, f"DAY_{length}{year}{suffix}_FORMAT")


def day_long(value, today: datetime.date | None = None, *, with_year: bool = False) -> str:
    """ "dinsdag 3 december" (another year: "dinsdag 3 december 2024") in the active language."""
    return _written(value, "LONG", today, with_year)


def day_short(value, today: datetime.date | None = None, *, with_year: bool = False) -> str:
    """ "3 dec" (another year: "3 dec 2024") in the active language, for tight tables."""
    return _written(value, "SHORT", today, with_year)


def day_time_long(value, today: datetime.date | None = None, *, with_year: bool = False) -> str:
    """A moment: "dinsdag 3 december, 14:05" (another year: "… 2024, 14:05")."""
    return _written(value, "LONG_TIME", today, with_year)


def day_time_short(value, today: datetime.date | None = None, *, with_year: bool = False) -> str:
    """A moment in a tight table: "3 dec, 14:05" (another year: "3 dec 2024, 14:05")."""
    return _written(value, "SHORT_TIME", today, with_year)


def earliest_date(today: datetime.date | None = None) -> datetime.date:
    return EARLIEST


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """Five years from today: the furthest date anything can be planned for."""
    return years_before(today or timezone.localdate(), -YEARS_AHEAD)


def in_range(day: datetime.date, today: datetime.date | None = None) -> bool:
    return earliest_date(today) <= day <= latest_date(today)


def clamp(day: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The nearest date the application accepts."""
    return min(max(day, earliest_date(today)), latest_date(today))


def parse_date(value) -> datetime.date | None:
    """A YYYY-MM-DD date from a URL, or None when it is missing or not a date."""
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def range_message(day: datetime.date, earliest: datetime.date, latest: datetime.date) -> str:
    """What to say about a date outside the accepted range (in Dutch)."""
    if day < earliest:
        return _("Deze datum ligt te ver terug. Kies een datum vanaf %(date)s.") % {
            "date": day_long(earliest)
        }
    return _("Deze datum ligt te ver vooruit. Kies een datum tot en met %(date)s.") % {
        "date": day_long(latest)
    }


def not_after_today(today: datetime.date) -> datetime.date:
    """A bound for dates that lie in the past or today (a VOG received, a training followed)."""
    return today


class BoundedDateField(forms.DateField):
    """A date from 2000 up to five years ahead, or tighter: `earliest` and `latest` are dates
    or callables taking today. Outside them: a Dutch form error naming the nearest bound."""

    def __init__(self, *args, earliest=None, latest=None, **kwargs):
        self.earliest = earliest or earliest_date
        self.latest = latest or latest_date
        super().__init__(*args, **kwargs)

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        earliest = self.earliest(today) if callable(self.earliest) else self.earliest
        latest = self.latest(today) if callable(self.latest) else self.latest
        return max(earliest, EARLIEST), min(latest, latest_date(today))

    def limit(self, *, earliest=None, latest=None) -> "BoundedDateField":
        """Tighter bounds for this form (dates or callables taking today)."""
        self.earliest = earliest or self.earliest
        self.latest = latest or self.latest
        self._show_bounds()
        return self

    def _show_bounds(self):
        earliest, latest = self.bounds()
        self.widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())

    def __deepcopy__(self, memo):
        # Each form gets a copy: its date picker gets today's bounds (not those of start-up).
        result = super().__deepcopy__(memo)
        result._show_bounds()
        return result

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        earliest, latest = self.bounds()
        if not earliest <= value <= latest:
            raise forms.ValidationError(range_message(value, earliest, latest), code="out_of_range")
