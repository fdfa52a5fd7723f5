"""Five years of history for the bench database, in seconds: a few rows through the ORM
(people, memberships, opening hours, tablets), the bulk through INSERT ... SELECT with
generate_series in PostgreSQL.

What it makes, for the four buurtkamers of the migrations:
- the opening hours of the demo data (16 opened day-parts a week between them);
- for every opened day-part of the last five years (4 % closed for holidays or illness)
  5 to 25 visitors: tapped on the tablet (2 % of taps undone), or, for 8 % of the day-parts,
  counted afterwards in a manual tally (5 % of the tallies voided, with their visits);
- today: 20 to 30 taps per location in the hours before now;
- 0 to 2 referrals per opened day-part, audit events for undone taps and tallies;
- AanZet staff (with TOTP), coordinators, volunteers (some in two locations, some who left);
- per location an old tablet (revoked a month ago) and the paired tablet of now.
"""

import contextlib
import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from activities import services as programme_services
from activities.models import Activity, Category, Occurrence
from buurtkamer.dates import years_before
from locations.demo import ADDRESSES, demo_opening_hours
from locations.models import Location, Membership, OpeningHours, Role
from visitors import services
from visitors.models import CameVia, ReferralTarget, Tablet
from volunteers import services as roster_services
from volunteers.models import Assignment, Shift, ShiftTemplate, Task

YEARS = 5
VISITS_MIN = int(os.environ.get("BENCH_VISITS_MIN", "5"))
VISITS_MAX = int(os.environ.get("BENCH_VISITS_MAX", "25"))
VOLUNTEERS_PER_LOCATION = 15
TABLET_SWITCH_DAYS = 30  # the current tablets were paired a month ago
LOGIN_LOCATION = "dokkum"  # the coordinator and volunteer who log in work here

FIRST_NAMES = [
    "Anneke", "Jan", "Sietske", "Durk", "Hiltsje", "Pieter", "Gerda", "Tjitske", "Hendrik",
    "Wytske", "Klaas", "Froukje", "Auke", "Baukje", "Douwe", "Geeske", "Harm", "Ietje",
    "Jelle", "Lolkje", "Marten", "Nynke", "Oene", "Romke", "Sjoukje", "Tsjalling", "Willem",
]  # fmt: skip
LAST_NAMES = [
    "de Vries", "Hoekstra", "Bosma", "van der Meer", "Postma", "Dijkstra", "Wiersma", "Kuipers",
    "Visser", "Terpstra", "Jongsma", "Zijlstra", "Bergsma", "Hofstra", "Kingma", "Sikkema",
]  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """How much history: the default (four buurtkamers, five years) or a larger one
    (bench/national.py). `more_locations(locations)` adds locations with their opening hours
    and returns them all; `bulk_load(cursor)` is a context manager around the history's
    statements; `roster` and `programme` replace _roster and _programme (same arguments);
    `finish(locations, people)` runs after the rest."""

    name: str = "default"
    years: int = YEARS
    visits: tuple[int, int] = (VISITS_MIN, VISITS_MAX)
    volunteers_per_location: int = VOLUNTEERS_PER_LOCATION
    more_locations: Callable | None = None
    bulk_load: Callable | None = None
    roster: Callable | None = None
    programme: Callable | None = None
    finish: Callable | None = None


DEFAULT = Scale()


@dataclass
class Fixture:
    """What the benchmark needs from the history: who logs in, and the tablets' tokens."""

    password: str
    totp_secret: str  # of every staff member: staff work with TOTP
    staff: object
    coordinator: object
    volunteer: object
    tablet_tokens: dict  # location slug -> cookie value of its paired tablet
    counts: dict  # table -> rows


def fill(password: str, scale: Scale = DEFAULT) -> Fixture:
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        locations = _locations()
        if scale.more_locations is not None:
            locations = scale.more_locations(locations)
        people = _people(locations, password, now, scale)
        totp_secret = generate_totp_secret()
        for user in get_user_model().objects.filter(is_aanzet_staff=True):
            TOTP.activate(user, totp_secret)
        tokens, old_tablets = _tablets(locations, now, scale)
        with connection.cursor() as cursor:
            _history(cursor, locations, old_tablets, today, now, scale)
        (scale.roster or _roster)(locations, today)
        (scale.programme or _programme)(locations, today)
        if scale.finish is not None:
            scale.finish(locations, people)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # a database in use for years has statistics
        counts = {}
        for table in [
            "visitors_visit",
            "visitors_manualtally",
            "visitors_referral",
            "buurtkamer_user",
            "locations_membership",
            "locations_openinghours",
            "visitors_tablet",
            "buurtkamer_auditevent",
            "volunteers_shift",
            "volunteers_assignment",
            "activities_activity",
            "activities_occurrence",
        ]:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM visitors_visit WHERE voided_at IS NOT NULL",
        )
        counts["visitors_visit_voided"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM visitors_visit WHERE recorded_on = %s", [today])
        counts["visitors_visit_today"] = cursor.fetchone()[0]
    return Fixture(
        password=password, totp_secret=totp_secret, tablet_tokens=tokens, counts=counts, **people
    )


def _locations() -> dict[str, Location]:
    locations = {location.slug: location for location in Location.objects.all()}
    for slug, (address, postal_code) in ADDRESSES.items():
        location = locations[slug]
        location.address, location.postal_code = address, postal_code
        location.save(update_fields=["address", "postal_code"])
        OpeningHours.objects.bulk_create(demo_opening_hours(location))
    return locations


def _people(locations, password, now, scale=DEFAULT) -> dict:
    """Staff, coordinators, volunteers; three of them log in with `password`."""
    User = get_user_model()
    hashed = make_password(password)  # one slow hash, shared by the three who log in
    users, memberships = [], []
    counter = iter(range(100_000))
    years = scale.years

    def person(prefix, *, staff=False, login=False, active=True):
        number = next(counter)
        user = User(
            email=f"{prefix}@bench.example.org",
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[number % len(LAST_NAMES)],
            is_aanzet_staff=staff,
            is_active=active,
            password=hashed if login else make_password(None),
            date_joined=now - datetime.timedelta(days=years * 365 - number * 7 % (years * 365)),
        )
        users.append(user)
        return user

    def member(user, location, role, *, ended=False, years_ago=years):
        started = now - datetime.timedelta(days=int(years_ago * 365))
        memberships.append(
            Membership(
                user=user,
                location=location,
                role=role,
                started_at=started,
                ended_at=started + datetime.timedelta(days=200) if ended else None,
            )
        )

    staff = person("staf", staff=True, login=True)
    person("staf.financien", staff=True)
    person("staf.kwaliteit", staff=True)
    coordinator = volunteer = None
    for slug, location in locations.items():
        main = person(f"coordinator.{slug}", login=slug == LOGIN_LOCATION)
        member(main, location, Role.COORDINATOR)
        if slug == LOGIN_LOCATION:
            coordinator = main
            member(person(f"coordinator2.{slug}"), location, Role.COORDINATOR, years_ago=2)
        for number in range(scale.volunteers_per_location):
            login = slug == LOGIN_LOCATION and number == 0
            user = person(f"vrijwilliger{number}.{slug}", login=login)
            member(user, location, Role.VOLUNTEER, years_ago=1 + number % years)
            if login:
                volunteer = user
        for number in range(3):  # left, but kept in the history
            gone = person(f"oud{number}.{slug}", active=number != 0)
            member(gone, location, Role.VOLUNTEER, ended=True, years_ago=years - number)
    # Two people who work in two locations.
    slugs = list(locations)
    for number in range(2):
        user = person(f"twee{number}.bench")
        member(user, locations[slugs[number]], Role.VOLUNTEER)
        member(user, locations[slugs[number + 1]], Role.COORDINATOR, years_ago=1)
    User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
    )
    Membership.objects.bulk_create(memberships)
    return {"staff": staff, "coordinator": coordinator, "volunteer": volunteer}


def _tablets(locations, now, scale=DEFAULT) -> tuple[dict[str, str], dict[int, Tablet]]:
    """Per location the tablet of the years before (revoked) and the paired one of now."""
    switch = now - datetime.timedelta(days=TABLET_SWITCH_DAYS)
    tokens, old = {}, {}
    for slug, location in locations.items():
        old[location.pk] = Tablet.objects.create(
            location=location,
            name="Oude tablet",
            token_hash=f"revoked-{slug}".ljust(64, "0"),
            paired_at=now - datetime.timedelta(days=scale.years * 366),
            last_seen_at=switch,
            revoked_at=switch,
        )
        tablet, token = services.pair_tablet(
            location=location, name=f"Tablet {location.town}", paired_by=None
        )
        Tablet.objects.filter(pk=tablet.pk).update(paired_at=switch)
        tokens[slug] = token
    return tokens, old


# Every opened day-part of the last years, with its number of visitors.
_DAYPARTS_SQL = """
        CREATE TEMP TABLE bench_dayparts AS
        SELECT oh.location_id, d::date AS date, oh.day_part, oh.opens_at, oh.closes_at,
               %(vmin)s + floor(random() * (%(vmax)s - %(vmin)s + 1))::int AS n,
               random() < 0.08 AS manual,
               floor(random() * random() * 3)::int AS referrals,
               (SELECT m.user_id FROM locations_membership m
                 WHERE m.location_id = oh.location_id AND m.role = 'coordinator'
                 ORDER BY m.id LIMIT 1) AS coordinator_id
          FROM locations_openinghours oh
          JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
            ON extract(isodow FROM d) = oh.weekday
         WHERE random() >= 0.04
        """


# Day-parts without the tablet: a tally entered the next morning, 5 % voided later.
_MANUAL_TALLIES_SQL = """
        INSERT INTO visitors_manualtally (location_id, date, day_part, visitors, first_visits,
                                          created_at, created_by_id, voided_at, voided_by_id)
        SELECT location_id, date, day_part, n, floor(n * random() * 0.3)::int,
               ((date + 1) + time '10:00') AT TIME ZONE %(tz)s, coordinator_id,
               CASE WHEN voided THEN ((date + 1) + time '11:00') AT TIME ZONE %(tz)s END,
               CASE WHEN voided THEN coordinator_id END
          FROM (SELECT *, random() < 0.05 AS voided FROM bench_dayparts WHERE manual) AS dp
        """


_MANUAL_VISITS_SQL = """
        INSERT INTO visitors_visit (location_id, recorded_at, recorded_on, day_part, first_visit,
                                    age_band, came_via_id, source, client_id, time_from_server,
                                    received_at, recorded_by_id, tally_id, voided_at,
                                    voided_by_id)
        SELECT t.location_id,
               (t.date + CASE t.day_part WHEN 'morning' THEN time '10:30'
                                         WHEN 'afternoon' THEN time '15:00'
                                         ELSE time '20:00' END) AT TIME ZONE %(tz)s,
               t.date, t.day_part, CASE WHEN i <= t.first_visits THEN 'yes' ELSE 'no' END, '',
               NULL, 'manual', gen_random_uuid(), false, t.created_at, t.created_by_id, t.id,
               t.voided_at, t.voided_by_id
          FROM visitors_manualtally t, generate_series(1, t.visitors) AS i
        """


# Tablet taps: a moment within the opening hours, a few facts, 2 % undone.
_TABLET_VISITS_SQL = """
        INSERT INTO visitors_visit (location_id, recorded_at, recorded_on, day_part, first_visit,
                                    age_band, came_via_id, source, client_id, time_from_server,
                                    received_at, recorded_by_tablet_id, voided_at,
                                    voided_by_tablet_id)
        SELECT location_id, at, date, day_part,
               CASE WHEN r2 < 0.1 THEN 'yes' WHEN r2 < 0.75 THEN 'no' ELSE 'unknown' END,
               CASE WHEN r3 < 0.3 THEN '' WHEN r3 < 0.72 THEN '65_plus'
                    WHEN r3 < 0.98 THEN '18_64' ELSE 'under_18' END,
               CASE WHEN r2 < 0.1
                    THEN (%(came_via)s::bigint[])
                         [1 + floor(r5 * cardinality(%(came_via)s::bigint[]))::int]
               END,
               'tablet', gen_random_uuid(), r4 > 0.99, at + interval '1 second', tablet_id,
               CASE WHEN r4 < 0.02 THEN at + interval '40 seconds' END,
               CASE WHEN r4 < 0.02 THEN tablet_id END
          FROM (SELECT dp.location_id, dp.date, dp.day_part,
                       ((dp.date + dp.opens_at) + (dp.closes_at - dp.opens_at) * random())
                           AT TIME ZONE %(tz)s AS at,
                       CASE WHEN dp.date >= %(switch)s THEN bt.new_id ELSE bt.old_id END
                           AS tablet_id,
                       random() AS r2, random() AS r3, random() AS r4, random() AS r5
                  FROM bench_dayparts dp
                  JOIN bench_tablets bt USING (location_id)
                  CROSS JOIN LATERAL generate_series(1, dp.n) AS i
                 WHERE NOT dp.manual) AS taps
        """


# Today: 20 to 30 taps per location in the hours before now (one undone).
_VISITS_TODAY_SQL = """
        INSERT INTO visitors_visit (location_id, recorded_at, recorded_on, day_part, first_visit,
                                    age_band, source, client_id, time_from_server, received_at,
                                    recorded_by_tablet_id, voided_at, voided_by_tablet_id)
        SELECT location_id, at, %(today)s,
               CASE WHEN extract(hour FROM at AT TIME ZONE %(tz)s) < 12 THEN 'morning'
                    WHEN extract(hour FROM at AT TIME ZONE %(tz)s) < 18 THEN 'afternoon'
                    ELSE 'evening' END,
               CASE WHEN i %% 7 = 0 THEN 'yes' ELSE 'no' END, '65_plus', 'tablet',
               gen_random_uuid(), false, at, new_id,
               CASE WHEN i = 3 THEN at + interval '30 seconds' END,
               CASE WHEN i = 3 THEN new_id END
          FROM (SELECT bt.location_id, bt.new_id, i,
                       %(now)s::timestamptz - least(
                           interval '8 hours',
                           %(now)s::timestamptz - (%(today)s::date::timestamp AT TIME ZONE %(tz)s)
                       ) * random() AS at
                  FROM bench_tablets bt
                  CROSS JOIN LATERAL generate_series(1, bt.taps_today) AS i)
               AS taps
        """


_REFERRALS_SQL = """
        INSERT INTO visitors_referral (location_id, date, target_id, created_by_id, created_at)
        SELECT dp.location_id, dp.date,
               (%(targets)s::bigint[])
                   [1 + floor(random() * cardinality(%(targets)s::bigint[]))::int],
               dp.coordinator_id, (dp.date + dp.closes_at) AT TIME ZONE %(tz)s
          FROM bench_dayparts dp
          CROSS JOIN LATERAL generate_series(1, dp.referrals) AS i
        """


_AUDIT_EVENTS_SQL = """
        INSERT INTO buurtkamer_auditevent (at, action, subject, details, actor_id, location_id)
        SELECT v.voided_at, 'visit_voided', v.client_id::text,
               jsonb_build_object('tablet', t.name), NULL, v.location_id
          FROM visitors_visit v JOIN visitors_tablet t ON t.id = v.voided_by_tablet_id
        UNION ALL
        SELECT created_at, 'tally_recorded', date::text || ' ' || day_part || ': ' || visitors,
               '{}'::jsonb, created_by_id, location_id
          FROM visitors_manualtally
        """

_HISTORY_STATEMENTS = [
    _DAYPARTS_SQL,
    _MANUAL_TALLIES_SQL,
    _MANUAL_VISITS_SQL,
    _TABLET_VISITS_SQL,
    _VISITS_TODAY_SQL,
    _REFERRALS_SQL,
    _AUDIT_EVENTS_SQL,
]


def _history(cursor, locations, old_tablets, today, now, scale=DEFAULT) -> None:
    start = years_before(today, scale.years)
    params = {
        "tz": settings.TIME_ZONE,
        "start": start,
        "end": today - datetime.timedelta(days=1),
        "today": today,
        "now": now,
        "switch": today - datetime.timedelta(days=TABLET_SWITCH_DAYS),
        "vmin": scale.visits[0],
        "vmax": scale.visits[1],
        "came_via": list(CameVia.objects.order_by("pk").values_list("pk", flat=True)),
        "targets": list(ReferralTarget.objects.order_by("pk").values_list("pk", flat=True)),
    }
    cursor.execute("SELECT setseed(0.7)")  # the same history every run
    cursor.execute(
        "CREATE TEMP TABLE bench_tablets "
        "(location_id bigint, old_id bigint, new_id bigint, taps_today int)"
    )
    for location in locations.values():
        cursor.execute(
            "INSERT INTO bench_tablets VALUES (%s, %s, "
            "(SELECT id FROM visitors_tablet WHERE location_id = %s AND revoked_at IS NULL), %s)",
            [location.pk, old_tablets[location.pk].pk, location.pk, 20 + location.pk * 3 % 11],
        )
    with scale.bulk_load(cursor) if scale.bulk_load else contextlib.nullcontext():
        for statement in _HISTORY_STATEMENTS:
            cursor.execute(statement, params)
    cursor.execute("DROP TABLE bench_dayparts, bench_tablets")


# The roster and the programme: what the roster grid and the public programme show ------------

ROSTER_TASKS = [(Task.SHIFT_LEAD, 1, 1), (Task.HOST, 1, 3), (Task.KITCHEN, 1, 1)]
ROSTER_WEEKS = 5  # the grid shows four weeks from this Monday; one more for the week after


def _roster(locations, today) -> None:
    """Templates for every opened day-part, shifts for the coming weeks, and most places taken
    by the location's volunteers (some shifts left short: the gaps the grid shows in red)."""
    monday = today - datetime.timedelta(days=today.weekday())
    ShiftTemplate.objects.bulk_create(
        ShiftTemplate(
            location=hours.location,
            weekday=hours.weekday,
            day_part=hours.day_part,
            task=task,
            minimum=minimum,
            maximum=maximum,
        )
        for hours in OpeningHours.objects.filter(location__in=locations.values())
        for task, minimum, maximum in ROSTER_TASKS
    )
    for location in locations.values():
        roster_services.generate_shifts(location, start=monday, weeks=ROSTER_WEEKS)
    volunteers = {}
    for membership in Membership.objects.current().filter(role=Role.VOLUNTEER):
        volunteers.setdefault(membership.location_id, []).append(membership.user_id)
    assignments = []
    for number, shift in enumerate(Shift.objects.filter(date__gte=monday).order_by("pk")):
        people = volunteers.get(shift.location_id, [])
        wanted = shift.maximum if number % 7 else shift.minimum - 1  # every 7th shift short
        for place in range(min(wanted, len(people))):
            person = people[(number * 3 + place) % len(people)]
            assignments.append(Assignment(shift=shift, volunteer_id=person))
    Assignment.objects.bulk_create(assignments, ignore_conflicts=True)


PROGRAMME = [
    # title, category position, weekday, start, end, recurrence, week of month
    ("Koffieochtend", 0, 2, "09:30", "11:30", "weekly", None),
    ("Spelletjesmiddag", 1, 3, "14:00", "16:00", "weekly", None),
    ("Creatief café", 2, 4, "10:00", "12:00", "fortnightly", None),
    ("Samen eten", 3, 5, "12:00", "13:30", "weekly", None),
    ("Wandelen in de buurt", 4, 1, "10:00", "11:00", "weekly", None),
    ("Informatie over de Wmo", 5, 2, "14:00", "15:00", "monthly", 1),
]


def _programme(locations, today) -> None:
    """Six activities per location (weekly, fortnightly, the first Tuesday of the month),
    their occurrences for the coming weeks, one cancelled."""
    categories = list(Category.objects.order_by("position", "pk"))
    for location in locations.values():
        for title, category, weekday, start, end, recurrence, week in PROGRAMME:
            first = today + datetime.timedelta(days=(weekday - today.isoweekday()) % 7)
            activity = Activity.objects.create(
                location=location,
                title=title,
                description=f"{title} in {location.name}.",
                category=categories[category % len(categories)],
                recurrence=recurrence,
                week_of_month=week,
                starts_on=first,
                starts_at=datetime.time.fromisoformat(start),
                ends_at=datetime.time.fromisoformat(end),
            )
            programme_services.generate_occurrences(activity, today=today)
    occurrence = Occurrence.objects.filter(date__gt=today).order_by("date", "pk").first()
    if occurrence:
        programme_services.cancel_occurrence(occurrence, reason="Ziek", user=None)
