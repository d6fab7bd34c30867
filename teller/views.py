from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "teller/home.html", {"session_idle_minutes": settings.SESSION_COOKIE_AGE // 60})
