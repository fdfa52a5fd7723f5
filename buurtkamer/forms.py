"""What every form shares: headed parts (fieldsets) through crispy-forms.

A form lists its parts once: `fieldsets = [(legend, [name, (name, name), ...]), ...]`, legend None
for no heading; a tuple puts fields that belong together (begins at / ends at) side by side. The
page renders it with `{% crispy form %}` inside its own <form> tag. Widths come from
static/css/buurtkamer.css: a time, date or number box is narrow, a text area full width, for
every form alike.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django.utils.functional import cached_property


class FieldsetsMixin:
    fieldsets: list = []

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False  # the page has the <form>, its action and its buttons
        helper.disable_csrf = True  # and its {% csrf_token %}
        placed = set()

        def present(names):
            names = [name for name in names if name in self.fields and name not in placed]
            placed.update(names)
            return names

        parts = []
        for legend, entries in self.fieldsets:
            items = []
            for entry in entries:
                if isinstance(entry, tuple):
                    names = present(entry)
                    if names:
                        items.append(Div(*names, css_class="field-row"))
                else:
                    items.extend(present([entry]))
            if items and legend:
                parts.append(Fieldset(legend, *items, css_class="form-fieldset"))
            else:  # a short form: only the rows, no heading
                parts.extend(items)
        # Whatever no part names (a hidden version, a field added in __init__) follows them.
        helper.layout = Layout(*parts, *present(list(self.fields)))
        return helper
