from django.urls import path

from . import views

app_name = "loneliness"

urlpatterns = [
    # Staff plan rounds; coordinators see their locations' rounds and figures.
    path("eenzaamheid/", views.rounds, name="rounds"),
    path("eenzaamheid/nieuw/", views.round_new, name="round-new"),
    path("eenzaamheid/<int:round_id>/", views.round_edit, name="round-edit"),
    path("eenzaamheid/<int:round_id>/cijfers/", views.figures, name="figures"),
    path("eenzaamheid/<int:round_id>/cijfers.csv", views.figures_csv, name="figures-csv"),
    path("eenzaamheid/<int:round_id>/cijfers.xlsx", views.figures_xlsx, name="figures-xlsx"),
    # Paper: the printable questionnaire of a location, and typing in the answers.
    path("locaties/<slug:slug>/eenzaamheid/<int:pk>/papier/", views.paper, name="paper"),
    path(
        "locaties/<slug:slug>/eenzaamheid/<int:pk>/invoeren/",
        views.paper_entry,
        name="paper-entry",
    ),
    # On the tablet, during a round: the questionnaire and where its answers go.
    path("tablet/<slug:slug>/vragenlijst/", views.tablet_questionnaire, name="tablet"),
    path("tablet/<slug:slug>/api/vragenlijst/", views.answers_api, name="answers-api"),
]
