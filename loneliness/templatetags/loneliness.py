"""The loneliness rounds where other areas' pages show them: the button on the tablet during a
round, and the section of the year overview. Template tags, so that those areas' code does not
import this app (the app graph stays acyclic: loneliness uses the tablet's door, not the other
way round)."""

from django import template

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
