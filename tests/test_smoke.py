from conftest import login


def test_login_and_dashboard(client, make_user):
    user = make_user("admin")
    resp = login(client, user.email)
    assert resp.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert user.name in page.text
