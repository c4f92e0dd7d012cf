from django.urls import path

from eloket import embed, views
from eloket.auth import views as auth_views
from eloket.mail import views as mail_views

app_name = "eloket"

urlpatterns = [
    path("mijn/", views.overview, name="overview"),
    path("mijn/ptr-pas/", embed.ptr_pas_embed, name="ptr_pas_embed"),
    path("mijn/dossiers/<slug:reference>/", views.dossier_detail, name="dossier_detail"),
    path(
        "mijn/dossiers/<slug:reference>/bewijs/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path("mijn/handelen-als/", views.acting_as, name="acting_as"),
    path("mijn/parkeersessies/", views.parking_sessions, name="parking_sessions"),
    path("mijn/voorkeuren/", mail_views.mail_preferences, name="mail_preferences"),
    path("mijn/gegevens/", views.data_export, name="data_export"),
    path("mijn/contact/", auth_views.contact_address, name="contact_address"),
    path(
        "mijn/contact/bevestigen/<str:token>/",
        auth_views.contact_address_confirm,
        name="contact_address_confirm",
    ),
    path("aanmelden/", auth_views.login_view, name="login"),
    path("aanmelden/demo/", views.demo_login, name="demo_login"),
    path("demo/stadssite/", embed.demo_city_site, name="demo_city_site"),
    path("afmelden/", auth_views.logout_view, name="logout"),
    path("afgemeld/", auth_views.logged_out, name="logged_out"),
    path("sessie-verlopen/", auth_views.session_expired, name="session_expired"),
    path("sessie/", auth_views.session_status, name="session_status"),
    path("dossier-openen/", auth_views.guest_access, name="guest_access"),
    path("dossier-openen/sluiten/", auth_views.guest_close, name="guest_close"),
]
