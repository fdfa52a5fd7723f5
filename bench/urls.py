"""The app's URLs as they are, plus the baseline endpoint the check-in is compared with."""

from django.urls import include, path

from .baseline import baseline_insert

urlpatterns = [
    path("", include("buurtkamer.urls")),
    path("bench/baseline/<slug:slug>/", baseline_insert, name="bench-baseline"),
]
