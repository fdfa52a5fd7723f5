"""What the dashboard's panels share (buurtkamer/views.py dashboard): when a panel lists every
location and when it summarises, and the staff dashboard's search.

A national install has hundreds of locations: a row per location would make the staff
dashboard endless. Up to ALL_ROWS_UP_TO locations every panel keeps a row per location; with
more each panel summarises (totals, the locations that stand out, per municipality) and the
search finds a location by name, town or municipality. All of it from the data the panels
already read: the number of queries does not depend on the number of locations.
"""

from locations.forms import LocationSearchForm

ALL_ROWS_UP_TO = 12  # up to this many locations, every panel has a row per location
LISTED = 10  # a summarised list (movers, gaps, follow-ups, search results) shows this many


def summarised(locations) -> bool:
    """Whether the panels summarise these locations instead of giving each a row."""
    return len(locations) > ALL_ROWS_UP_TO


def search_of(request) -> tuple[str, str]:
    """(the search typed in, a message in Dutch when it cannot be used, else ""): the one
    location search (locations.forms.LocationSearchForm), bounded in length."""
    return LocationSearchForm(request.GET).text_and_problem()


def matching(locations, query: str) -> list:
    """The locations that match the search (Location.matches, the rule of every location
    search), in the order given. Searched among the locations already fetched: no query."""
    if not query:
        return []
    return [location for location in locations if location.matches(query)]


def location_search(request, locations) -> dict:
    """The staff dashboard's search among `locations` (already fetched), for its template: what
    was typed, a message when it cannot be used, the first LISTED found and how many more."""
    query, problem = search_of(request)
    found = matching(locations, query)
    return {
        "query": query,
        "problem": problem,
        "found": found[:LISTED],
        "more": max(len(found) - LISTED, 0),
        "parameter": "zoek",
        "max_length": LocationSearchForm.MAX_LENGTH,
        "municipalities": len({location.municipality for location in locations}),
    }
