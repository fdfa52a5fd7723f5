"""The authorization matrix's rows per area, one module each, so each area keeps its own."""

from . import activities, feeds, invitations, logbook, loneliness, profiles, reports, roster

# invitations last
AREAS = [roster, profiles, feeds, logbook, activities, reports, loneliness, invitations]
