"""{% workspace_menu %}: the tabs of a location's workspace (templates/locations/workspace.html)."""

from django import template

from locations import workspace

register = template.Library()


@register.inclusion_tag("locations/includes/workspace_menu.html", takes_context=True)
def workspace_menu(context):
    request = context["request"]
    location = context["location"]
    match = request.resolver_match
    view_name = match.view_name if match else None
    return {"location": location, **workspace.menu(request.user, location, view_name)}
