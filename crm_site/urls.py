from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from branches.forms import AdminLoginForm

from . import health, session

admin.site.site_header = _("Branch CRM administration")
admin.site.site_title = _("Branch CRM")
admin.site.index_title = _("Customers, accounts and staff")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", include("teller.urls")),
    path("imports/", include("accounts.urls")),
    path("transactions/", include("transactions.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("scores/", include("scoring.urls")),
    path("propensity/", include("propensity.urls")),
    path("access/", include("customers.urls")),
    path("", include("branches.urls")),  # login (password, then the code for two-factor sign-in), /admin/login/
    path("counter/", include("counter.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keep-alive/", session.keep_alive, name="session-keep-alive"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    # the one public page: the unsubscribe link of campaign messages (signed token, no login)
    path("unsubscribe/", include("campaigns.public_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include([
        # one URL space for the customer; the 360 composes the floors above customers, so it lives in teller
        path("customers/", include("customers.api.urls")),
        path("customers/", include("teller.api.urls")),
        path("transactions/", include("transactions.api.urls")),
        path("fx-rates/", include("accounts.api.urls")),
        path("scores/", include("scoring.api.urls")),
        path("campaigns/", include("campaigns.api.urls")),
        path("propensity/", include("propensity.api.urls")),
        path("counter/", include("counter.api.urls")),
        path("auth/", include("branches.api.urls")),
    ])),
]
# No URL serves MEDIA_ROOT, DEBUG or not: uploaded feeds hold customers' transactions and are read only by
# the worker (tests/test_media.py).

handler403 = "crm_site.errors.permission_denied"
handler404 = "crm_site.errors.page_not_found"
handler500 = "crm_site.errors.server_error"
