"""The loneliness rounds where other areas' pages show them: the button on the tablet during a
round, the section of the year overview and the section of the monthly e-mail. Template tags,
so that those areas' code does not import this app (the app graph stays acyclic: loneliness
uses the tablet's door, not the other way round)."""

from django import template
from django.urls import reverse

from .. import services

register = template.Library()


@register.inclusion_tag("loneliness/includes/tablet_button.html")
def loneliness_tablet_button(location):
    """During a round at this location: the button to the anonymous questionnaire."""
    return {"location": location, "loneliness_round": services.round_on_tablet(location)}


@register.inclusion_tag("loneliness/includes/year_overview.html")
def loneliness_year_section(year, locations):
    """The year's rounds at these locations, as group figures (none: nothing shown)."""
    return {
        "loneliness_rounds": services.year_rounds(year, locations),
        "loneliness_columns": services.year_columns(),
        "loneliness_min_group": services.MIN_GROUP,
    }


def _month_section(start, end, locations, site):
    columns = services.year_columns()
    rounds = [
        (
            round_,
            [
                (
                    label,
                    cells[0] == str(services.TOO_FEW),
                    list(zip(columns[1:], cells, strict=True)),
                )
                for label, *cells in rows
            ],
            site.rstrip("/") + reverse("loneliness:figures", kwargs={"round_id": round_.pk}),
        )
        for round_, rows in services.rounds_closed_between(start, end, locations)
    ]
    return {
        "loneliness_rounds": rounds,
        "loneliness_columns": columns,
        "loneliness_min_group": services.MIN_GROUP,
    }


@register.inclusion_tag("loneliness/includes/monthly_email.html")
def loneliness_month_email_html(start, end, locations, site):
    """The monthly e-mail: the rounds that stopped taking answers in the month (their
    figures are final; `services.rounds_closed_between`), as group figures of
    these locations, with a link to each round's figures page (none: nothing shown)."""
    return _month_section(start, end, locations, site)


@register.inclusion_tag("loneliness/includes/monthly_email.txt")
def loneliness_month_email_text(start, end, locations, site):
    """The plain-text part of `loneliness_month_email_html`."""
    return _month_section(start, end, locations, site)
