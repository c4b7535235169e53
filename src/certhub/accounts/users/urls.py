"""User and API key administration, each change an action (C14)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
