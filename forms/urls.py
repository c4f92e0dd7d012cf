from django.urls import path

from forms import views

app_name = "eloket_forms"

urlpatterns = [
    path(
        "mijn/dossiers/<slug:reference>/formulier/<slug:action>/",
        views.dossier_form,
        name="dossier_form",
    ),
    path("mijn/berichten/", views.submission_list, name="submission_list"),
    path("mijn/berichten/<slug:reference>/", views.submission_detail, name="submission_detail"),
    path(
        "mijn/berichten/<slug:reference>/bijlagen/<int:attachment_id>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path(
        "formulier/ontvangen/<slug:reference>/", views.submission_confirmation, name="submission_confirmation"
    ),
]
