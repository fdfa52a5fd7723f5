"""Demo data of the locations area, loaded by `manage.py demo` after the locations and people:
house rules, closures (Koningsdag, Christmas week, the summer break) and logbook entries. Also
the demo's addresses and opening hours (set by `manage.py demo`, used by generate_history and
the benchmarks)."""

import datetime

from django.db.models import F
from django.utils import timezone

from .models import (
    Closure,
    DayPart,
    Location,
    LogEntry,
    Membership,
    OpeningHours,
    Role,
    Weekday,
)
from .services import add_closure, closure_presets

# The demo's buurtkamers: address and opening hours per location slug.
ADDRESSES = {
    "burgum": ("Schoolstraat 12", "9251 EE"),
    "dokkum": ("Harddraversweg 3", "9101 XA"),
    "kollum": ("Voorstraat 40", "9291 CN"),
    "de-westereen": ("Haadwei 88", "9271 AB"),
}

MORNING = (datetime.time(9, 30), datetime.time(12, 0))
AFTERNOON = (datetime.time(13, 30), datetime.time(16, 30))
EVENING = (datetime.time(19, 0), datetime.time(21, 0))

OPENING_HOURS = {
    "burgum": {
        Weekday.MONDAY: {DayPart.MORNING: MORNING},
        Weekday.WEDNESDAY: {DayPart.MORNING: MORNING, DayPart.AFTERNOON: AFTERNOON},
        Weekday.FRIDAY: {DayPart.MORNING: MORNING},
    },
    "dokkum": {
        Weekday.TUESDAY: {DayPart.MORNING: MORNING, DayPart.AFTERNOON: AFTERNOON},
        Weekday.THURSDAY: {DayPart.MORNING: MORNING, DayPart.EVENING: EVENING},
        Weekday.SATURDAY: {DayPart.MORNING: (datetime.time(10, 0), datetime.time(12, 30))},
    },
    "kollum": {
        Weekday.MONDAY: {DayPart.AFTERNOON: AFTERNOON},
        Weekday.THURSDAY: {DayPart.MORNING: MORNING, DayPart.AFTERNOON: AFTERNOON},
    },
    "de-westereen": {
        Weekday.TUESDAY: {DayPart.MORNING: MORNING},
        Weekday.WEDNESDAY: {DayPart.EVENING: EVENING},
        Weekday.FRIDAY: {DayPart.MORNING: MORNING, DayPart.AFTERNOON: AFTERNOON},
    },
}


def demo_opening_hours(location) -> list:
    """The demo's opening hours of one of the four buurtkamers, unsaved (none for another)."""
    return [
        OpeningHours(
            location=location,
            weekday=weekday,
            day_part=part,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for weekday, parts in OPENING_HOURS.get(location.slug, {}).items()
        for part, (opens_at, closes_at) in parts.items()
    ]


def add_demo_opening_hours(locations) -> None:
    """Store the demo's opening hours of these locations, and bump their opening-hours version
    as every change of the hours does (a running server's cached slots: day_part_at)."""
    OpeningHours.objects.bulk_create(
        hours for location in locations for hours in demo_opening_hours(location)
    )
    Location.objects.filter(pk__in=[location.pk for location in locations]).update(
        opening_hours_version=F("opening_hours_version") + 1
    )


HOUSE_RULES = """Iedereen is welkom. U hoeft zich niet aan te melden.
We gaan vriendelijk en met respect met elkaar om.
Koffie en thee zijn gratis. Voor de lunch vragen we een kleine bijdrage.
Binnen wordt niet gerookt. Alcohol en drugs zijn niet toegestaan.
Honden alleen aan de lijn.
Vragen of ideeën? Loop even naar de vrijwilliger met het naamkaartje."""

EXTRA_RULE = {
    "dokkum": "Fietsen graag in het rek naast de ingang, niet voor de deur.",
    "burgum": "De grote zaal is op woensdagmiddag voor de kaartclub.",
    "kollum": "Laat de deur naar de tuin dicht in verband met de kat van de buren.",
    "de-westereen": "Jassen en tassen aan de kapstok in de gang.",
}

# days ago, day-part, kind, text, needs follow-up, closing note (None: still open)
ENTRIES = [
    (
        6,
        DayPart.MORNING,
        LogEntry.Kind.GENERAL,
        "Rustige ochtend, een man of twaalf aan de koffie. De nieuwe puzzels vielen goed in de "
        "smaak. Suiker en koffiefilters zijn bijna op.",
        False,
        None,
    ),
    (
        4,
        DayPart.AFTERNOON,
        LogEntry.Kind.MAINTENANCE,
        "De kraan in de keuken lekt. Er staat een emmer onder.",
        True,
        "Loodgieter is geweest, de kraan is vervangen.",
    ),
    (
        2,
        DayPart.MORNING,
        LogEntry.Kind.SIGNAL,
        "Een vaste bezoeker vertelde dat hij zich erg alleen voelt sinds zijn vrouw is "
        "overleden. Hij vond het fijn dat we even tijd voor hem hadden.",
        False,
        None,
    ),
    (
        1,
        DayPart.AFTERNOON,
        LogEntry.Kind.INCIDENT,
        "Rond half vier stond een groepje jongeren bij de ingang. Ze maakten veel lawaai en "
        "gooiden met blikjes. Na een rustig gesprek gingen ze weg. Twee bezoekers schrokken "
        "ervan.",
        True,
        None,
    ),
]


def _people(location):
    members = (
        Membership.objects.current()
        .filter(location=location)
        .select_related("user")
        .order_by("started_at", "id")
    )
    volunteer = next((m.user for m in members if m.role == Role.VOLUNTEER), None)
    coordinator = next((m.user for m in members if m.role == Role.COORDINATOR), None)
    return volunteer, coordinator


def load(*, today, stdout):
    """Add this area's demo data; safe to run again (nothing doubled)."""
    presets = closure_presets(today)
    entries = closures = 0
    for location in Location.objects.order_by("name"):
        if not location.house_rules:
            rules = HOUSE_RULES
            if extra := EXTRA_RULE.get(location.slug):
                rules += "\n" + extra
            location.house_rules = rules
            location.save(update_fields=["house_rules"])

        volunteer, coordinator = _people(location)
        for preset in presets:
            if not Closure.objects.filter(location=location).covering(
                preset.starts_on, preset.ends_on
            ):
                add_closure(  # the service: it cancels what is planned on those days
                    location=location,
                    starts_on=preset.starts_on,
                    ends_on=preset.ends_on,
                    reason=preset.reason,
                    created_by=coordinator,
                )
                closures += 1

        for days_ago, day_part, kind, text, follow_up, note in ENTRIES:
            date = today - datetime.timedelta(days=days_ago)
            written = timezone.make_aware(
                datetime.datetime.combine(date, datetime.time(16, 45 + days_ago))
            )
            _entry, created = LogEntry.objects.get_or_create(
                location=location,
                text=text,
                defaults={
                    "date": date,
                    "day_part": day_part,
                    "kind": kind,
                    "needs_follow_up": follow_up,
                    "author": volunteer or coordinator,
                    "created_at": written,
                    "closed_at": written + datetime.timedelta(days=2) if note else None,
                    "closed_by": coordinator if note else None,
                    "closing_note": note or "",
                },
            )
            entries += created
    stdout.write(f"Locations: {entries} logbook entries, {closures} closures added.")
