"""Signing in, second factors, passwords and sessions (C14)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
