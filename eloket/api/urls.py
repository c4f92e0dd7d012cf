from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from eloket.api import letters, sessions, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("dossiers/", views.DossierList.as_view(), name="dossiers"),
    path("dossiers/bulk/", views.DossierBulk.as_view(), name="dossiers_bulk"),
    path("dossiers/<str:external_id>/", views.DossierDetail.as_view(), name="dossier"),
    path("dossiers/<str:external_id>/status/", views.DossierStatusUpdate.as_view(), name="dossier_status"),
    path("dossiers/<str:external_id>/evidence/", views.DossierEvidence.as_view(), name="dossier_evidence"),
    path(
        "dossiers/<str:external_id>/postal-address/",
        letters.DossierPostalAddress.as_view(),
        name="dossier_postal_address",
    ),
    path("letter-batches/", letters.LetterBatchList.as_view(), name="letter_batches"),
    path(
        "letter-batches/<int:batch_id>/letters/<int:letter_id>/",
        letters.LetterPdf.as_view(),
        name="letter_pdf",
    ),
    path("rights-check/", sessions.RightsCheck.as_view(), name="rights_check"),
    path("sessions/", sessions.SessionList.as_view(), name="sessions"),
    path("sessions/bulk/", sessions.SessionBulk.as_view(), name="sessions_bulk"),
    path("sessions/<str:session_id>/", sessions.SessionDetail.as_view(), name="session"),
    path("submissions/", views.SubmissionExport.as_view(), name="submissions"),
]
