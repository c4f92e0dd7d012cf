from django.urls import path
from wagtail.admin.auth import require_admin_access

from bench.login import bench_login
from bench.views import empty_admin_page, minimal_50_rows
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/minimal-50-rows/", minimal_50_rows, name="bench_minimal_50_rows"),
    path("bench/login/", bench_login, name="bench_login"),
    path("bench/empty-admin-page/", require_admin_access(empty_admin_page), name="bench_empty_admin_page"),
    *product_urlpatterns,
]
