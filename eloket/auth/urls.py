"""The OpenID Connect login and callback at allauth's own URLs (``/account/oidc/<provider_id>/login/``
and ``…/login/callback/``): allauth includes this module because the provider class lives here."""

from django.urls import include, path

from eloket.auth import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.oidc_login, name="openid_connect_login"),
                path("login/callback/", views.oidc_callback, name="openid_connect_callback"),
            ]
        ),
    )
]
