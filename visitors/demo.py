"""Demo data of the visitors area, loaded by `manage.py demo` after the locations and people:
twelve weeks of visitor history (so the report, the charts and the dashboard have something to
show; a second or two) and a few anonymous stories and quotes."""

import datetime

from locations.models import Location

from .history import generate
from .models import Story, StoryKind

HISTORY_WEEKS = 12
STORIES = [
    # location slug, days ago, kind, text
    (
        "dokkum",
        5,
        StoryKind.QUOTE,
        "“Sinds ik hier op dinsdag kom, heb ik weer iets om naar uit te kijken.”",
    ),
    (
        "dokkum",
        19,
        StoryKind.STORY,
        "Een bezoeker die na het overlijden van haar man weinig meer buiten kwam, helpt nu elke "
        "week met de koffie. Ze heeft via de buurtkamer ook de weg naar het gebiedsteam gevonden.",
    ),
    ("burgum", 9, StoryKind.QUOTE, "“Hier hoef je niks, en dat is juist fijn.”"),
    (
        "kollum",
        12,
        StoryKind.STORY,
        "Twee buurtgenoten die elkaar bij het spelletjesmiddag leerden kennen, lopen nu samen "
        "naar de markt.",
    ),
    ("de-westereen", 3, StoryKind.QUOTE, "“Ik kwam voor de koffie en bleef voor de mensen.”"),
]


def load(*, today, stdout):
    """Add this area's demo data; safe to run again (nothing doubled)."""
    added = generate(
        start=today - datetime.timedelta(weeks=HISTORY_WEEKS),
        end=today - datetime.timedelta(days=1),
    )
    locations = {location.slug: location for location in Location.objects.all()}
    for slug, days_ago, kind, text in STORIES:
        if slug in locations:
            Story.objects.get_or_create(
                location=locations[slug],
                text=text,
                defaults={"date": today - datetime.timedelta(days=days_ago), "kind": kind},
            )
    stdout.write(f"Visitors: {added['visits']} visits of the last {HISTORY_WEEKS} weeks, stories.")
