from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from conciliare.core.views import health

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("conciliare.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("gestione/", admin.site.urls),
    path("", include("conciliare.territory.urls")),
    path("", include("conciliare.accounts.urls")),
    path("", include("conciliare.plans.urls")),
    path("", include("conciliare.suppliers.urls")),
    path("", include("conciliare.catalogue.urls")),
    path("", include("conciliare.orders.urls")),
    path("", include("conciliare.reimbursements.urls")),
    path("", include("conciliare.fund.urls")),
    path("", include("conciliare.needs.urls")),
]

if settings.DEBUG:  # pragma: no cover - the demo serves static files through runserver
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()  # type: ignore[arg-type]

handler400 = "conciliare.core.views.bad_request"
handler403 = "conciliare.core.views.permission_denied"
handler404 = "conciliare.core.views.page_not_found"
handler500 = "conciliare.core.views.server_error"
