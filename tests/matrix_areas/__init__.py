"""The authorization matrix's rows per area, one module each, so each area keeps its own."""

from . import activities, feeds, invitations, logbook, loneliness, profiles, reports, roster

AREAS = [roster, profiles, feeds, logbook, activities, reports, loneliness, invitations]  # invitations last
