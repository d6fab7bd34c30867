from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("admin/login/", views.admin_login, name="admin-login"),
]
