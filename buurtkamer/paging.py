"""One page of a list, with the page number from the URL bounded: a number that is not a page
(not a number, 0, negative, past the end) shows the nearest page that is, and says so."""

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

LONGEST_NUMBER = 9  # digits: more is not a page number, whatever the list


def bounded_page(paginator: Paginator, asked: str | None) -> tuple[Page, str]:
    """(the page, a Dutch notice or ""). No number asked: the first page, no notice."""
    if not asked:
        return paginator.page(1), ""
    asked = asked.strip()
    a_number = asked.isascii() and asked.isdigit() and len(asked) <= LONGEST_NUMBER
    number = int(asked) if a_number else 0
    if 1 <= number <= paginator.num_pages:
        return paginator.page(number), ""
    page = paginator.page(paginator.num_pages if number > paginator.num_pages else 1)
    notice = _("Die pagina bestaat niet. Je ziet nu pagina %(number)s van %(total)s.") % {
        "number": page.number,
        "total": paginator.num_pages,
    }
    return page, notice
