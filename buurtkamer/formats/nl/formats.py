"""The app's own date formats for Dutch, on top of Django's (django/conf/locale/nl/formats.py).

One way to write a day (buurtkamer.dates.day_long / day_short, the filters in
buurtkamer/templatetags/dates.py): "dinsdag 3 december" on pages and in e-mails, "3 dec" in tight
tables, with the year only when it is not this year. The day and month names come from the
catalogues.
"""

DAY_LONG_FORMAT = "l j F"  # dinsdag 3 december
DAY_LONG_YEAR_FORMAT = "l j F Y"  # dinsdag 3 december 2024
DAY_SHORT_FORMAT = "j b"  # 3 dec
DAY_SHORT_YEAR_FORMAT = "j b Y"  # 3 dec 2024
DAY_LONG_TIME_FORMAT = "l j F, H:i"  # dinsdag 3 december, 14:05
DAY_LONG_YEAR_TIME_FORMAT = "l j F Y, H:i"  # dinsdag 3 december 2024, 14:05
DAY_SHORT_TIME_FORMAT = "j b, H:i"  # 3 dec, 14:05
DAY_SHORT_YEAR_TIME_FORMAT = "j b Y, H:i"  # 3 dec 2024, 14:05
MONTH_SHORT_FORMAT = "b"  # dec (under a chart's bars)
