"""The profiles URLs of the volunteers app (joined in volunteers/urls.py)."""

from django.urls import path

from .views import profiles

urlpatterns = [
    # A volunteer's own data.
    path("mijn-gegevens/", profiles.my_profile, name="my-profile"),
    path("mijn-gegevens/download/", profiles.my_data, name="my-data"),
    # The volunteers of a location: its coordinators and staff.
    path("locaties/<slug:slug>/vrijwilligers/", profiles.volunteer_list, name="list"),
    path("locaties/<slug:slug>/vrijwilligers/<int:pk>/", profiles.volunteer_detail, name="detail"),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/status/",
        profiles.change_status,
        name="change-status",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/uit-rooster/",
        profiles.release,
        name="release-shifts",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/begeleiding/",
        profiles.edit_onboarding,
        name="edit-onboarding",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/trainingen/",
        profiles.add_training,
        name="add-training",
    ),
    path(
        "locaties/<slug:slug>/vrijwilligers/<int:pk>/trainingen/<int:training_pk>/verwijderen/",
        profiles.remove_training,
        name="remove-training",
    ),
]
