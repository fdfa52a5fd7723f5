"""Date and number formats for Frysk.

Django's own fy formats module is empty, so dates would come out in the American default
("Dec. 3, 2026"). In Friesland dates and numbers are written as in Dutch: "3 desimber 2026",
"3-12-2026", "2,50". The month and day names come from the catalogues (locale_thirdparty/fy).
"""

from django.conf.locale.nl.formats import (
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j F Y"  # 3 desimber 2026
TIME_FORMAT = "H:i"  # 15:23
DATETIME_FORMAT = "j F Y H:i"  # 3 desimber 2026 15:23
YEAR_MONTH_FORMAT = "F Y"  # desimber 2026
MONTH_DAY_FORMAT = "j F"  # 3 desimber
SHORT_DATE_FORMAT = "j-n-Y"  # 3-12-2026
SHORT_DATETIME_FORMAT = "j-n-Y H:i"  # 3-12-2026 15:23
FIRST_DAY_OF_WEEK = 1  # moandei

# One way to write a day (buurtkamer.dates.day_long / day_short, the filters in
# buurtkamer/templatetags/dates.py), as in Dutch: the year only when it is not this year.
DAY_LONG_FORMAT = "l j F"  # tiisdei 3 desimber
DAY_LONG_YEAR_FORMAT = "l j F Y"  # tiisdei 3 desimber 2024
DAY_SHORT_FORMAT = "j b"  # 3 des
DAY_SHORT_YEAR_FORMAT = "j b Y"  # 3 des 2024
DAY_LONG_TIME_FORMAT = "l j F, H:i"  # tiisdei 3 desimber, 14:05
DAY_LONG_YEAR_TIME_FORMAT = "l j F Y, H:i"  # tiisdei 3 desimber 2024, 14:05
DAY_SHORT_TIME_FORMAT = "j b, H:i"  # 3 des, 14:05
DAY_SHORT_YEAR_TIME_FORMAT = "j b Y, H:i"  # 3 des 2024, 14:05
MONTH_SHORT_FORMAT = "b"  # des (under a chart's bars)

__all__ = [
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "DAY_LONG_FORMAT",
    "DAY_LONG_TIME_FORMAT",
    "DAY_LONG_YEAR_FORMAT",
    "DAY_LONG_YEAR_TIME_FORMAT",
    "DAY_SHORT_FORMAT",
    "DAY_SHORT_TIME_FORMAT",
    "DAY_SHORT_YEAR_FORMAT",
    "DAY_SHORT_YEAR_TIME_FORMAT",
    "DECIMAL_SEPARATOR",
    "FIRST_DAY_OF_WEEK",
    "MONTH_DAY_FORMAT",
    "MONTH_SHORT_FORMAT",
    "NUMBER_GROUPING",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "THOUSAND_SEPARATOR",
    "TIME_FORMAT",
    "TIME_INPUT_FORMATS",
    "YEAR_MONTH_FORMAT",
]
