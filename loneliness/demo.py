"""Demo data: two past rounds at every location, answered on the tablet and on paper (for
`manage.py demo` and `manage.py generate_history`). Safe to run again: a round that exists by
name is left as it is."""

import datetime
import random
import uuid

from locations.models import Location

from .models import Answer, Frequency, Response, Round, Source

ANSWERS = [Answer.YES, Answer.MORE_OR_LESS, Answer.NO]


def _answers(rng, lonely_chance):
    """Six answers; lonelier people answer 1-3 "ja" and 4-6 "nee" more often; now and then
    one is left open."""
    result = []
    for number in range(1, 7):
        if rng.random() < 0.04:
            result.append(None)
            continue
        lonely = rng.random() < lonely_chance
        if number <= 3:
            result.append(rng.choice([Answer.YES, Answer.MORE_OR_LESS]) if lonely else Answer.NO)
        else:
            result.append(rng.choice([Answer.NO, Answer.MORE_OR_LESS]) if lonely else Answer.YES)
    return result


def past_rounds(today: datetime.date, *, seed=0) -> int:
    """Last year's spring and autumn rounds at every location; returns how many answers were
    added."""
    rng = random.Random(seed)  # noqa: S311 - demo data, the same for the same seed
    year = today.year - 1
    locations = list(Location.objects.order_by("name"))
    added = 0
    for name, month, lonely_chance in (("Voorjaar", 3, 0.35), ("Najaar", 10, 0.28)):
        round_name = f"{name} {year}"
        if Round.objects.filter(name=round_name).exists():
            continue
        round_ = Round.objects.create(
            name=round_name,
            starts_on=datetime.date(year, month, 2),
            ends_on=datetime.date(year, month, 15),
        )
        round_.locations.set(locations)
        rows = []
        for location in locations:
            for _ in range(rng.randint(8, 26)):  # now and then a location below 10
                answers = _answers(rng, lonely_chance)
                rows.append(
                    Response(
                        round=round_,
                        location=location,
                        frequency=rng.choice([None, *Frequency.values, Frequency.EVERY_WEEK]),
                        source=Source.PAPER if rng.random() < 0.3 else Source.TABLET,
                        client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        **{f"answer_{n}": a for n, a in enumerate(answers, start=1)},
                    )
                )
        Response.objects.bulk_create(rows)
        added += len(rows)
    return added


def load(*, today, stdout=None):
    added = past_rounds(today)
    if stdout is not None and added:
        stdout.write(f"Loneliness: two past rounds with {added} anonymous answers.")
