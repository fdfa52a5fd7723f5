"""Demo data of the activities area, loaded by `manage.py demo` after the locations and people."""

import datetime
import importlib
from decimal import Decimal

from buurtkamer.dates import monday_of
from locations.models import Location

from . import services
from .models import Activity, Category, Occurrence, OccurrenceStatus, Partner, PartnerKind, Room

T = datetime.time

PARTNERS = [
    # name, kind, contact person, phone, e-mail, website, location slugs
    (
        "Bakkerij De Tsjerne",
        PartnerKind.ENTREPRENEUR,
        "Baukje de Boer",
        "0519 123 456",
        "info@bakkerij-detsjerne.example",
        "",
        ["dokkum", "kollum"],
    ),
    (
        "Bibliotheek Noord Fryslân",
        PartnerKind.ASSOCIATION,
        "",
        "",
        "info@bibliotheek.example",
        "https://bibliotheek.example",
        ["dokkum", "burgum", "kollum", "de-westereen"],
    ),
    (
        "Welzijn Noordoost",
        PartnerKind.WELFARE,
        "Sjoerd Hiemstra",
        "0519 654 321",
        "buurtwerk@welzijn.example",
        "",
        ["dokkum", "kollum", "de-westereen"],
    ),
    (
        "Gemeente Noardeast-Fryslân",
        PartnerKind.MUNICIPALITY,
        "",
        "14 0519",
        "",
        "https://gemeente.example",
        ["dokkum", "kollum"],
    ),
    (
        "Gemeente Tytsjerksteradiel",
        PartnerKind.MUNICIPALITY,
        "",
        "14 0511",
        "",
        "https://tytsjerksteradiel.example",
        ["burgum"],
    ),
    ("Kaatsvereniging De Trije", PartnerKind.ASSOCIATION, "", "", "", "", ["de-westereen"]),
]

ROOMS = {
    "dokkum": ["Grote zaal", "Keuken", "Stiltekamer"],
    "burgum": ["Huiskamer", "Keuken"],
    "kollum": ["Huiskamer", "Keuken", "Tuinkamer"],
    "de-westereen": ["Zaal", "Keuken"],
}

# title, category, room, weekday, recurrence, week of month, start, end, price,
# volunteers needed, description, partners
PROGRAMME = {
    "dokkum": [
        (
            "Koffieochtend",
            "Koffie en inloop",
            "Grote zaal",
            2,
            "weekly",
            None,
            T(10, 0),
            T(11, 30),
            "0.50",
            0,
            "Een kop koffie of thee en een praatje. Iedereen is welkom.",
            [],
        ),
        (
            "Spelletjesmiddag",
            "Spelletjes",
            "Grote zaal",
            2,
            "weekly",
            None,
            T(14, 0),
            T(16, 0),
            None,
            1,
            "Sjoelen, klaverjassen, rummikub: doe mee of kijk gezellig toe.",
            [],
        ),
        (
            "Breiclub",
            "Creatief",
            "Grote zaal",
            2,
            "fortnightly",
            None,
            T(14, 30),
            T(16, 0),
            None,
            0,
            "Samen breien en haken; wol is er.",
            [],
        ),
        (
            "Informatie over je energierekening",
            "Informatie",
            "Stiltekamer",
            2,
            "monthly",
            1,
            T(10, 30),
            T(11, 30),
            None,
            0,
            "Vragen over je rekening of besparen? Kom langs.",
            ["Gemeente Noardeast-Fryslân", "Welzijn Noordoost"],
        ),
        (
            "Creatief café",
            "Creatief",
            "Stiltekamer",
            4,
            "fortnightly",
            None,
            T(10, 0),
            T(11, 45),
            "2.50",
            1,
            "Kaarten maken, schilderen, kleuren.",
            ["Bibliotheek Noord Fryslân"],
        ),
        (
            "Samen eten",
            "Samen koken en eten",
            "Keuken",
            4,
            "weekly",
            None,
            T(19, 0),
            T(20, 30),
            "3.50",
            2,
            "Een warme maaltijd met elkaar. Opgeven mag, hoeft niet.",
            ["Bakkerij De Tsjerne"],
        ),
        (
            "Wandelen rond de stadswallen",
            "Bewegen",
            None,
            6,
            "weekly",
            None,
            T(10, 0),
            T(11, 30),
            None,
            1,
            "Een rustige wandeling van een uur; daarna koffie.",
            [],
        ),
    ],
    "burgum": [
        (
            "Koffieochtend",
            "Koffie en inloop",
            "Huiskamer",
            1,
            "weekly",
            None,
            T(10, 0),
            T(11, 30),
            "0.50",
            0,
            "Koffie, thee en een praatje.",
            [],
        ),
        (
            "Spelletjesmiddag",
            "Spelletjes",
            "Huiskamer",
            3,
            "weekly",
            None,
            T(14, 0),
            T(16, 0),
            None,
            1,
            "Kaarten, sjoelen en bordspellen.",
            [],
        ),
        (
            "Samen eten",
            "Samen koken en eten",
            "Keuken",
            3,
            "fortnightly",
            None,
            T(12, 0),
            T(13, 30),
            "3.50",
            2,
            "Een eenvoudige lunch met elkaar.",
            [],
        ),
        (
            "Voorlezen en praten over boeken",
            "Informatie",
            "Huiskamer",
            5,
            "monthly",
            -1,
            T(10, 0),
            T(11, 0),
            None,
            0,
            "",
            ["Bibliotheek Noord Fryslân"],
        ),
        (
            "Vraag het de gemeente",
            "Informatie",
            "Huiskamer",
            3,
            "monthly",
            1,
            T(10, 0),
            T(11, 30),
            None,
            0,
            "Spreekuur over zorg, wonen en geld.",
            ["Gemeente Tytsjerksteradiel"],
        ),
    ],
    "kollum": [
        (
            "Koffie en inloop",
            "Koffie en inloop",
            "Huiskamer",
            4,
            "weekly",
            None,
            T(9, 30),
            T(11, 30),
            None,
            0,
            "",
            [],
        ),
        (
            "Spelletjesmiddag",
            "Spelletjes",
            "Huiskamer",
            1,
            "weekly",
            None,
            T(14, 0),
            T(16, 0),
            None,
            1,
            "",
            [],
        ),
        (
            "Creatief met de seizoenen",
            "Creatief",
            "Tuinkamer",
            4,
            "fortnightly",
            None,
            T(14, 0),
            T(16, 0),
            "2.00",
            1,
            "",
            [],
        ),
        (
            "Informatie over veilig internetten",
            "Informatie",
            "Huiskamer",
            4,
            "monthly",
            1,
            T(10, 0),
            T(11, 0),
            None,
            0,
            "",
            ["Bibliotheek Noord Fryslân"],
        ),
    ],
    "de-westereen": [
        (
            "Koffieochtend",
            "Koffie en inloop",
            "Zaal",
            2,
            "weekly",
            None,
            T(10, 0),
            T(11, 30),
            "0.50",
            0,
            "",
            [],
        ),
        (
            "Samen eten",
            "Samen koken en eten",
            "Keuken",
            3,
            "weekly",
            None,
            T(19, 0),
            T(20, 30),
            "3.50",
            2,
            "",
            [],
        ),
        (
            "Wandelen langs de Trekfeart",
            "Bewegen",
            None,
            5,
            "weekly",
            None,
            T(10, 0),
            T(11, 0),
            None,
            1,
            "",
            [],
        ),
        (
            "Spelletjesmiddag",
            "Spelletjes",
            "Zaal",
            5,
            "weekly",
            None,
            T(14, 0),
            T(16, 0),
            None,
            0,
            "",
            ["Kaatsvereniging De Trije"],
        ),
    ],
}


def load(*, today, stdout):
    """Add this area's demo data; safe to run again (nothing doubled)."""
    locations = {location.slug: location for location in Location.objects.all()}
    categories = _categories()
    partners = _partners(locations)
    monday = monday_of(today)
    count = 0
    for slug, programme in PROGRAMME.items():
        if slug in locations:
            count += _programme(locations[slug], programme, categories, partners, monday)
    _cancel_next_weeks_walk(monday)
    stdout.write(f"Activiteiten: {count} nieuw, programma gepland.")


def _categories() -> dict:
    # The default categories come from a data migration; a database emptied since (a test's
    # flush) gets them back here.
    defaults = importlib.import_module(
        "activities.migrations.0006_default_categories_in_each_language"
    ).DEFAULTS
    for position, (dutch, english, frisian) in enumerate(defaults, start=1):
        Category.objects.get_or_create(
            name_nl=dutch, defaults={"position": position, "name_en": english, "name_fy": frisian}
        )
    return {category.name_nl: category for category in Category.objects.all()}


def _partners(locations) -> dict:
    partners = {}
    for name, kind, contact, phone, email, website, slugs in PARTNERS:
        partner, _created = Partner.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "contact_person": contact,
                "phone": phone,
                "email": email,
                "website": website,
            },
        )
        partner.locations.add(*[locations[slug] for slug in slugs if slug in locations])
        partners[name] = partner
    return partners


def _programme(location, programme, categories, partners, monday) -> int:
    """The location's rooms and activities with their coming dates; how many were new."""
    rooms = {}
    for name in ROOMS.get(location.slug, []):
        rooms[name], _created = Room.objects.get_or_create(location=location, name=name)
    count = 0
    for (
        title,
        category,
        room,
        weekday,
        recurrence,
        week,
        starts_at,
        ends_at,
        price,
        needed,
        description,
        partner_names,
    ) in programme:
        starts_on = monday + datetime.timedelta(days=weekday - 1)
        if recurrence == "monthly":
            starts_on = monday - datetime.timedelta(weeks=8) + datetime.timedelta(weekday - 1)
        activity, created = Activity.objects.get_or_create(
            location=location,
            title=title,
            defaults={
                "category": categories.get(category) or Category.objects.first(),
                "room": rooms.get(room),
                "recurrence": recurrence,
                "week_of_month": week,
                "starts_on": starts_on,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "price": Decimal(price) if price else None,
                "volunteers_needed": needed,
                "description": description,
            },
        )
        if created:
            activity.partners.set([partners[name] for name in partner_names])
            count += 1
        services.generate_occurrences(activity, today=monday)
    return count


def _cancel_next_weeks_walk(monday) -> None:
    """One cancelled occurrence: next week's walk in Dokkum."""
    walk = (
        Occurrence.objects.filter(
            activity__location__slug="dokkum",
            activity__title__startswith="Wandelen",
            date__gte=monday + datetime.timedelta(weeks=1),
        )
        .order_by("date")
        .first()
    )
    if walk is not None and walk.status != OccurrenceStatus.CANCELLED:
        services.cancel_occurrence(walk, reason="De gids is deze week op vakantie.", user=None)
