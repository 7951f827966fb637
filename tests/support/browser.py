"""Browser helpers for the e2e tests: Chromium's virtual authenticator and passkey enrollment.

`add_virtual_authenticator(page)` attaches a CDP virtual authenticator that behaves like a
phone's platform authenticator (CTAP2, internal transport, resident keys, user verification
that always succeeds). It belongs to that page's target: add one per page that needs passkeys;
its credentials live as long as the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page


@dataclass
class VirtualAuthenticator:
    cdp: CDPSession
    authenticator_id: str

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.authenticator_id, "isUserVerified": verified})

    def remove(self) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator_id})


def add_virtual_authenticator(target: Page | BrowserContext, page: Page | None = None) -> VirtualAuthenticator:
    """Attach a platform-like virtual authenticator to a page (or to `page` of a context)."""
    if isinstance(target, BrowserContext):
        page = page or (target.pages[0] if target.pages else target.new_page())
        context = target
    else:
        page = target
        context = target.context
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    answer = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return VirtualAuthenticator(cdp, answer["authenticatorId"])


PHONE = {"width": 360, "height": 640}


# The tests steer a phone's network through its pages (routes, offline, the connection type), and
# none of that reaches the service worker: a sync Chrome started in the worker on its own, once a
# local write asked for Background Sync, would go round it and race the page's sync. The phones ask
# for it as the app does, and Chrome is never told; the tests of Background Sync send the worker its
# sync event themselves (CDP ServiceWorker.dispatchSyncEvent).
NO_BACKGROUND_SYNC = "if (self.SyncManager) SyncManager.prototype.register = () => Promise.resolve();"


def phone_context(browser: Browser, **kwargs) -> BrowserContext:
    """A phone-sized context: 360×640, touch, Chinese; Background Sync asked for but never started."""
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "zh-CN", **kwargs}
    context = browser.new_context(**options)
    context.add_init_script(NO_BACKGROUND_SYNC)
    return context


def enrolled_page(browser: Browser, link: str, *, phone: bool = True) -> tuple[BrowserContext, Page, "VirtualAuthenticator"]:
    """A new context (phone-sized unless `phone=False`) with a virtual authenticator, enrolled by `link`."""
    context = phone_context(browser) if phone else browser.new_context(locale="zh-CN")
    page = context.new_page()
    authenticator = add_virtual_authenticator(page)
    enroll(page, link)
    return context, page, authenticator


HOME = re.compile(r"^https?://[^/]+/$")


def enroll(page: Page, link: str, *, timeout: float = 15_000) -> None:
    """Open an enrollment link and register a passkey; returns once signed in on the home page."""
    page.goto(link)
    wait_for_passkeys_module(page)
    page.get_by_role("button", name="创建通行密钥并登录").click()
    page.wait_for_url(HOME, timeout=timeout)
    page.locator("form[action='/signout']").wait_for(timeout=timeout)


def sign_in(page: Page, base: str, username: str | None = None, *, timeout: float = 15_000) -> None:
    """Sign in on /signin with the page's passkey: discoverable, or with the user-name fallback."""
    page.goto(f"{base}/signin")
    wait_for_passkeys_module(page)
    if username:
        page.get_by_text("没有看到您的通行密钥").click()
        page.get_by_label("用户名").fill(username)
        page.get_by_role("button", name="用通行密钥登录", exact=True).click()
    else:
        page.get_by_role("button", name="使用通行密钥登录", exact=True).click()
    page.wait_for_url(HOME, timeout=timeout)
    page.locator("form[action='/signout']").wait_for(timeout=timeout)


def wait_for_passkeys_module(page: Page) -> None:
    """passkeys.js wires the buttons when it has loaded (after an hx-boost swap, a moment later)."""
    page.locator("html[data-passkeys='ready']").wait_for(state="attached")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    page.get_by_role("link", name="登录", exact=True).wait_for()
