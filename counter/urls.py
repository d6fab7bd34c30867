from django.urls import path

from . import views

app_name = "counter"

urlpatterns = [
    path("", views.home, name="home"),
    path("bar/", views.bar, name="bar"),
    path("bar/open/", views.bar_open, name="bar-open"),
    path("bar/close/", views.bar_close, name="bar-close"),
    path("bar/call-next/", views.bar_call_next, name="bar-call-next"),
    path("bar/tickets/<str:number>/<str:action>/", views.bar_ticket_action, name="bar-ticket-action"),
    path("lobby/", views.lobby, name="lobby"),
    path("lobby/board/", views.lobby_board, name="lobby-board"),
    path("stats/", views.stats, name="stats"),
    path("display/<str:branch_code>/<str:token>/", views.display, name="display"),
    path("display/<str:branch_code>/<str:token>/board/", views.display_board, name="display-board"),
]
