"""The one way to write a day in a template: {% load dates %}, then

    {{ shift.date|day_long }}        dinsdag 3 december   (another year: dinsdag 3 december 2024)
    {{ shift.date|day_short }}       3 dec                (another year: 3 dec 2024)
    {{ event.at|day_time_long }}     dinsdag 3 december, 14:05
    {{ event.at|day_time_short }}    3 dec, 14:05

In the active language (nl, fy, en), through the named formats in buurtkamer/formats and the
catalogues' day and month names; see buurtkamer.dates. At the start of a sentence: |capfirst.
Machine formats (ISO dates in links, inputs, data attributes) stay |date:"Y-m-d" / |date:"c".
"""

from django import template

from buurtkamer import dates

register = template.Library()

register.filter("day_long", dates.day_long, is_safe=False)
register.filter("day_short", dates.day_short, is_safe=False)
register.filter("day_time_long", dates.day_time_long, is_safe=False)
register.filter("day_time_short", dates.day_time_short, is_safe=False)
