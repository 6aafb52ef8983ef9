"""Placeholder so Django can start; the web engineer replaces it."""

urlpatterns: list = []
