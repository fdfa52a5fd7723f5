"""The app's own date formats for English, on top of Django's (django/conf/locale/en/formats.py).

One way to write a day (buurtkamer.dates.day_long / day_short, the filters in
buurtkamer/templatetags/dates.py): "Tuesday 3 December" on pages and in e-mails, "3 Dec" in tight
tables, with the year only when it is not this year. British order (day before month), as the
people reading it live in the Netherlands. "M" and not "b": Django's "b" is lower case ("dec").
"""

DAY_LONG_FORMAT = "l j F"  # Tuesday 3 December
DAY_LONG_YEAR_FORMAT = "l j F Y"  # Tuesday 3 December 2024
DAY_SHORT_FORMAT = "j M"  # 3 Dec
DAY_SHORT_YEAR_FORMAT = "j M Y"  # 3 Dec 2024
DAY_LONG_TIME_FORMAT = "l j F, H:i"  # Tuesday 3 December, 14:05
DAY_LONG_YEAR_TIME_FORMAT = "l j F Y, H:i"  # Tuesday 3 December 2024, 14:05
DAY_SHORT_TIME_FORMAT = "j M, H:i"  # 3 Dec, 14:05
DAY_SHORT_YEAR_TIME_FORMAT = "j M Y, H:i"  # 3 Dec 2024, 14:05
MONTH_SHORT_FORMAT = "M"  # Dec (under a chart's bars)
