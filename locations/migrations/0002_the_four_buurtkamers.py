"""The four buurtkamers of Stichting AanZet. Editable afterwards; never overwritten."""

from django.db import migrations

BUURTKAMERS = [
    # name, slug, town, municipality
    ("Buurtkamer Burgum", "burgum", "Burgum", "Tytsjerksteradiel"),
    ("Buurtkamer Dokkum", "dokkum", "Dokkum", "Noardeast-Fryslân"),
    ("Buurtkamer Kollum", "kollum", "Kollum", "Noardeast-Fryslân"),
    ("Buurtkamer De Westereen", "de-westereen", "De Westereen", "Dantumadiel"),
]


def create_locations(apps, schema_editor):
    Location = apps.get_model("locations", "Location")
    for name, slug, town, municipality in BUURTKAMERS:
        Location.objects.get_or_create(
            slug=slug, defaults={"name": name, "town": town, "municipality": municipality}
        )


class Migration(migrations.Migration):
    dependencies = [("locations", "0001_initial")]

    operations = [migrations.RunPython(create_locations, migrations.RunPython.noop)]
