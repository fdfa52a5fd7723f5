"""The starting lists of how people found the buurtkamer and where they are referred onward.

Both lists are edited in the admin afterwards; this only fills them once.
"""

from django.db import migrations

CAME_VIA = [
    "Op eigen initiatief",
    "Meegenomen door iemand",
    "Via de huisarts",
    "Via het gebiedsteam",
    "Via de thuiszorg",
    "Via een partnerorganisatie",
]

REFERRAL_TARGETS = [
    "Gebiedsteam",
    "Huisarts",
    "Schuldhulp",
    "Maatschappelijk werk",
    "Welzijnsorganisatie",
    "Vrijwilligerswerk",
]


def fill_lists(apps, schema_editor):
    CameVia = apps.get_model("visitors", "CameVia")
    ReferralTarget = apps.get_model("visitors", "ReferralTarget")
    for position, name in enumerate(CAME_VIA):
        CameVia.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(REFERRAL_TARGETS):
        ReferralTarget.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("visitors", "0001_initial")]

    operations = [migrations.RunPython(fill_lists, migrations.RunPython.noop)]
