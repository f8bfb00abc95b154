from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from core.tokens import api_token
from core.views import healthz, healthz_workers, password_reset

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/workers", healthz_workers, name="healthz_workers"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    # open to accounts without a role too (core.middleware.RoleRequiredMiddleware), so they can sign out
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("account/token/", api_token, name="api_token"),
    # each person changes the password an administrator gave them (the admin's own page is for staff only)
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # "Forgot your password?": a link by email to the address on the account (public: signed out)
    path("account/password/reset/", password_reset, name="password_reset"),
    path("account/password/reset/sent/", login_not_required(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("account/password/reset/<uidb64>/<token>/", login_not_required(auth_views.PasswordResetConfirmView.as_view()),
         name="password_reset_confirm"),
    path("account/password/reset/done/", login_not_required(auth_views.PasswordResetCompleteView.as_view()),
         name="password_reset_complete"),
    path("", include("interchange.urls")),
    path("", include("entities.urls")),
    path("", include("relationships.urls")),
    path("", include("conflicts.urls")),
    path("", include("engagement.urls")),
    path("", include("scoring.urls")),
    path("", include("core.urls")),
]

handler500 = "core.views.server_error"
