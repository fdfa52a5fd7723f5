"""What the volunteers area adds to the dashboard (buurtkamer/views.py): one panel or none."""


def panel(request, *, kind, locations, roles):
    """The context of this area's dashboard panel, or None to show nothing.

    kind: "staff", "coordinator" or "volunteer" (which dashboard); locations: the Location
    objects on it (already fetched); roles: {location id: Role} of this person. The dict
    returned must hold "template", which the dashboard includes with the dict as `panel`.
    """
    return None
