"""Booking pages (French without prefix, English under /en/)."""

from django.urls import path

from calendar_sync import views

app_name = "calendar_sync"

urlpatterns = [
    path("rendez-vous/gerer/<str:token>/", views.manage, name="manage"),
    path("rendez-vous/gerer/<str:token>/deplacer/", views.reschedule, name="reschedule"),
    path("rendez-vous/gerer/<str:token>/annuler/", views.cancel, name="cancel"),
    path("rendez-vous/gerer/<str:token>/rendez-vous.ics", views.manage_ics, name="manage_ics"),
    path("rendez-vous/nouveau-lien/", views.resend, name="resend"),
    path("rendez-vous/<str:token>/", views.book, name="book"),
]
