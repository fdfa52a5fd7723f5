"""A location's workspace: the sections every page of one location shares (its sub-navigation).

Vandaag · Rooster · Agenda · Vrijwilligers · Logboek · Cijfers · Instellingen. Each section has
the page its tab opens, the pages that belong to it (so that the tab is marked on them too),
and perhaps a few pages of its own (the second row of the menu). Who sees which tab is not
decided here: a tab or link shows when buurtkamer.permissions.may_open says its page opens
for this person.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtkamer.permissions import may_open


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    # Other pages that count as this one (its detail and form pages).
    also: frozenset = frozenset()
    hint: str = ""  # a line about it on the settings page
    # A page about every location, opened for this one with this query parameter (the report).
    query: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    pages: frozenset  # every url name of the section, its own included
    links: tuple = field(default_factory=tuple)  # the second row, when there is more than one


SECTIONS = (
    Section(
        "vandaag",
        _("Vandaag"),
        "locations:detail",
        frozenset({"locations:detail"}),
    ),
    Section(
        "rooster",
        _("Rooster"),
        "volunteers:roster",
        frozenset(
            {
                "volunteers:roster",
                "volunteers:shift",
                "volunteers:assign",
                "volunteers:unassign",
                "volunteers:shift-attendance",
                "volunteers:shift-templates",
                "volunteers:generate-shifts",
            }
        ),
        (
            Link(
                _("Weekrooster"),
                "volunteers:roster",
                frozenset({"volunteers:shift", "volunteers:generate-shifts"}),
            ),
            Link(_("Roostersjablonen"), "volunteers:shift-templates"),
        ),
    ),
    Section(
        "agenda",
        _("Agenda"),
        "activities:calendar",
        frozenset(
            {
                "activities:calendar",
                "activities:activity-list",
                "activities:activity-new",
                "activities:activity-detail",
                "activities:activity-edit",
                "activities:occurrence",
                "activities:occurrence-edit",
                "activities:occurrence-cancel",
                "activities:occurrence-restore",
                "activities:occurrence-attendance",
            }
        ),
        (
            Link(
                _("Agenda"),
                "activities:calendar",
                frozenset({"activities:occurrence", "activities:occurrence-edit"}),
            ),
            Link(
                _("Activiteiten"),
                "activities:activity-list",
                frozenset(
                    {
                        "activities:activity-new",
                        "activities:activity-detail",
                        "activities:activity-edit",
                    }
                ),
            ),
        ),
    ),
    Section(
        "vrijwilligers",
        _("Vrijwilligers"),
        "volunteers:list",
        frozenset(
            {
                "volunteers:list",
                "volunteers:detail",
                "volunteers:change-status",
                "volunteers:release-shifts",
                "volunteers:edit-onboarding",
                "volunteers:add-training",
                "volunteers:remove-training",
            }
        ),
    ),
    Section(
        "logboek",
        _("Logboek"),
        "locations:logbook",
        frozenset({"locations:logbook", "locations:logbook-new", "locations:logbook-close"}),
    ),
    Section(
        "cijfers",
        _("Cijfers"),
        "visitors:today",
        frozenset(
            {
                "visitors:today",
                "visitors:referral",
                "visitors:referral-undo",
                "visitors:tallies",
                "visitors:tally-edit",
                "visitors:tally-void",
                "visitors:stories",
                "visitors:story-edit",
                "visitors:story-delete",
            }
        ),
        (
            Link(_("Bezoekers vandaag"), "visitors:today", frozenset({"visitors:referral"})),
            Link(
                _("Turven achteraf"),
                "visitors:tallies",
                frozenset({"visitors:tally-edit", "visitors:tally-void"}),
            ),
            Link(
                _("Verhalen"),
                "visitors:stories",
                frozenset({"visitors:story-edit", "visitors:story-delete"}),
            ),
            Link(_("Rapportage"), "visitors:report", query="locatie"),
        ),
    ),
    Section(
        "instellingen",
        _("Instellingen"),
        "locations:settings",
        frozenset(
            {
                "locations:settings",
                "locations:opening-hours",
                "locations:closures",
                "locations:closure-delete",
                "locations:house-rules",
                "locations:team",
                "locations:change-role",
                "locations:end-membership",
                "activities:rooms",
                "activities:room-edit",
                "visitors:tablets",
                "visitors:revoke-tablet",
            }
        ),
        (
            Link(
                _("Openingstijden"),
                "locations:opening-hours",
                hint=_("Op welke dagdelen de buurtkamer open is."),
            ),
            Link(
                _("Sluitingen"),
                "locations:closures",
                frozenset({"locations:closure-delete"}),
                _("Feestdagen en vakanties: dagen dat de buurtkamer dicht is."),
            ),
            Link(
                _("Huisregels en adres"),
                "locations:house-rules",
                hint=_("Wat iedereen op het openbare programma leest."),
            ),
            Link(
                _("Ruimtes"),
                "activities:rooms",
                frozenset({"activities:room-edit"}),
                _("De ruimtes waar activiteiten zijn."),
            ),
            Link(
                _("Tablets"),
                "visitors:tablets",
                frozenset({"visitors:revoke-tablet"}),
                _("De tablets die bezoekers tellen: koppelen en ontkoppelen."),
            ),
            Link(
                _("Team"),
                "locations:team",
                frozenset({"locations:change-role", "locations:end-membership"}),
                _("Wie er meedoen: uitnodigen en rollen."),
            ),
        ),
    ),
)

SETTINGS = next(section for section in SECTIONS if section.key == "instellingen")


def section_of(view_name: str | None) -> Section | None:
    return next((section for section in SECTIONS if view_name in section.pages), None)


def _link(user, location, label, url_name, current, hint=""):
    if not may_open(user, url_name, location):
        return None
    return {
        "label": label,
        "url": reverse(url_name, kwargs={"slug": location.slug}),
        "current": current,
        "hint": hint,
    }


def allowed_links(user, location, section: Section, view_name=None) -> list[dict]:
    """The pages of a section this person may open: {label, url, current}."""
    found = []
    for link in section.links:
        if link.query:
            # Opened for this location: for those who may open the section's own page.
            if may_open(user, section.url_name, location):
                url = f"{reverse(link.url_name)}?{urlencode({link.query: location.slug})}"
                found.append({"label": link.label, "url": url, "current": False})
            continue
        current = view_name == link.url_name or view_name in link.also
        if (
            item := _link(user, location, link.label, link.url_name, current, link.hint)
        ) is not None:
            found.append(item)
    return found


def menu(user, location, view_name: str | None) -> dict:
    """The workspace menu for one page: the tabs this person may open (the current one
    marked) and, below them, the current section's own pages when it has more than one."""
    active = section_of(view_name)
    tabs = []
    for section in SECTIONS:
        tab = _link(user, location, section.label, section.url_name, section is active)
        if tab is not None:
            tab["key"] = section.key
            tabs.append(tab)
    links = allowed_links(user, location, active, view_name) if active else []
    return {"tabs": tabs, "links": links if len(links) > 1 else [], "section": active}
