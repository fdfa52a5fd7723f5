"""The authorization matrix's rows per area, one module each, so each area keeps its own."""

from . import activities, logbook, reports, volunteers

AREAS = [volunteers, logbook, activities, reports]
