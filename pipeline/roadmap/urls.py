"""Roadmap pages (French without prefix, English under /en/)."""

from django.urls import path

from pipeline.roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("feuille-de-route/nouveau-lien/", views.resend, name="resend"),
    path("feuille-de-route/desabonnement/<str:token>/", views.opt_out, name="opt_out"),
    path("feuille-de-route/<str:token>/", views.page, name="page"),
    path(
        "feuille-de-route/<str:token>/etapes/<int:item_id>/",
        views.item_action,
        name="item_action",
    ),
    path("feuille-de-route/<str:token>/feuille-de-route.pdf", views.pdf_download, name="pdf"),
]
