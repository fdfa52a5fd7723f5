"""Small date helpers shared by the roster, the programme and the reports."""

import datetime


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week a day falls in."""
    return day - datetime.timedelta(days=day.weekday())
