"""GET /api/csrf-token: the CSRF token of this browser's cookie, for the field app's service worker,
which cannot read cookies (after a browser restart the copy a page kept for it is stale)."""

from __future__ import annotations

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from tests.support.auth import sign_in

PUSH = {"client_id": "csrf-token-test", "mutations": []}


async def field_session_without_csrf_cookie(client, username: str = "worker") -> None:
    """A grid worker's phone after a browser restart: the field session cookie outlived it, the
    session cookie `csrftoken` did not."""
    user = await User.select(User.id).where(User.username == username).first()
    client.cookies.set(COOKIE_NAME, await create_session(user["id"], kind="field"))


async def test_token_without_cookie_sets_the_cookie_and_lets_a_write_through(client, demo):
    await field_session_without_csrf_cookie(client)
    stale = {"x-csrftoken": "a-token-of-the-last-browser-session"}
    assert (await client.post("/api/sync/push", json=PUSH, headers=stale)).status_code == 403

    response = await client.get("/api/csrf-token")
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.cookies.get("csrftoken") == token  # the cookie the token matches comes with it
    assert "no-store" in response.headers["cache-control"]

    pushed = await client.post("/api/sync/push", json=PUSH, headers={"x-csrftoken": token})
    assert pushed.status_code == 200, pushed.text


async def test_token_with_cookie_is_the_cookies_own(client, demo):
    await sign_in(client, "worker")  # a page was opened: the cookie is there
    cookie = client.cookies.get("csrftoken")
    response = await client.get("/api/csrf-token", headers={"x-csrftoken": ""})
    assert response.json() == {"token": cookie}
    assert "csrftoken" not in response.cookies  # the cookie is kept, not replaced
    pushed = await client.post("/api/sync/push", json=PUSH, headers={"x-csrftoken": response.json()["token"]})
    assert pushed.status_code == 200, pushed.text


async def test_token_is_refused_without_a_session(client, demo):
    response = await client.get("/api/csrf-token")
    assert response.status_code == 401
    assert "token" not in response.json()


async def test_token_is_refused_to_a_desktop_session(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/api/csrf-token")
    assert response.status_code == 403
    assert "token" not in response.json()
