from django.urls import path

from . import views

app_name = "counter-api"

urlpatterns = [
    path("tickets/", views.TicketIssueView.as_view(), name="ticket-issue"),
    path("tickets/<str:number>/self-service/", views.TicketSelfServiceView.as_view(), name="ticket-self-service"),
    path("tickets/<str:number>/serve/", views.TicketServeView.as_view(), name="ticket-serve"),
    path("tickets/<str:number>/done/", views.TicketDoneView.as_view(), name="ticket-done"),
    path("tickets/<str:number>/no-show/", views.TicketNoShowView.as_view(), name="ticket-no-show"),
    path("tickets/<str:number>/recall/", views.TicketRecallView.as_view(), name="ticket-recall"),
    path("counters/", views.CounterListView.as_view(), name="counter-list"),
    path("counters/<int:counter_id>/open/", views.CounterOpenView.as_view(), name="counter-open"),
    path("counters/<int:counter_id>/close/", views.CounterCloseView.as_view(), name="counter-close"),
    path("counters/<int:counter_id>/call-next/", views.CallNextView.as_view(), name="counter-call-next"),
    path("stats/", views.StatsView.as_view(), name="stats"),
]
