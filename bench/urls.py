from django.urls import path

from bench.views import minimal_50_rows
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/minimal-50-rows/", minimal_50_rows, name="bench_minimal_50_rows"),
    *product_urlpatterns,
]
