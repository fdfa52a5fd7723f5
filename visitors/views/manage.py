"""Coordinators and staff: paired tablets, today's check-ins, manual tallies, referrals.

Filled in by the helper working on the coordinator pages (see visitors/urls.py).
"""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


tablet_list = revoke_tablet = today = referral = tallies = tally_edit = tally_void = _todo
