"""The seven kinds of activity the buurtkamers started with; editable afterwards."""

from django.db import migrations

DEFAULTS = [
    "Koffie en inloop",
    "Spelletjes",
    "Creatief",
    "Samen koken en eten",
    "Bewegen",
    "Informatie",
    "Uitstapje",
]


def add_defaults(apps, schema_editor):
    Category = apps.get_model("activities", "Category")
    for position, name in enumerate(DEFAULTS, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position})


def remove_defaults(apps, schema_editor):
    Category = apps.get_model("activities", "Category")
    Category.objects.filter(name__in=DEFAULTS, activities__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
