from django.urls import path

from . import logbook_views, views

app_name = "locations"

urlpatterns = [
    path("", views.location_list, name="list"),
    path(
        "uitnodigingen/<int:pk>/<str:code>/accepteren/",
        views.accept_membership,
        name="accept-membership",
    ),
    path(
        "uitnodigingen/<int:pk>/<str:code>/afslaan/",
        views.decline_membership,
        name="decline-membership",
    ),
    path("<slug:slug>/", views.location_detail, name="detail"),
    path("<slug:slug>/instellingen/", views.location_settings, name="settings"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/<int:pk>/rol/", views.change_role, name="change-role"),
    path("<slug:slug>/team/<int:pk>/beeindigen/", views.end_membership, name="end-membership"),
    path("<slug:slug>/openingstijden/", views.opening_hours, name="opening-hours"),
    path("<slug:slug>/sluitingen/", views.closures, name="closures"),
    path(
        "<slug:slug>/sluitingen/<int:pk>/verwijderen/",
        views.closure_delete,
        name="closure-delete",
    ),
    path("<slug:slug>/huisregels/", views.house_rules, name="house-rules"),
    path("<slug:slug>/logboek/", logbook_views.logbook, name="logbook"),
    path("<slug:slug>/logboek/nieuw/", logbook_views.logbook_new, name="logbook-new"),
    path(
        "<slug:slug>/logboek/<int:pk>/afhandelen/",
        logbook_views.logbook_close,
        name="logbook-close",
    ),
]
