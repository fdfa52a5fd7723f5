"""The Dutch name of every entry of the two lists becomes its `name_nl`; the default entries get
their English and Frisian names (kept where someone filled them already)."""

from django.db import migrations
from django.db.models import F

# (nl, en, fy): the Frisian names await review by a native speaker.
CAME_VIA = [
    ("Op eigen initiatief", "On their own initiative", "Op eigen inisjatyf"),
    ("Meegenomen door iemand", "Brought along by someone", "Meinommen troch ien"),
    ("Via de huisarts", "Through the GP", "Fia de húsdokter"),
    ("Via het gebiedsteam", "Through the area team", "Fia it gebietsteam"),
    ("Via de thuiszorg", "Through home care", "Fia de thússoarch"),
    ("Via een partnerorganisatie", "Through a partner organisation", "Fia in partnerorganisaasje"),
]

REFERRAL_TARGETS = [
    ("Gebiedsteam", "Area team", "Gebietsteam"),
    ("Huisarts", "GP", "Húsdokter"),
    ("Schuldhulp", "Debt help", "Skuldhelp"),
    ("Maatschappelijk werk", "Social work", "Maatskiplik wurk"),
    ("Welzijnsorganisatie", "Welfare organisation", "Wolwêzensorganisaasje"),
    ("Vrijwilligerswerk", "Volunteering", "Frijwilligerswurk"),
]


def translate(apps, schema_editor):
    for model_name, defaults in (("CameVia", CAME_VIA), ("ReferralTarget", REFERRAL_TARGETS)):
        model = apps.get_model("visitors", model_name)
        model.objects.filter(name_nl__isnull=True).update(name_nl=F("name"))
        for dutch, english, frisian in defaults:
            model.objects.filter(name_nl=dutch, name_en__isnull=True).update(name_en=english)
            model.objects.filter(name_nl=dutch, name_fy__isnull=True).update(name_fy=frisian)


class Migration(migrations.Migration):
    dependencies = [("visitors", "0007_name_in_each_language")]

    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
