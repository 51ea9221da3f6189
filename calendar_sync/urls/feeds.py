"""Consultants' ICS feeds: one language-neutral URL ending in .ics."""

from django.urls import path

from calendar_sync import views

app_name = "calendar_feeds"

urlpatterns = [
    path("agenda/<str:token>.ics", views.feed, name="feed"),
]
