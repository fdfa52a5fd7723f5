"""The De Jong Gierveld loneliness scale, 6-item short form (De Jong Gierveld, J. & Van Tilburg,
T. (2006). A 6-item scale for overall, emotional, and social loneliness: confirmatory tests on
survey data. Research on Aging, 28(5), 582-598), and the one place it is scored.

Each statement is answered "ja", "min of meer" or "nee". Statements 1-3 (emotional loneliness)
count 1 when answered "ja" or "min of meer"; statements 4-6 (social loneliness) are put
positively and count 1 when answered "nee" or "min of meer".

A partly answered questionnaire counts only in what it completes:
- a subscale (emotional 0-3, social 0-3) is scored when all three of its statements are
  answered, otherwise it is empty (None);
- the total (0-6), "lonely" (total 2 or more) and "severely lonely" (total 5 or 6) only when
  all six are answered.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Answer

EMOTIONAL, SOCIAL = "emotional", "social"
LONELY_FROM = 2  # a total of 2 or more counts as lonely
SEVERELY_FROM = 5  # 5 or 6: severely lonely

# (number, statement, subscale, the answers that count as lonely) - the texts exactly as in
# the scale's Dutch version.
STATEMENTS = (
    (1, _("Ik ervaar een leegte om me heen."), EMOTIONAL, {Answer.YES, Answer.MORE_OR_LESS}),
    (2, _("Ik mis gewoon mensen om me heen."), EMOTIONAL, {Answer.YES, Answer.MORE_OR_LESS}),
    (3, _("Ik voel me vaak in de steek gelaten."), EMOTIONAL, {Answer.YES, Answer.MORE_OR_LESS}),
    (
        4,
        _("Er zijn genoeg mensen op wie ik in geval van narigheid kan terugvallen."),
        SOCIAL,
        {Answer.NO, Answer.MORE_OR_LESS},
    ),
    (
        5,
        _("Ik ken veel mensen op wie ik volledig kan vertrouwen."),
        SOCIAL,
        {Answer.NO, Answer.MORE_OR_LESS},
    ),
    (
        6,
        _("Er zijn voldoende mensen met wie ik me nauw verbonden voel."),
        SOCIAL,
        {Answer.NO, Answer.MORE_OR_LESS},
    ),
)

CITATION = (
    "De Jong Gierveld, J. & Van Tilburg, T. (2006). A 6-item scale for overall, emotional, "
    "and social loneliness: confirmatory tests on survey data. Research on Aging, 28(5), "
    "582-598."
)


@dataclass(frozen=True)
class Score:
    emotional: int | None  # 0-3, None unless statements 1-3 are all answered
    social: int | None  # 0-3, None unless statements 4-6 are all answered
    total: int | None  # 0-6, None unless all six are answered

    @property
    def lonely(self) -> bool | None:
        return None if self.total is None else self.total >= LONELY_FROM

    @property
    def severely_lonely(self) -> bool | None:
        return None if self.total is None else self.total >= SEVERELY_FROM


def _subscale(answers, which):
    items = [
        (answer, lonely_when)
        for answer, (_n, _text, subscale, lonely_when) in zip(answers, STATEMENTS, strict=True)
        if subscale == which
    ]
    if any(answer in (None, "") for answer, _lonely in items):
        return None
    return sum(1 for answer, lonely_when in items if answer in lonely_when)


def score(answers) -> Score:
    """The score of six answers (in the order of STATEMENTS; None or "" when not answered)."""
    answers = tuple(answers)
    if len(answers) != len(STATEMENTS):
        raise ValueError("six answers, in the order of the statements")
    emotional = _subscale(answers, EMOTIONAL)
    social = _subscale(answers, SOCIAL)
    total = None if emotional is None or social is None else emotional + social
    return Score(emotional=emotional, social=social, total=total)
