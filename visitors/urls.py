from django.urls import path

from .views import manage, reports, stories, tablet

app_name = "visitors"

urlpatterns = [
    # The check-in screen and its endpoints: a paired tablet, or a coordinator / staff.
    path("tablet/sw.js", tablet.service_worker, name="service-worker"),
    path("tablet/<slug:slug>/", tablet.tablet_page, name="tablet"),
    path("tablet/<slug:slug>/bezoek/", tablet.checkin_form, name="checkin"),
    path("tablet/<slug:slug>/ongedaan/", tablet.undo_form, name="undo"),
    path("tablet/<slug:slug>/api/bezoek/", tablet.checkin_api, name="checkin-api"),
    path("tablet/<slug:slug>/api/ongedaan/", tablet.undo_api, name="undo-api"),
    path("tablet/<slug:slug>/koppelen/", tablet.pair, name="pair"),
    # The paired tablet writes in the logbook itself, without anyone logging in.
    path("tablet/<slug:slug>/logboek/", tablet.tablet_logbook, name="tablet-logbook"),
    # Coordinators and staff: tablets, today, manual tallies, referrals.
    path("locaties/<slug:slug>/tablets/", manage.tablet_list, name="tablets"),
    path(
        "locaties/<slug:slug>/tablets/<int:pk>/taal/",
        manage.tablet_language,
        name="tablet-language",
    ),
    path(
        "locaties/<slug:slug>/tablets/<int:pk>/ontkoppelen/",
        manage.revoke_tablet,
        name="revoke-tablet",
    ),
    path("locaties/<slug:slug>/vandaag/", manage.today, name="today"),
    path("locaties/<slug:slug>/doorverwijzing/", manage.referral, name="referral"),
    path(
        "locaties/<slug:slug>/doorverwijzing/<int:pk>/ongedaan/",
        manage.referral_undo,
        name="referral-undo",
    ),
    path("locaties/<slug:slug>/turven/", manage.tallies, name="tallies"),
    path("locaties/<slug:slug>/turven/<int:pk>/", manage.tally_edit, name="tally-edit"),
    path("locaties/<slug:slug>/turven/<int:pk>/vervallen/", manage.tally_void, name="tally-void"),
    # Attendance reports: staff (all locations) and coordinators (their own).
    path("rapportage/", reports.report, name="report"),
    path("rapportage/export.csv", reports.report_csv_view, name="report-csv"),
    path("rapportage/export.xlsx", reports.report_xlsx_view, name="report-xlsx"),
    path("rapportage/jaaroverzicht/", reports.year_overview_view, name="year-overview"),
    path("locaties/<slug:slug>/verhalen/", stories.stories, name="stories"),
    path("locaties/<slug:slug>/verhalen/<int:pk>/", stories.story_edit, name="story-edit"),
    path(
        "locaties/<slug:slug>/verhalen/<int:pk>/verwijderen/",
        stories.story_delete,
        name="story-delete",
    ),
]
