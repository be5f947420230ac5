from playwright.sync_api import expect


def test_lead_partner_signs_in_and_sees_the_dashboard(sign_in, lead, pillar, live_server):
    page = sign_in(lead)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_test_id("nav")).to_contain_text("Pillars")
    page.get_by_role("link", name="WBCTi").first.click()
    expect(page.get_by_text("Your organisation is a Lead Partner of this pillar")).to_be_visible()


def test_wrong_password_shows_an_error_and_keeps_the_address(page, live_server, editor):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct email")
    expect(page.get_by_label("Email")).to_have_value(editor.email)
