from django.urls import path

from eloket import views
from eloket.mail import views as mail_views

app_name = "eloket"

urlpatterns = [
    path("mijn/", views.overview, name="overview"),
    path("mijn/dossiers/<slug:reference>/", views.dossier_detail, name="dossier_detail"),
    path(
        "mijn/dossiers/<slug:reference>/bewijs/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path("mijn/handelen-als/", views.acting_as, name="acting_as"),
    path("mijn/voorkeuren/", mail_views.mail_preferences, name="mail_preferences"),
    path("aanmelden/", views.login_view, name="login"),
    path("aanmelden/demo/", views.demo_login, name="demo_login"),
    path("afmelden/", views.logout_view, name="logout"),
]
