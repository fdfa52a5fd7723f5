"""The profiles URLs of the volunteers app (joined in volunteers/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
