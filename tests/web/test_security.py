"""The desk's protections: CSRF on every form, lock-out, headers, cookies, the secret key."""

import os
import stat

import pytest
from starlette.routing import Route

from dla.secret import secret_key
from dla.settings import Settings
from tests.web.conftest import CHARGEE, MINE, PASSWORD, csrf_of, login
from web.app import ROUTES, create_app
from web.security import ACCOUNT_LIMIT

POSTS = [r.path for r in ROUTES if isinstance(r, Route) and "POST" in (r.methods or ())]


def test_every_form_route_checks_its_csrf_token():
    assert POSTS  # the login, the logout and the calendar subscription at least
    for route in ROUTES:
        if isinstance(route, Route) and "POST" in (route.methods or ()):
            assert getattr(route.endpoint, "csrf_protected", False), route.path


@pytest.mark.parametrize("path", POSTS)
def test_no_form_is_accepted_without_its_token(desk, path):
    client = desk.client(CHARGEE)
    for data in ({}, {"csrf": "faux"}):
        response = client.post(path, data=data | {"email": CHARGEE, "password": PASSWORD})
        assert response.status_code == 403
    # Still logged in: the refused logout changed nothing.
    assert client.get(f"/cas/{MINE}").status_code == 200


def test_a_token_from_another_session_is_refused(desk):
    stolen = csrf_of(desk.client().get("/connexion").text)
    victim = desk.client(CHARGEE)
    assert victim.post("/deconnexion", data={"csrf": stolen}).status_code == 403


def test_logging_out_ends_the_session(desk):
    client = desk.client(CHARGEE)
    token = csrf_of(client.get("/").text)
    assert client.post("/deconnexion", data={"csrf": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_an_account_locks_after_repeated_failures_even_with_the_right_password(desk):
    for _ in range(ACCOUNT_LIMIT):
        assert login(desk.client(), CHARGEE, "mauvais mot de passe").status_code == 401
    # A new process (another app on the same database) sees the lock too.
    fresh = desk.client()
    response = login(fresh, CHARGEE)
    assert response.status_code == 429
    assert "Trop d&#39;essais" in response.text
    # Another account from the same address is not locked by it.
    assert login(desk.client(), "admin@example.org").status_code == 303


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(desk):
    unknown = login(desk.client(), "personne@example.org", "x" * 12)
    wrong = login(desk.client(), CHARGEE, "x" * 12)
    assert unknown.status_code == wrong.status_code == 401
    assert "Adresse ou mot de passe incorrect" in unknown.text
    assert "Adresse ou mot de passe incorrect" in wrong.text


def test_pages_carry_the_security_headers(desk):
    response = desk.client(CHARGEE).get("/")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in response.text  # the CSP would block an inline one anyway


def test_the_session_cookie_is_httponly_and_samesite(desk):
    response = desk.client().get("/connexion")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_cookie_is_secure_when_the_public_address_is_https(desk):
    settings = desk.settings.model_copy(update={"public_url": "https://bureau.example.org"})
    from starlette.testclient import TestClient

    client = TestClient(create_app(settings, desk.engine), base_url="https://testserver")
    assert "secure" in client.get("/connexion").headers["set-cookie"].lower()


def test_the_secret_key_is_generated_once_private(tmp_path):
    settings = Settings(var_dir=tmp_path)
    first = secret_key(settings)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key(settings) == first and len(first) >= 40


def test_a_login_never_redirects_off_site(desk):
    client = desk.client()
    token = csrf_of(client.get("/connexion").text)
    response = client.post(
        "/connexion",
        data={"email": CHARGEE, "password": PASSWORD, "csrf": token, "suite": "//evil.example"},
    )
    assert response.headers["location"] == "/"
