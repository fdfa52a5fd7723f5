"""The editable lists in every language: how a first-time visitor came, where visitors are
referred onward and the kinds of activity.

Each entry has a name per language (django-modeltranslation adds the columns `name_nl`,
`name_en` and `name_fy`; the registrations are in visitors/translation.py and
activities/translation.py). Dutch is required, English and Frysk may stay empty. Reading
`entry.name` gives the name in the active language, or the Dutch one when that is empty; the
queries that group by name use `name_in_active_language`, which does the same in SQL. Both add
columns to a query, never a query.
"""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, get_language

DUTCH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

# The form labels of the three names, on the coordinators' pages and in the admin.
NAME_FIELDS = {
    "name_nl": _("Naam"),
    "name_en": _("Naam in het Engels (mag je leeg laten)"),
    "name_fy": _("Naam in het Fries (mag je leeg laten)"),
}
NAME_HELP = _("Laat je het leeg, dan staat er de Nederlandse naam.")


def label_name_fields(fields) -> None:
    """Give the three name fields of a form their Dutch labels (and help for the optional two)."""
    for name, label in NAME_FIELDS.items():
        if name in fields:
            fields[name].label = label
            if name != build_localized_fieldname("name", DUTCH):
                fields[name].help_text = NAME_HELP


class DutchOriginalName:
    """Mixin for a model with a translated `name`: the original `name` column (which keeps the
    list's order and its uniqueness) always holds the Dutch name, whatever language the person
    saving speaks. (django-modeltranslation would write the active language's name there.)"""

    def save(self, *args, **kwargs):
        with translation.override(DUTCH):
            super().save(*args, **kwargs)


def name_in_active_language(relation: str):
    """The name of the list entry at `relation` (e.g. "came_via"), in the active language with
    the Dutch name where that is empty: for `values()` and `order_by()` on other models (on the
    list's own model with relation "")."""
    prefix = f"{relation}__" if relation else ""
    dutch = F(f"{prefix}{build_localized_fieldname('name', DUTCH)}")
    language = get_language()
    if language == DUTCH:
        return dutch
    own = F(f"{prefix}{build_localized_fieldname('name', language)}")
    text = CharField()  # the translation fields are of their own class: say what comes out
    return Coalesce(NullIf(own, Value(""), output_field=text), dutch, output_field=text)
