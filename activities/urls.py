from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    # The public programme: no login, no personal data.
    path("programma/", views.programme_index, name="programme-index"),
    path("programma/<slug:slug>/", views.programme, name="programme"),
    path("programma/<slug:slug>/poster/", views.poster, name="poster"),
    path("programma/<slug:slug>/programma.ics", views.programme_ics, name="programme-ics"),
    # The team of a location: the calendar (volunteers read-only), activities and their dates.
    path("locaties/<slug:slug>/agenda/", views.calendar, name="calendar"),
    path("locaties/<slug:slug>/activiteiten/", views.activity_list, name="activity-list"),
    path("locaties/<slug:slug>/activiteiten/nieuw/", views.activity_new, name="activity-new"),
    path(
        "locaties/<slug:slug>/activiteiten/<int:pk>/",
        views.activity_detail,
        name="activity-detail",
    ),
    path(
        "locaties/<slug:slug>/activiteiten/<int:pk>/bewerken/",
        views.activity_edit,
        name="activity-edit",
    ),
    path("locaties/<slug:slug>/keer/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path(
        "locaties/<slug:slug>/keer/<int:pk>/aanpassen/",
        views.occurrence_edit,
        name="occurrence-edit",
    ),
    path(
        "locaties/<slug:slug>/keer/<int:pk>/afzeggen/",
        views.occurrence_cancel,
        name="occurrence-cancel",
    ),
    path(
        "locaties/<slug:slug>/keer/<int:pk>/gaat-toch-door/",
        views.occurrence_restore,
        name="occurrence-restore",
    ),
    path(
        "locaties/<slug:slug>/keer/<int:pk>/deelnemers/",
        views.occurrence_attendance,
        name="occurrence-attendance",
    ),
    path("locaties/<slug:slug>/ruimtes/", views.rooms, name="rooms"),
    path("locaties/<slug:slug>/ruimtes/<int:pk>/", views.room_edit, name="room-edit"),
    # Staff: every location's calendar side by side.
    path("agenda/", views.calendar_all, name="calendar-all"),
    # Shared lists: coordinators and staff. Not a location's objects, so not a `pk` argument
    # (the matrix looks for a `pk` of another location under a location's slug).
    path("activiteiten/soorten/", views.categories, name="categories"),
    path("activiteiten/soorten/<int:category_id>/", views.category_edit, name="category-edit"),
    path("partners/", views.partners, name="partners"),
    path("partners/nieuw/", views.partner_new, name="partner-new"),
    path("partners/<int:partner_id>/", views.partner_edit, name="partner-edit"),
]
