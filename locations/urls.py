from django.urls import path

from . import views

app_name = "locations"

urlpatterns = [
    path("", views.location_list, name="list"),
    path("<slug:slug>/", views.location_detail, name="detail"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/<int:pk>/rol/", views.change_role, name="change-role"),
    path("<slug:slug>/team/<int:pk>/beeindigen/", views.end_membership, name="end-membership"),
    path("<slug:slug>/openingstijden/", views.opening_hours, name="opening-hours"),
]
