from django.urls import path

from eloket.payments import views

app_name = "payments"

urlpatterns = [
    path("mijn/dossiers/<slug:reference>/betalen/", views.pay, name="pay"),
    path("mijn/betalingen/<slug:reference>/", views.payment_status, name="status"),
    path("mijn/betalingen/<slug:reference>/status/", views.payment_status_json, name="status_json"),
    path("mijn/betalingen/<slug:reference>/verder/", views.payment_resume, name="resume"),
    path("mijn/betalingen/<slug:reference>/ontvangstbewijs/", views.payment_receipt, name="receipt"),
    path(
        "mijn/betalingen/<slug:reference>/ontvangstbewijs.pdf", views.payment_receipt_pdf, name="receipt_pdf"
    ),
]
