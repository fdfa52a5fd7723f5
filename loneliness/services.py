"""What happens to rounds and answers: planning a round, storing an answer once, typing in
paper answers, and the group figures (never an individual's).

The n < 10 rule lives here once (`MIN_GROUP`, `Group.cells`): a group of fewer than 10 answers
shows "te weinig antwoorden" instead of its figures, and so does a figure whose own base (the
questionnaires that completed what it needs) is below 10. The page, the CSV, the XLSX, the
year overview and the monthly e-mail all take their cells from `Group.cells`, per location,
per municipality and for all locations (`_units`). `protect` hides more where a small
group could otherwise be worked out by subtraction from a total beside it (secondary
suppression on the number of answers; see its docstring).

Tablet answers are not written to the audit log: an audit line carries a time and would tie a
moment to an answer. Planning and changing rounds, paper entry and exports are audited.
"""

import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtkamer.dates import day_short
from buurtkamer.errors import DomainError
from buurtkamer.models import AuditEvent, log_action
from buurtkamer.versions import claim_version

from .models import Frequency, Response, Round, Source
from .scoring import score

MIN_GROUP = 10
TOO_FEW = gettext_lazy("te weinig antwoorden")
ANSWER_FIELDS = [f"answer_{n}" for n in range(1, 7)]


class LonelinessError(DomainError):
    """An answer or a round the rules refuse; `message` is for the person."""


# Rounds --------------------------------------------------------------------------------------


def round_on_tablet(location, day=None) -> Round | None:
    """The round whose questionnaire the tablet of this location offers today, or None (then
    nothing of the questionnaire appears anywhere)."""
    day = day or timezone.localdate()
    return Round.objects.running_at(location, day).order_by("starts_on", "pk").first()


def plan_round(*, name, starts_on, ends_on, locations, user) -> Round:
    with transaction.atomic():
        round_ = Round.objects.create(
            name=name, starts_on=starts_on, ends_on=ends_on, created_by=user
        )
        round_.locations.set(locations)
        log_action(
            actor=user,
            action=AuditEvent.Action.LONELINESS_ROUND_PLANNED,
            subject=name,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            locations=sorted(location.slug for location in locations),
        )
    return round_


def change_round(*, round_, name, starts_on, ends_on, locations, user, version=None) -> Round:
    """Save a round's name, period and locations; raises VersionConflict when it changed since
    the form was loaded (buurtkamer/versions.py). A location that already has answers in the
    round stays in it."""
    with transaction.atomic():
        claim_version(Round, round_.pk, version)
        answered = set(
            Response.objects.filter(round=round_).values_list("location_id", flat=True).distinct()
        )
        missing = answered - {location.pk for location in locations}
        if missing:
            raise LonelinessError(
                "has_answers",
                _("Een locatie met antwoorden in deze ronde kan er niet uit."),
            )
        round_.name, round_.starts_on, round_.ends_on = name, starts_on, ends_on
        round_.save(update_fields=["name", "starts_on", "ends_on"])
        round_.locations.set(locations)
        round_.version = Round.objects.values_list("version", flat=True).get(pk=round_.pk)
        log_action(
            actor=user,
            action=AuditEvent.Action.LONELINESS_ROUND_CHANGED,
            subject=name,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            locations=sorted(location.slug for location in locations),
        )
    return round_


def previous_round(round_) -> Round | None:
    """The round before this one: the latest that ended before it began."""
    return (
        Round.objects.filter(ends_on__lt=round_.starts_on)
        .exclude(pk=round_.pk)
        .order_by("-ends_on", "-pk")
        .first()
    )


# Answers -------------------------------------------------------------------------------------


def record_response(
    *, round_, location, answers, frequency=None, source=Source.TABLET, client_id, day=None
) -> tuple[Response, bool]:
    """Store one questionnaire once: (response, created). The same client_id again (a retry,
    a queue sent twice, two requests at once) stores nothing and returns the first."""
    day = day or timezone.localdate()
    if (
        source == Source.TABLET
        and not Round.objects.accepting_at(location, day).filter(pk=round_.pk).exists()
    ):
        raise LonelinessError("no_round", _("Er loopt hier nu geen vragenlijst."))
    answers = [answer or None for answer in answers]
    if len(answers) != len(ANSWER_FIELDS):
        raise LonelinessError("invalid", _("Deze antwoorden zijn niet compleet verstuurd."))
    values = dict(zip(ANSWER_FIELDS, answers, strict=True))
    try:
        with transaction.atomic():
            response = Response.objects.create(
                round=round_,
                location=location,
                frequency=frequency or None,
                source=source,
                client_id=client_id,
                **values,
            )
        return response, True
    except IntegrityError:
        earlier = Response.objects.filter(client_id=client_id).first()
        if earlier is None:
            raise
        if earlier.round_id != round_.pk or earlier.location_id != location.pk:
            raise LonelinessError(
                "conflict", _("Deze antwoorden horen bij een andere ronde.")
            ) from None
        return earlier, False


def enter_paper(*, round_, location, sheets, user) -> int:
    """Paper questionnaires typed in by a coordinator: one dict per sheet (answers, frequency);
    empty sheets are skipped. Returns how many were stored; audited as one line (a count)."""
    stored = 0
    with transaction.atomic():
        for sheet in sheets:
            if not any(sheet["answers"]) and not sheet.get("frequency"):
                continue
            record_response(
                round_=round_,
                location=location,
                answers=sheet["answers"],
                frequency=sheet.get("frequency"),
                source=Source.PAPER,
                client_id=uuid.uuid4(),
            )
            stored += 1
        if stored:
            log_action(
                actor=user,
                action=AuditEvent.Action.LONELINESS_PAPER_ENTERED,
                location=location,
                subject=str(round_),
                sheets=stored,
            )
    return stored


# Figures: groups, never individuals ---------------------------------------------------------


@dataclass
class Group:
    """The sums of a group of questionnaires; `cells` is what may be shown of them."""

    n: int = 0  # questionnaires
    complete: int = 0  # all six answered: the base of % lonely and % severely lonely
    lonely: int = 0
    severely: int = 0
    emotional_n: int = 0  # statements 1-3 all answered
    emotional_sum: int = 0
    social_n: int = 0  # statements 4-6 all answered
    social_sum: int = 0
    # What is hidden although its base is big enough ("n": the whole group, or a figure of
    # FIGURE_BASES): otherwise a small group beside it could be worked out by subtraction
    # from a total (see `protect`).
    suppressed: set = field(default_factory=set, compare=False)

    def add(self, answers) -> None:
        result = score(answers)
        self.n += 1
        if result.total is not None:
            self.complete += 1
            self.lonely += result.lonely
            self.severely += result.severely_lonely
        if result.emotional is not None:
            self.emotional_n += 1
            self.emotional_sum += result.emotional
        if result.social is not None:
            self.social_n += 1
            self.social_sum += result.social

    def __add__(self, other: "Group") -> "Group":
        return Group(*(getattr(self, name) + getattr(other, name) for name in SUMS))

    @property
    def enough(self) -> bool:
        return self.shows("n")

    def shows(self, what) -> bool:
        """Whether the group ("n") or one of its figures may be shown: its base holds at
        least MIN_GROUP answers and `protect` did not hide it."""
        if self.n < MIN_GROUP or "n" in self.suppressed:
            return False
        if what == "n":
            return True
        return getattr(self, FIGURE_BASES[what]) >= MIN_GROUP and what not in self.suppressed

    def percent_lonely(self):
        return _ratio(self.lonely * 100, self.complete)

    def percent_severely(self):
        return _ratio(self.severely * 100, self.complete)

    def mean_emotional(self):
        return _ratio(self.emotional_sum, self.emotional_n, digits=2)

    def mean_social(self):
        return _ratio(self.social_sum, self.social_n, digits=2)

    def cells(self) -> list:
        """[n, % lonely, % severely lonely, mean emotional, mean social]: "te weinig
        antwoorden" for the whole group below MIN_GROUP answers, and for a figure whose own
        base is below MIN_GROUP."""
        if not self.enough:
            return [str(TOO_FEW)] * 5
        return [
            self.n,
            *(getattr(self, what)() if self.shows(what) else str(TOO_FEW) for what in FIGURE_BASES),
        ]

    def lonely_cell(self):
        """% lonely alone (the comparison with the previous round), by the same rule."""
        return self.cells()[1]


# Each figure and the count it is computed over.
FIGURE_BASES = {
    "percent_lonely": "complete",
    "percent_severely": "complete",
    "mean_emotional": "emotional_n",
    "mean_social": "social_n",
}
SUMS = ("n", "complete", "lonely", "severely", "emotional_n", "emotional_sum", "social_n")
SUMS += ("social_sum",)


def protect(relations) -> None:
    """Secondary suppression, so that no hidden group can be worked out by subtraction: the one
    place of this rule (the page, CSV, XLSX, year overview and monthly e-mail all pass here).

    `relations` are (total, [parts]) whose parts add up to the total: a unit's everyone and its
    "Hoe vaak" groups; all locations and each location; all locations and each municipality;
    a municipality and each of its locations (`_units`), for every "Hoe vaak" group alike.
    Repeated until nothing changes, in each relation
    - when the total is hidden, all its parts are hidden (they would add up to it);
    - when the hidden parts hold between 1 and MIN_GROUP - 1 answers together, all parts are
      hidden (the total minus the shown parts would give them);
    - when exactly one part with answers is hidden and the total is shown (the total minus
      the shown parts would give that one part exactly), one more is hidden: the smallest
      shown part with answers, or, when there is none (a municipality with one location, a
      location whose answers are all in one group), the total itself.
    So a municipality with one location shows the same as that location, or both are hidden;
    and a municipality whose locations are partly hidden shows no total that would give
    away the hidden one. The same holds for each figure on its own base (% lonely over the
    complete lists, the means over the lists that completed that part). Hiding more than
    needed is the price of a rule that is easy to check."""
    changed = True
    while changed:
        changed = False
        for what, base in (("n", "n"), *FIGURE_BASES.items()):
            for total, parts in relations:
                changed |= _protect_one(what, base, total, parts)


def _protect_one(what, base, total, parts) -> bool:
    """One relation, one figure: what `protect` hides; True when it hid something."""
    hidden = [part for part in parts if not part.shows(what) and getattr(part, base)]
    shown = [part for part in parts if part.shows(what) and getattr(part, base)]
    hidden_sum = sum(getattr(part, base) for part in hidden)
    hide = []
    if (getattr(total, base) and not total.shows(what)) or 0 < hidden_sum < MIN_GROUP:
        hide = [part for part in parts if part.shows(what)]
    elif len(hidden) == 1 and total.shows(what):
        hide = [min(shown, key=lambda part: getattr(part, base))] if shown else [total]
    for group in hide:
        group.suppressed.add(what)
    return bool(hide)


def _ratio(part, base, digits=1):
    if base < MIN_GROUP:
        return None
    return round(part / base, digits)


NOT_ANSWERED = "geen"  # the split for questionnaires without "Hoe vaak kom je hier?"


def splits():
    """(key, label) of the groups a unit is split into: everyone, then each frequency band."""
    return [
        ("", _("Iedereen")),
        *((value, str(label).capitalize()) for value, label in Frequency.choices),
        (NOT_ANSWERED, _("Hoe vaak: niet ingevuld")),
    ]


def _groups(round_ids, location_ids) -> dict:
    """{(round id, location id, split key): Group} in one query over the answers."""
    groups = {}
    rows = (
        Response.objects.filter(round_id__in=round_ids, location_id__in=location_ids)
        .order_by()
        .values_list("round_id", "location_id", "frequency", *ANSWER_FIELDS)
    )
    for round_id, location_id, frequency, *answers in rows:
        for key in ("", frequency or NOT_ANSWERED):
            groups.setdefault((round_id, location_id, key), Group()).add(answers)
    return groups


def _unit_group(groups, round_id, location_ids, key) -> Group:
    total = Group()
    for location_id in location_ids:
        total = total + groups.get((round_id, location_id, key), Group())
    return total


@dataclass
class Figures:
    round: Round
    previous: Round | None
    locations: list  # the ones shown
    rows: list = field(default_factory=list)  # [unit label, split label, *cells, previous]
    headline: list = field(default_factory=list)  # [(unit label, Group)] of "Iedereen"

    @staticmethod
    def columns():
        return [
            _("Locatie"),
            _("Groep"),
            _("Antwoorden"),
            _("Eenzaam (%)"),
            _("Zeer eenzaam (%)"),
            _("Gemiddeld emotioneel (0–3)"),
            _("Gemiddeld sociaal (0–3)"),
            _("Eenzaam, vorige ronde (%)"),
        ]


def _units(locations) -> tuple[list, list]:
    """What figures are shown of these locations (in this order), and how they add up.

    Units: [(label, [location ids])]: each location; when the locations lie in more than one
    municipality, after each municipality's locations the municipality (also when it has one
    location: then it shows the same as that location); when there are several locations, all
    of them together, last. Relations: [(total index, [part indexes])] for `protect`."""
    units, relations, municipalities = [], [], []
    by_municipality = {}
    for location in locations:
        by_municipality.setdefault(location.municipality, []).append(location)
    several = len(by_municipality) > 1
    for municipality in sorted(by_municipality):
        members = by_municipality[municipality]
        first = len(units)
        units += [(location.name, [location.pk]) for location in members]
        if several:
            label = _("Gemeente %(name)s") % {"name": municipality}
            relations.append((len(units), list(range(first, len(units)))))
            municipalities.append(len(units))
            units.append((label, [location.pk for location in members]))
    if len(locations) > 1:
        parts = [index for index in range(len(units)) if index not in municipalities]
        relations.append((len(units), parts))
        if municipalities:
            relations.append((len(units), municipalities))
        units.append((_("Alle locaties"), [location.pk for location in locations]))
    return units, relations


def _grid(groups, round_id, units, unit_relations):
    """{(unit index, split key): Group} of one round, protected against subtraction."""
    keys = [key for key, _label in splits()]
    grid = {
        (index, key): _unit_group(groups, round_id, ids, key)
        for index, (_label, ids) in enumerate(units)
        for key in keys
    }
    relations = [
        (grid[index, ""], [grid[index, key] for key in keys[1:]]) for index in range(len(units))
    ]
    relations += [
        (grid[total, key], [grid[part, key] for part in parts])
        for total, parts in unit_relations
        for key in keys
    ]
    protect(relations)
    return grid


def round_figures(round_, locations) -> Figures:
    """The figures of a round for these locations (those of the round the viewer may see):
    per location, per municipality and all together (`_units`); each split by "Hoe vaak kom
    je hier?" and with % lonely of the previous round beside it."""
    previous = previous_round(round_)
    location_ids = [location.pk for location in locations]
    round_ids = [round_.pk] + ([previous.pk] if previous else [])
    groups = _groups(round_ids, location_ids)
    units, relations = _units(locations)
    now = _grid(groups, round_.pk, units, relations)
    before = _grid(groups, previous.pk, units, relations) if previous else {}
    figures = Figures(round=round_, previous=previous, locations=list(locations))
    for index, (label, _ids) in enumerate(units):
        for key, split_label in splits():
            group = now[index, key]
            earlier = before[index, key].lonely_cell() if previous else "–"
            figures.rows.append([label, split_label, *group.cells(), earlier])
            if key == "":
                figures.headline.append((label, group))
    return figures


def _rounds_summary(rounds, locations) -> list:
    """Each of these rounds with a row of everyone per unit of `_units` (of these locations
    that took part): [(round, [[unit label, *cells]])], protected like the figures page (the
    same rows as its "Iedereen" rows)."""
    rounds = list(rounds.distinct().order_by("starts_on", "pk").prefetch_related("locations"))
    wanted = {location.pk for location in locations}
    groups = _groups([r.pk for r in rounds], wanted)
    result = []
    for round_ in rounds:
        shown = [location for location in round_.locations.all() if location.pk in wanted]
        shown.sort(key=lambda location: location.name)
        units, relations = _units(shown)
        grid = _grid(groups, round_.pk, units, relations)
        rows = [[label, *grid[index, ""].cells()] for index, (label, _ids) in enumerate(units)]
        result.append((round_, rows))
    return result


def year_rounds(year: int, locations) -> list:
    """The rounds that began in `year` at any of these locations (see `_rounds_summary`)."""
    wanted = [location.pk for location in locations]
    return _rounds_summary(
        Round.objects.filter(starts_on__year=year, locations__in=wanted), locations
    )


def rounds_closed_between(start, end, locations) -> list:
    """The rounds at any of these locations that stopped taking answers from `start` to `end`
    (`RoundQuerySet.closed_between`), as in `_rounds_summary`: the monthly e-mail of a month
    has the rounds whose figures became final in that month, so each round is in one e-mail
    and never with answers still to come."""
    wanted = [location.pk for location in locations]
    return _rounds_summary(
        Round.objects.closed_between(start, end).filter(locations__in=wanted), locations
    )


def year_columns():
    return Figures.columns()[:1] + Figures.columns()[2:7]


def round_period(round_, *, with_year: bool = False) -> str:
    """ "1 okt 2025 – 31 mrt" (the year only when it is not this year, or always `with_year`:
    in a file)."""
    start = day_short(round_.starts_on, with_year=with_year)
    return f"{start} – {day_short(round_.ends_on, with_year=with_year)}"
