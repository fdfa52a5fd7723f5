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

from . import rollup
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
from .services import tally_visits

BATCH = 5000
PART_FACTOR = {DayPart.MORNING: 1.1, DayPart.AFTERNOON: 0.95, DayPart.EVENING: 0.75}
WEEKDAY_FACTOR = {1: 1.0, 2: 1.1, 3: 1.0, 4: 1.1, 5: 0.95, 6: 0.8, 7: 0.7}


def ensure_opening_hours(locations):
    """The demo's opening hours for every location that has none (the four buurtkamers)."""
    from locations.demo import add_demo_opening_hours

    missing = set(
        Location.objects.exclude(opening_hours__isnull=False).values_list("pk", flat=True)
    )
    add_demo_opening_hours([location for location in locations if location.pk in missing])


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


AGES = [AgeBand.SENIOR] * 5 + [AgeBand.ADULT] * 4 + [AgeBand.UNDER_18] + [""] * 3


class _History:
    """What one run of generate() makes, drawn from one random source (in a fixed order, so a
    seed gives the same history every time)."""

    def __init__(self, rng, came_via, targets):
        self.rng = rng
        self.came_via = came_via
        self.targets = targets
        self.tz = timezone.get_current_timezone()
        self.visits, self.tallies, self.referrals = [], [], []

    def at(self, day, time):
        return datetime.datetime.combine(day, time, self.tz)

    def day_part(self, location_id, day, part, opens_at, closes_at, per_day_part):
        mean = per_day_part * season(day) * PART_FACTOR[part] * WEEKDAY_FACTOR[day.isoweekday()]
        n = max(0, round(self.rng.gauss(mean, mean * 0.2)))
        if self.rng.random() < 0.06:
            self.tallies.append(self.tally(location_id, day, part, n))
            return
        self.taps(location_id, day, part, opens_at, closes_at, n)
        if self.targets:
            for _number in range(int(self.rng.random() * self.rng.random() * 3)):
                self.referrals.append(
                    Referral(
                        location_id=location_id,
                        date=day,
                        target_id=self.rng.choice(self.targets),
                        created_at=self.at(day, closes_at),
                    )
                )

    def tally(self, location_id, day, part, n) -> ManualTally:
        """The day-part counted afterwards (the next morning); 5 % of those voided."""
        rng, next_day = self.rng, day + datetime.timedelta(days=1)
        voided = rng.random() < 0.05
        first = sum(rng.random() < 0.05 for _ in range(n))
        return ManualTally(
            location_id=location_id,
            date=day,
            day_part=part,
            visitors=max(n, 1),
            first_visits=min(first, max(n, 1)),
            created_at=self.at(next_day, datetime.time(10)),
            voided_at=self.at(next_day, datetime.time(11)) if voided else None,
        )

    def taps(self, location_id, day, part, opens_at, closes_at, n) -> None:
        rng = self.rng
        opens = self.at(day, opens_at)
        span = (self.at(day, closes_at) - opens).total_seconds()
        for _number in range(n):
            at = opens + datetime.timedelta(seconds=rng.random() * span)
            is_first = rng.random() < 0.05
            voided = rng.random() < 0.015
            if is_first:
                first_visit = FirstVisit.YES
            else:
                first_visit = FirstVisit.NO if rng.random() < 0.7 else FirstVisit.UNKNOWN
            self.visits.append(
                Visit(
                    location_id=location_id,
                    recorded_at=at,
                    recorded_on=day,
                    day_part=part,
                    first_visit=first_visit,
                    age_band=rng.choice(AGES),
                    came_via_id=rng.choice(self.came_via) if is_first else None,
                    source=Source.TABLET,
                    client_id=uuid.uuid4(),
                    received_at=at,
                    voided_at=at + datetime.timedelta(seconds=40) if voided else None,
                )
            )

    def tally_visits(self, tally) -> list:
        """The visits a saved tally stands for (services.tally_visits), entered and voided when
        the tally was."""
        visits = tally_visits(tally, None)
        for visit in visits:
            visit.received_at, visit.voided_at = tally.created_at, tally.voided_at
        return visits

    def save(self) -> dict:
        with transaction.atomic():
            ManualTally.objects.bulk_create(self.tallies, batch_size=BATCH)
            tally_visits = [visit for tally in self.tallies for visit in self.tally_visits(tally)]
            insert_visits(self.visits + tally_visits)
            Referral.objects.bulk_create(self.referrals, batch_size=BATCH)
        return {
            "visits": len(self.visits) + len(tally_visits),
            "tallies": len(self.tallies),
            "referrals": len(self.referrals),
        }


def generate(*, start, end, seed=0, per_day_part=25, stdout=None) -> dict:
    """Add the history from start to end (inclusive); returns {what: rows added}."""
    locations = list(Location.objects.active().order_by("pk"))
    ensure_opening_hours(locations)
    per_weekday = {}
    for row in (
        OpeningHours.objects.filter(location__in=locations)
        .order_by("location", "weekday", "opens_at")
        .values_list("location_id", "weekday", "day_part", "opens_at", "closes_at")
    ):
        per_weekday.setdefault(row[1], []).append(row)
    taken = set(
        Visit.objects.filter(recorded_on__range=(start, end))
        .order_by()
        .values_list("location_id", "recorded_on", "day_part")
        .distinct()
    )
    history = _History(
        random.Random(seed),  # noqa: S311 - made-up numbers, nothing secret
        came_via=list(CameVia.objects.active().values_list("pk", flat=True)) or [None],
        targets=list(ReferralTarget.objects.active().values_list("pk", flat=True)),
    )
    day = start
    while day <= end:
        for location_id, _weekday, part, opens_at, closes_at in per_weekday.get(
            day.isoweekday(), ()
        ):
            if (location_id, day, part) in taken or _closed(seed, location_id, day, part):
                continue  # already there, or closed that day
            history.day_part(location_id, day, part, opens_at, closes_at, per_day_part)
        day += datetime.timedelta(days=1)
    added = history.save()
    rollup.refill(start, end)  # the reports' roll-up of the days written (visitors/rollup.py)
    return added
