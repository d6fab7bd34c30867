"""The upload page for master data: who may use it, what it shows, and its 4xx answers to bad input."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import views
from branches.models import Branch
from customers.models import Customer
from customers.tests.factories import resident_id

pytestmark = pytest.mark.django_db

URL = "/imports/"


def upload(client, kind, content: bytes, name="file.csv"):
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_the_page_is_mounted_under_imports():
    assert reverse("accounts:import") == URL


def test_an_admin_sees_the_form_with_every_kind_and_its_columns(client_for, admin_user):
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("branches", "products", "customers", "accounts"):
        assert f'value="{kind}"' in html
    assert "<strong>customer_no</strong>" in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize("persona", ["teller", "manager"])
def test_tellers_and_managers_may_not_load_master_data(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert upload(client, "branches", b"code,name\nSH009,new\n").status_code == 403
    assert not Branch.objects.filter(code="SH009").exists()


def test_the_navigation_links_to_the_page_for_admins_only(client_for, admin_user, teller):
    assert URL in client_for(admin_user).get("/").content.decode()
    assert URL not in client_for(teller).get("/").content.decode()


def test_an_upload_shows_the_counts_and_the_rejected_rows_with_their_reasons_and_masked_identifiers(
        client_for, admin_user, branch):
    bad_id = resident_id(dt.date(1985, 6, 15))[:17] + "0"
    content = ("customer_no,full_name,home_branch,id_number,mobile\n"
               "C1,张伟,SH001,,13812345678\n"
               f"C2,李娜,SH001,{bad_id},13912345678\n").encode()
    response = upload(client_for(admin_user), "customers", content)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.received, result.inserted, result.updated, result.unchanged, result.rejected) == (2, 1, 0, 0, 1)
    assert result.balanced
    html = response.content.decode()
    assert "The check digit of this resident ID number is wrong." in html
    assert bad_id not in html and "13912345678" not in html
    assert "139****5678" in html
    assert Customer.history.get(customer_no="C1").history_user == admin_user


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "branches"}, "This field is required."),
    ({"kind": "staff", "file": b"code,name\n"}, "Select a valid choice."),
    ({"kind": "branches", "file": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "binary data"),
    ({"kind": "branches", "file": "code,name\nSH009,上海\n".encode("gbk")}, "not UTF-8 text"),
    ({"kind": "branches", "file": b"code,city\nSH009,x\n"}, "lacks the required column(s) name"),
    ({"kind": "branches", "file": b""}, "The file is empty"),
])
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(client_for, admin_user, data, message):
    if "file" in data:
        data = {**data, "file": SimpleUploadedFile("upload.csv", data["file"])}
    response = client_for(admin_user).post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Branch.objects.filter(code="SH009").exists()


def test_a_file_too_big_for_the_page_is_refused_with_413(client_for, admin_user, monkeypatch):
    monkeypatch.setattr(views, "UPLOAD_MAX_ROWS", 2)
    response = upload(client_for(admin_user), "branches", b"code,name\nA1,a\nA2,b\nA3,c\n")
    assert response.status_code == 413
    assert "import_records command" in response.content.decode()
    assert not Branch.objects.filter(code__in=["A1", "A2", "A3"]).exists()


def test_the_reasons_speak_the_language_of_the_member_of_staff(client_for, admin_user, branch):
    client = client_for(admin_user)
    response = client.post(URL, {"kind": "customers", "file": SimpleUploadedFile(
        "c.csv", "customer_no,full_name,home_branch,mobile\nC1,张伟,SH001,123\n".encode())},
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.received, result.rejected) == (1, 1) and result.balanced
    assert "123 不是有效的电话号码" in response.content.decode()
