"""Realistic made-up visitor history for benchmarks and demos (`manage.py generate_history`,
`manage.py demo`, the browser tests), on SQLite and PostgreSQL alike (bulk inserts through the
ORM).

For every opened day-part (the opening hours of the demo where a location has none) from start
until end: about 25 visitors, more in winter than in summer, busier mornings than evenings, a few
day-parts closed (holidays, illness). About 5 % first visits (with how they came), 1.5 % of the
taps undone (voided), 6 % of the day-parts counted afterwards in a manual tally (a few of those
voided with their visits), 0–2 referrals. Day-parts that already have visits are left alone, so
running it again adds nothing twice.
"""

import datetime
import math
import random
import uuid

from django.db import connection, transaction
from django.utils import timezone

from locations.models import DayPart, Location, OpeningHours

from .models import (
    AgeBand,
    CameVia,
    FirstVisit,
    ManualTally,
    Referral,
    ReferralTarget,
    Source,
    Visit,
)

BATCH = 5000
PART_FACTOR = {DayPart.MORNING: 1.1, DayPart.AFTERNOON: 0.95, DayPart.EVENING: 0.75}
WEEKDAY_FACTOR = {1: 1.0, 2: 1.1, 3: 1.0, 4: 1.1, 5: 0.95, 6: 0.8, 7: 0.7}
TALLY_TIME = {
    DayPart.MORNING: datetime.time(10, 30),
    DayPart.AFTERNOON: datetime.time(15, 0),
    DayPart.EVENING: datetime.time(20, 0),
}


def ensure_opening_hours(locations):
    """The demo's opening hours for every location that has none (the four buurtkamers)."""
    from locations.demo import OPENING_HOURS

    missing = set(
        Location.objects.exclude(opening_hours__isnull=False).values_list("pk", flat=True)
    )
    new = [
        OpeningHours(
            location=location,
            weekday=weekday,
            day_part=part,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for location in locations
        if location.pk in missing and location.slug in OPENING_HOURS
        for weekday, parts in OPENING_HOURS[location.slug].items()
        for part, (opens_at, closes_at) in parts.items()
    ]
    OpeningHours.objects.bulk_create(new)


def season(day: datetime.date) -> float:
    """1.2 in mid-January, 0.8 in mid-July."""
    return 1 + 0.2 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)


VISIT_COLUMNS = [
    "location_id", "recorded_at", "recorded_on", "day_part", "first_visit", "age_band",
    "came_via_id", "source", "client_id", "time_from_server", "received_at", "tally_id",
    "voided_at",
]  # fmt: skip


def insert_visits(visits) -> None:
    """Bulk insert: COPY on PostgreSQL (several times faster than INSERTs of 100 000 rows),
    bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        return
    columns = ", ".join(VISIT_COLUMNS)
    sql = f"COPY visitors_visit ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for visit in visits:
            copy.write_row([getattr(visit, column) for column in VISIT_COLUMNS])


def _closed(seed, location_id, day, part) -> bool:
    """Closed for a holiday or illness: 3 % of the day-parts, the same ones every run."""
    return random.Random(f"{seed}-{location_id}-{day}-{part}").random() < 0.03  # noqa: S311


def generate(*, start, end, seed=0, per_day_part=25, stdout=None) -> dict:
    """Add the history from start to end (inclusive); returns {what: rows added}."""
    rng = random.Random(seed)  # noqa: S311 - made-up numbers, nothing secret
    locations = list(Location.objects.active().order_by("pk"))
    ensure_opening_hours(locations)
    hours = list(
        OpeningHours.objects.filter(location__in=locations)
        .order_by("location", "weekday", "opens_at")
        .values_list("location_id", "weekday", "day_part", "opens_at", "closes_at")
    )
    taken = set(
        Visit.objects.filter(recorded_on__range=(start, end))
        .order_by()
        .values_list("location_id", "recorded_on", "day_part")
        .distinct()
    )
    came_via = list(CameVia.objects.active().values_list("pk", flat=True)) or [None]
    targets = list(ReferralTarget.objects.active().values_list("pk", flat=True))
    per_weekday = {}
    for row in hours:
        per_weekday.setdefault(row[1], []).append(row)
    ages = [AgeBand.SENIOR] * 5 + [AgeBand.ADULT] * 4 + [AgeBand.UNDER_18] + [""] * 3
    tz = timezone.get_current_timezone()
    visits, tallies, tally_visits, referrals = [], [], [], []
    day = start
    while day <= end:
        for location_id, _weekday, part, opens_at, closes_at in per_weekday.get(
            day.isoweekday(), ()
        ):
            if (location_id, day, part) in taken or _closed(seed, location_id, day, part):
                continue  # already there, or closed that day
            mean = per_day_part * season(day) * PART_FACTOR[part] * WEEKDAY_FACTOR[day.isoweekday()]
            n = max(0, round(rng.gauss(mean, mean * 0.2)))
            if rng.random() < 0.06:
                voided = rng.random() < 0.05
                voided_at = (
                    datetime.datetime.combine(
                        day + datetime.timedelta(days=1), datetime.time(11), tz
                    )
                    if voided
                    else None
                )
                first = sum(rng.random() < 0.05 for _ in range(n))
                tally = ManualTally(
                    location_id=location_id,
                    date=day,
                    day_part=part,
                    visitors=max(n, 1),
                    first_visits=min(first, max(n, 1)),
                    created_at=datetime.datetime.combine(
                        day + datetime.timedelta(days=1), datetime.time(10), tz
                    ),
                    voided_at=voided_at,
                )
                tallies.append(tally)
                continue
            opens = datetime.datetime.combine(day, opens_at, tz)
            span = (datetime.datetime.combine(day, closes_at, tz) - opens).total_seconds()
            for _number in range(n):
                at = opens + datetime.timedelta(seconds=rng.random() * span)
                is_first = rng.random() < 0.05
                voided = rng.random() < 0.015
                visits.append(
                    Visit(
                        location_id=location_id,
                        recorded_at=at,
                        recorded_on=day,
                        day_part=part,
                        first_visit=FirstVisit.YES
                        if is_first
                        else (FirstVisit.NO if rng.random() < 0.7 else FirstVisit.UNKNOWN),
                        age_band=rng.choice(ages),
                        came_via_id=rng.choice(came_via) if is_first else None,
                        source=Source.TABLET,
                        client_id=uuid.uuid4(),
                        received_at=at,
                        voided_at=at + datetime.timedelta(seconds=40) if voided else None,
                    )
                )
            if targets:
                for _number in range(int(rng.random() * rng.random() * 3)):
                    referrals.append(
                        Referral(
                            location_id=location_id,
                            date=day,
                            target_id=rng.choice(targets),
                            created_at=datetime.datetime.combine(day, closes_at, tz),
                        )
                    )
        day += datetime.timedelta(days=1)
    with transaction.atomic():
        ManualTally.objects.bulk_create(tallies, batch_size=BATCH)
        for tally in tallies:
            moment = datetime.datetime.combine(tally.date, TALLY_TIME[DayPart(tally.day_part)], tz)
            tally_visits.extend(
                Visit(
                    location_id=tally.location_id,
                    recorded_at=moment,
                    recorded_on=tally.date,
                    day_part=tally.day_part,
                    first_visit=FirstVisit.YES
                    if number < tally.first_visits
                    else FirstVisit.UNKNOWN,
                    source=Source.MANUAL,
                    client_id=uuid.uuid4(),
                    received_at=tally.created_at,
                    tally_id=tally.pk,
                    voided_at=tally.voided_at,
                )
                for number in range(tally.visitors)
            )
        insert_visits(visits + tally_visits)
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
    return {
        "visits": len(visits) + len(tally_visits),
        "tallies": len(tallies),
        "referrals": len(referrals),
    }
