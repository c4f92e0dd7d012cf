from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from eloket.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("dossiers/", views.DossierList.as_view(), name="dossiers"),
    path("dossiers/bulk/", views.DossierBulk.as_view(), name="dossiers_bulk"),
    path("dossiers/<str:external_id>/", views.DossierDetail.as_view(), name="dossier"),
    path("dossiers/<str:external_id>/status/", views.DossierStatusUpdate.as_view(), name="dossier_status"),
    path("dossiers/<str:external_id>/evidence/", views.DossierEvidence.as_view(), name="dossier_evidence"),
    path("rights-check/", views.RightsCheck.as_view(), name="rights_check"),
    path("submissions/", views.SubmissionExport.as_view(), name="submissions"),
]
