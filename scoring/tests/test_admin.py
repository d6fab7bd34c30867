"""Scores and runs in the admin: read-only lists with links, and the button that starts a full refresh."""

from unittest import mock

import kombu.exceptions
import pytest
from django.urls import reverse

from scoring.models import RunKind, RunStatus, ScoreRun

from .factories import CustomerScoreFactory, ScoreRunFactory

pytestmark = pytest.mark.django_db
REFRESH = reverse("admin:scoring_scorerun_refresh")


def test_the_score_list_links_the_360_page_and_the_branch_dashboard(client_for, admin_user):
    score = CustomerScoreFactory(tier="AA")
    html = client_for(admin_user).get(reverse("admin:scoring_customerscore_changelist"),
                                      {"tier": "AA"}).content.decode()
    assert f'href="/customers/{score.customer.customer_no}/"' in html
    assert f'href="/scores/branch/?branch={score.customer.home_branch.code}"' in html


def test_scores_and_runs_are_read_only(client_for, admin_user):
    score, run = CustomerScoreFactory(), ScoreRunFactory()
    client = client_for(admin_user)
    assert client.get(reverse("admin:scoring_customerscore_add")).status_code == 403
    change = client.post(reverse("admin:scoring_scorerun_change", args=[run.pk]), {"status": "failed"})
    assert change.status_code == 403
    assert ScoreRun.objects.get(pk=run.pk).status == RunStatus.DONE
    detail = client.get(reverse("admin:scoring_customerscore_change", args=[score.pk]))
    assert detail.status_code == 200


def test_the_run_list_filters_by_kind_and_offers_the_refresh_button_to_admins(client_for, admin_user, manager):
    ScoreRunFactory(kind=RunKind.FULL)
    ScoreRunFactory(kind=RunKind.INCREMENTAL, customer_ids=[1, 2, 3])
    url = reverse("admin:scoring_scorerun_changelist")
    response = client_for(admin_user).get(url, {"kind__exact": "incremental"})
    assert response.context["cl"].result_count == 1
    assert 'id="refresh-all"' in response.content.decode()
    assert 'id="refresh-all"' not in client_for(manager).get(url).content.decode()


def test_the_refresh_button_records_a_full_run_and_queues_it(client_for, admin_user,
                                                             django_capture_on_commit_callbacks):
    with mock.patch("scoring.tasks.process_run.delay") as delay, django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(REFRESH)
    assert response.status_code == 302
    run = ScoreRun.objects.get()
    assert (run.kind, run.status, run.requested_by) == (RunKind.FULL, RunStatus.QUEUED, admin_user)
    delay.assert_called_once_with(run.pk)


def test_with_the_broker_down_the_run_is_still_recorded_for_the_sweeper(client_for, admin_user,
                                                                       django_capture_on_commit_callbacks):
    down = kombu.exceptions.OperationalError("down")
    with mock.patch("scoring.tasks.process_run.delay", side_effect=down) as delay, \
            django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(REFRESH, follow=True)
    assert response.status_code == 200
    assert delay.called
    assert ScoreRun.objects.get().status == RunStatus.QUEUED
    assert "is queued" in response.content.decode()


def test_a_manager_may_not_start_a_refresh(client_for, manager):
    assert client_for(manager).post(REFRESH).status_code == 403
    assert client_for(manager).get(REFRESH).status_code in (403, 405)
    assert not ScoreRun.objects.exists()
