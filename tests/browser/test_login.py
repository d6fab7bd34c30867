import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("language", "welcome", "role_text"),
    [("zh-CN", "欢迎", "柜员"), ("en-US", "Welcome", "Teller")],
)
def test_teller_logs_in_and_sees_their_branch_in_their_language(page_in, teller, artifacts_dir, language,
                                                                welcome, role_text):
    page = page_in(language)
    page.goto("/")
    assert "/login/" in page.url  # anonymous users are sent to log in
    page.fill("#id_username", "teller")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")
    body = page.inner_text("main")
    assert welcome in body
    assert role_text in body
    assert "上海浦东支行" in body
    page.screenshot(path=str(artifacts_dir / f"home-{language}.png"), full_page=True)


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page_in, teller):
    page = page_in("en-US")
    page.goto("/login/")
    page.fill("#id_username", "teller")
    page.fill("#id_password", "not-the-password")
    page.click("button.primary")
    assert page.locator("[role=alert]").inner_text().startswith("Your username and password didn't match")
    assert "/login/" in page.url
