"""`make bench SCALE=national` (or BENCH_SCALE=national): the benchmark of a national install.

What it makes (bench/data.py does the work, with the `Scale` below):
- 250 buurtkamers in 40 municipalities: the four of the migrations and 246 more, each with
  opening hours (3 to 5 day-parts a week), a coordinator, 8 volunteers and 3 who left, an old
  (revoked) and a paired tablet;
- ten years of visits (3 to 10 per opened day-part, ≈ 3 million rows), tallies, referrals and
  audit events, made by PostgreSQL (INSERT ... SELECT with generate_series), then VACUUM ANALYZE;
- the roster (shift templates, five weeks of shifts, most places taken) and the programme (six
  activities per location, weekly, fortnightly and monthly, with their occurrences);
- the coordinator who logs in coordinates Dokkum, Kollum and one of the new locations; staff
  see all 250.

What it measures: every page of bench/run.py's PAGES as staff and as the coordinator (a page
for one role only, such as a dashboard or the tablet, as that role), plus the report over all
ten years; the query count of each in process (and, when bench/results.json holds a default
run, next to the count at the default scale), and median and p95 over HTTP through gunicorn.
The check-in and its throughput are measured by the default scale only.

The results go into bench/results.json under `pages_national` and `national`, next to what
the last default run wrote there (kept); `scale` names the scale of the run that wrote the
file last. A default run keeps `pages_national` and `national` of the national run before.
"""

import contextlib
import datetime
import json
import os
import time

SCALES = ("default", "national")
LOCATIONS = 250
MUNICIPALITIES = [
    "Achtkarspelen", "Ameland", "Dantumadiel", "De Fryske Marren", "Harlingen", "Heerenveen",
    "Leeuwarden", "Noardeast-Fryslân", "Ooststellingwerf", "Opsterland", "Schiermonnikoog",
    "Smallingerland", "Súdwest-Fryslân", "Terschelling", "Tytsjerksteradiel", "Vlieland",
    "Waadhoeke", "Weststellingwerf", "Assen", "Coevorden", "Emmen", "Hoogeveen", "Meppel",
    "Midden-Drenthe", "Noordenveld", "Tynaarlo", "Westerveld", "De Wolden", "Aa en Hunze",
    "Borger-Odoorn", "Groningen", "Het Hogeland", "Westerkwartier", "Midden-Groningen",
    "Oldambt", "Pekela", "Stadskanaal", "Veendam", "Westerwolde", "Eemsdelta",
]  # fmt: skip
TOWN_STARTS = ["Ooster", "Wester", "Noorder", "Zuider", "Nije", "Alde", "Heech", "Leech"]
TOWN_ENDS = ["wolde", "hoven", "dijk", "veen", "zijl", "horne", "meer", "buren", "wâld", "terp"]
TEAM = 8  # volunteers per location (the default scale has 15 in four locations)
COORDINATED = ("dokkum", "kollum")  # and one new location: the coordinator's few

# Time per page over HTTP: at most PAGE_SAMPLES samples, but a slow page stops after
# PAGE_BUDGET seconds (at least MIN_SAMPLES), so that the run stays within its 10 minutes.
PAGE_BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET") or 8)
MIN_SAMPLES = 3
SLOW_SECONDS = 3  # a page slower than this in process is counted once, not after a warm-up
ROLES = ("staff", "coordinator", "volunteer")
TARGET_REPORT_MS = 300
TEN_YEAR_REPORT = "year_report_ten_years"


def scale_name() -> str:
    name = (os.environ.get("BENCH_SCALE") or "default").strip().lower()
    if name not in SCALES:
        raise SystemExit(f"BENCH_SCALE={name!r}: choose one of {', '.join(SCALES)}.")
    return name


def scale():
    """The bench.data.Scale of BENCH_SCALE (after django.setup())."""
    from bench import data

    if scale_name() == "default":
        return data.DEFAULT
    return data.Scale(
        name="national",
        years=10,
        visits=(3, 10),
        volunteers_per_location=TEAM,
        more_locations=add_locations,
        bulk_load=bulk_load,
        roster=roster,
        programme=programme,
        finish=coordinate_a_few,
    )


# The data -----------------------------------------------------------------------------------


def _opening_hours(location, number):
    """3 to 5 opened day-parts a week, spread differently per location."""
    from locations.demo import AFTERNOON, EVENING, MORNING
    from locations.models import DayPart, OpeningHours

    slots = [
        (1 + number % 5, DayPart.MORNING, MORNING),
        (1 + (number + 2) % 5, DayPart.MORNING, MORNING),
        (1 + (number + 2) % 5, DayPart.AFTERNOON, AFTERNOON),
    ]
    if number % 2:
        slots.append((1 + (number + 3) % 5, DayPart.AFTERNOON, AFTERNOON))
    if number % 3 == 0:
        slots.append((1 + (number + 1) % 5, DayPart.EVENING, EVENING))
    return [
        OpeningHours(
            location=location, weekday=weekday, day_part=part, opens_at=opens, closes_at=closes
        )
        for weekday, part, (opens, closes) in slots
    ]


def add_locations(locations: dict) -> dict:
    """The migrations' four and 246 more, with addresses and opening hours."""
    from django.utils.text import slugify

    from locations.models import Location, OpeningHours

    new = []
    for number in range(LOCATIONS - len(locations)):
        municipality = MUNICIPALITIES[number % len(MUNICIPALITIES)]
        town = (
            TOWN_STARTS[number // len(MUNICIPALITIES) % len(TOWN_STARTS)]
            + TOWN_ENDS[number % len(TOWN_ENDS)]
        )
        new.append(
            Location(
                name=f"Buurtkamer {town} ({municipality})",
                slug=slugify(f"{town}-{number}"),
                town=town,
                municipality=municipality,
                address=f"Dorpsstraat {1 + number}",
                postal_code=f"{8000 + number * 7 % 1999} AB",
            )
        )
    Location.objects.bulk_create(new)
    OpeningHours.objects.bulk_create(
        hours for number, location in enumerate(new) for hours in _opening_hours(location, number)
    )
    everything = dict(locations)
    everything.update((location.slug, location) for location in new)
    return everything


@contextlib.contextmanager
def bulk_load(cursor, table="visitors_visit"):
    """Three million rows go in faster without the table's indexes (12) and foreign-key
    triggers: the indexes (and the unique constraint) are dropped before and made again
    after, each in one sorted pass. The rows are made valid by construction; within this
    transaction only (SET LOCAL)."""
    cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
               c.conname, pg_get_constraintdef(c.oid)
          FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
                                                   AND c.conrelid = i.indrelid
         WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for index, _definition, constraint, _constraint_definition in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f"DROP INDEX {index}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _index, definition, constraint, constraint_definition in indexes:
        if constraint:
            cursor.execute(
                f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_definition}'
            )
        else:
            cursor.execute(definition)
    cursor.execute("SET LOCAL session_replication_role = origin")


ROSTER_WEEKS_BEFORE = 2  # and data.ROSTER_WEEKS from this Monday: "some weeks around today"


def roster(locations, today) -> None:
    """data._roster in bulk: the same templates, tasks and share of gaps, the shifts made here
    (generate_shifts per location takes minutes for 250) for two weeks back and five ahead."""
    from bench.data import ROSTER_TASKS, ROSTER_WEEKS
    from locations.models import Membership, OpeningHours, Role
    from volunteers.models import Assignment, Shift, ShiftTemplate

    monday = today - datetime.timedelta(days=today.weekday())
    hours = list(OpeningHours.objects.filter(location__in=locations.values()))
    ShiftTemplate.objects.bulk_create(
        ShiftTemplate(
            location_id=slot.location_id,
            weekday=slot.weekday,
            day_part=slot.day_part,
            task=task,
            minimum=minimum,
            maximum=maximum,
        )
        for slot in hours
        for task, minimum, maximum in ROSTER_TASKS
    )
    first = monday - datetime.timedelta(weeks=ROSTER_WEEKS_BEFORE)
    shifts = Shift.objects.bulk_create(
        Shift(
            location_id=slot.location_id,
            date=first + datetime.timedelta(days=week * 7 + slot.weekday - 1),
            day_part=slot.day_part,
            task=task,
            starts_at=slot.opens_at,
            ends_at=slot.closes_at,
            minimum=minimum,
            maximum=maximum,
            regular=True,
        )
        for week in range(ROSTER_WEEKS_BEFORE + ROSTER_WEEKS)
        for slot in hours
        for task, minimum, maximum in ROSTER_TASKS
    )
    volunteers = {}
    for membership in Membership.objects.current().filter(role=Role.VOLUNTEER):
        volunteers.setdefault(membership.location_id, []).append(membership.user_id)
    assignments = []
    for number, shift in enumerate(shifts):
        people = volunteers.get(shift.location_id, [])
        wanted = shift.maximum if number % 7 else shift.minimum - 1  # every 7th shift short
        for place in range(min(wanted, len(people))):
            person = people[(number * 3 + place) % len(people)]
            assignments.append(Assignment(shift=shift, volunteer_id=person))
    Assignment.objects.bulk_create(assignments, ignore_conflicts=True)


def programme(locations, today) -> None:
    """data._programme in bulk: the same six activities per location, their occurrences of
    the coming twelve weeks made by the series' own dates (activities.services makes them
    one activity at a time), one cancelled."""
    from activities import services as programme_services
    from activities.models import Activity, Category, Occurrence
    from bench.data import PROGRAMME

    categories = list(Category.objects.order_by("position", "pk"))
    activities = Activity.objects.bulk_create(
        Activity(
            location=location,
            title=title,
            description=f"{title} in {location.name}.",
            category=categories[category % len(categories)],
            recurrence=recurrence,
            week_of_month=week,
            starts_on=today + datetime.timedelta(days=(weekday - today.isoweekday()) % 7),
            starts_at=datetime.time.fromisoformat(start),
            ends_at=datetime.time.fromisoformat(end),
        )
        for location in locations.values()
        for title, category, weekday, start, end, recurrence, week in PROGRAMME
    )
    Occurrence.objects.bulk_create(
        programme_services._new_occurrence(activity, day, None)
        for activity in activities
        for day in activity.dates_between(today, today + programme_services.HORIZON)
    )
    occurrence = Occurrence.objects.filter(date__gt=today).order_by("date", "pk").first()
    if occurrence:
        programme_services.cancel_occurrence(occurrence, reason="Ziek", user=None)


def coordinate_a_few(locations: dict, people: dict) -> None:
    """The coordinator who logs in coordinates a few locations: Dokkum (already), Kollum and
    the first of the new ones."""
    from django.utils import timezone

    from bench.data import ADDRESSES
    from locations.models import Membership, Role

    user = people["coordinator"]
    new = [slug for slug in locations if slug not in ADDRESSES]
    started = timezone.now() - datetime.timedelta(days=400)
    for slug in (*COORDINATED, new[0]):
        if not Membership.objects.current().filter(user=user, location=locations[slug]).exists():
            Membership.objects.create(
                user=user, location=locations[slug], role=Role.COORDINATOR, started_at=started
            )


# The pages ----------------------------------------------------------------------------------


def pages() -> list[tuple[str, str, str]]:
    """(name, who, path): every page of run.PAGES as staff and as the coordinator (under its
    own name as the role of PAGES, as `<name>_as_<role>` as the other), the dashboards, the
    tablet and the public programme as their own role only; and the report over ten years."""
    from django.utils import timezone

    from bench.run import PAGES
    from buurtkamer.dates import years_before

    result = []
    for name, who, path in PAGES:
        result.append((name, who, path))
        if who in ("staff", "coordinator") and not name.startswith("dashboard"):
            other = "coordinator" if who == "staff" else "staff"
            result.append((f"{name}_as_{other}", other, path))
    today = timezone.localdate()
    ten_years = (
        f"/rapportage/?periode=anders&van={years_before(today, 10).isoformat()}"
        f"&tot={today.isoformat()}&per=maand"
    )
    result.append((TEN_YEAR_REPORT, "staff", ten_years))
    result.append((f"{TEN_YEAR_REPORT}_as_coordinator", "coordinator", ten_years))
    return result


def count_queries(fixture, page_list) -> dict:
    """{name: {"status", "queries", "in_process_ms", "cold"}} in this process: the queries of
    one GET after a warm-up GET; a page whose first GET took longer than SLOW_SECONDS is counted
    from that first GET alone (cold: the same or one or two more), to keep the run bounded."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import logged_in_client

    clients = {who: logged_in_client(getattr(fixture, who)) for who in ROLES}
    clients["tablet"] = Client(HTTP_HOST="127.0.0.1")
    clients["tablet"].cookies[settings.TABLET_COOKIE_NAME] = fixture.tablet_tokens["dokkum"]
    clients["anonymous"] = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, who, path in page_list:
        cold = True
        for _attempt in (1, 2):
            started = time.monotonic()
            with CaptureQueriesContext(connection) as captured:
                response = clients[who].get(path)
            seconds = time.monotonic() - started
            if not cold or seconds > SLOW_SECONDS:
                break
            cold = False
        counts[name] = {
            "status": response.status_code,
            "queries": len(captured),
            "in_process_ms": round(seconds * 1000, 1),
            "cold": cold,
        }
    return counts


def time_pages(browsers, page_list, samples, counted) -> dict:
    """Median and p95 over HTTP: a warm-up GET (more while within a quarter of PAGE_BUDGET),
    then up to `samples` GETs, stopping after PAGE_BUDGET seconds once MIN_SAMPLES are in. A
    page that took longer than the client's timeout in process is not sent (it would only
    time out), nor one that answered otherwise than 200 there."""
    from bench.client import TIMEOUT
    from bench.run import PAGE_WARMUP, summary

    timings = {}
    for name, who, path in page_list:
        if counted[name]["status"] != 200:
            timings[name] = {"status": counted[name]["status"]}
            continue
        if counted[name]["in_process_ms"] > TIMEOUT * 1000 * 0.8:
            timings[name] = {"status": "not timed over HTTP: too slow in process"}
            continue
        browser = browsers[who]
        seconds, started = [], time.monotonic()
        warm_up = PAGE_WARMUP
        try:
            while len(seconds) < samples:
                answer = browser.get(path)
                if answer.status != 200:
                    break
                elapsed = time.monotonic() - started
                if warm_up > 0:
                    warm_up -= 1
                    if elapsed > PAGE_BUDGET / 4:
                        warm_up, started = 0, time.monotonic()
                    continue
                seconds.append(answer.seconds)
                if len(seconds) >= MIN_SAMPLES and elapsed > PAGE_BUDGET:
                    break
        except OSError as error:  # a timeout: the page took longer than the client waits
            timings[name] = {"status": f"{type(error).__name__}: {error}"}
            continue
        if answer.status != 200:
            timings[name] = {"status": answer.status}
        else:
            timings[name] = {**summary(seconds), "bytes": len(answer.body), "status": 200}
    return timings


def _place_counts() -> dict:
    from locations.models import Location

    return {
        "locations_location": Location.objects.count(),
        "municipalities": Location.objects.values("municipality").distinct().count(),
    }


def measure(gunicorn, port, fixture, fill_seconds, info, results_path) -> dict:
    """Counts in process, times through gunicorn; the results for bench/results.json."""
    from django.db import connections

    from bench.run import PAGE_SAMPLES, TARGET_PAGE_MS, log, page_browsers

    page_list = pages()
    log(f"counting queries of {len(page_list)} pages (in process)")
    counts = count_queries(fixture, page_list)
    connections.close_all()
    log(f"starting gunicorn on 127.0.0.1:{port}")
    gunicorn.start()
    log("pages")
    browsers, login_method = page_browsers(port, fixture)
    timed = time_pages(browsers, page_list, PAGE_SAMPLES, counts)
    for browser in browsers.values():
        browser.close()

    default_counts = _previous(results_path).get("queries", {})
    table = {}
    for name, who, path in page_list:
        base = name.removesuffix(f"_as_{who}")
        table[name] = {
            "median_ms": timed[name].get("median_ms"),
            "p95_ms": timed[name].get("p95_ms"),
            "queries": counts[name]["queries"],
            "queries_default_scale": default_counts.get(base) if base == name else None,
            "queries_counted_cold": counts[name]["cold"],
            "in_process_ms": counts[name]["in_process_ms"],
            "n": timed[name].get("n"),
            "bytes": timed[name].get("bytes"),
            "status": timed[name]["status"],
            "as": who,
            "path": path,
        }
    timed_pages = [page for page in table.values() if page["median_ms"] is not None]
    report = table[TEN_YEAR_REPORT]
    same_counts = [
        name
        for name, page in table.items()
        if page["queries_default_scale"] is not None
        and page["queries"] != page["queries_default_scale"]
    ]
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return {
        "timestamp": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "pages": table,
        "targets": {
            "page_median_ms": f"< {TARGET_PAGE_MS}",
            "ten_year_report_median_ms": f"<= {TARGET_REPORT_MS}",
            "queries": "the same as at the default scale",
        },
        "targets_met": {
            "pages": all(p["median_ms"] < TARGET_PAGE_MS for p in timed_pages)
            and len(timed_pages) == len(table),
            "ten_year_report": report["median_ms"] is not None
            and report["median_ms"] <= TARGET_REPORT_MS,
            "queries_independent_of_locations": not same_counts if default_counts else None,
        },
        "query_counts_that_differ_from_default_scale": same_counts,
        "login": login_method,
        "data": {
            "years": 10,
            **_place_counts(),
            **fixture.counts,
            "fill_seconds": round(fill_seconds, 1),
        },
        "page_budget_seconds": PAGE_BUDGET,
        "machine": info,
    }


# Results ------------------------------------------------------------------------------------


def _previous(results_path) -> dict:
    try:
        return json.loads(results_path.read_text())
    except (OSError, ValueError):
        return {}


def write(results_path, national: dict, run_seconds: float) -> dict:
    """bench/results.json: what the last default run wrote, with this national run in it."""
    results = _previous(results_path)
    national["run_seconds"] = round(run_seconds, 1)
    results["scale"] = "national"
    results["pages_national"] = national.pop("pages")
    results["national"] = national
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def kept(results_path) -> dict:
    """For a default run: the national run's keys of the file it replaces."""
    previous = _previous(results_path)
    return {key: previous[key] for key in ("pages_national", "national") if key in previous}


def report(results: dict) -> str:
    from bench.run import TARGET_PAGE_MS, verdict

    national = results["national"]
    counts = national["data"]
    machine = national["machine"]
    lines = [
        "",
        f"Buurtkamer benchmark, national scale, {national['timestamp']}  "
        f"commit {machine.get('commit', '?')}",
        f"data: {counts['locations_location']} locations in {counts['municipalities']} "
        f"municipalities, {counts['visitors_visit']:,} visits over 10 years, "
        f"{counts['buurtkamer_user']:,} people, {counts['volunteers_shift']:,} shifts, "
        f"{counts['activities_occurrence']:,} occurrences; made in {counts['fill_seconds']:.0f} s",
        f"load average (1 min): {machine['load_average_at_start'][0]} at the start, "
        f"{machine['load_average_at_end'][0]} at the end",
        f"Pages, up to {max(p['n'] or 0 for p in results['pages_national'].values())} GETs "
        f"each (at most {PAGE_BUDGET:g} s per page)",
        f"  {'':<38} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'default':>8}",
    ]
    for name, page in results["pages_national"].items():
        default = page["queries_default_scale"]
        default = "" if default is None else default
        if page["median_ms"] is None:
            lines.append(
                f"  {name:<38} {'-':>10} {'-':>8} {page['queries']:>8} {default:>8}   "
                f"MISS: {page['status']}; {page['in_process_ms']:.0f} ms in process"
            )
            continue
        if name == TEN_YEAR_REPORT:
            ok = page["median_ms"] <= TARGET_REPORT_MS
        else:
            ok = page["median_ms"] < TARGET_PAGE_MS
        lines.append(
            f"  {name:<38} {page['median_ms']:>10.1f} {page['p95_ms']:>8.1f} "
            f"{page['queries']:>8} {default:>8}   "
            f"{verdict(ok)}"
        )
    met = national["targets_met"]
    lines.append(
        f"  every page < {TARGET_PAGE_MS} ms: {verdict(met['pages'])};  ten-year report <= "
        f"{TARGET_REPORT_MS} ms: {verdict(met['ten_year_report'])};  query counts as at the "
        "default scale: "
        + (
            "no default run in bench/results.json"
            if met["queries_independent_of_locations"] is None
            else verdict(met["queries_independent_of_locations"])
        )
    )
    lines.append(f"Run time {national['run_seconds']:.0f} s; results in bench/results.json")
    return "\n".join(lines)
