"""The Dutch name of every kind of activity becomes its `name_nl`; the seven defaults get their
English and Frisian names (kept where someone filled them already)."""

from django.db import migrations
from django.db.models import F

# (nl, en, fy): the Frisian names await review by a native speaker.
DEFAULTS = [
    ("Koffie en inloop", "Coffee and drop-in", "Kofje en ynrin"),
    ("Spelletjes", "Games", "Spultsjes"),
    ("Creatief", "Creative", "Kreatyf"),
    ("Samen koken en eten", "Cooking and eating together", "Tegearre koke en ite"),
    ("Bewegen", "Exercise", "Bewege"),
    ("Informatie", "Information", "Ynformaasje"),
    ("Uitstapje", "Outing", "Útstapke"),
]


def translate(apps, schema_editor):
    Category = apps.get_model("activities", "Category")
    Category.objects.filter(name_nl__isnull=True).update(name_nl=F("name"))
    for dutch, english, frisian in DEFAULTS:
        Category.objects.filter(name_nl=dutch, name_en__isnull=True).update(name_en=english)
        Category.objects.filter(name_nl=dutch, name_fy__isnull=True).update(name_fy=frisian)


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_name_in_each_language")]

    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
