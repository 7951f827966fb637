"""Passkeys in a real Chromium with the CDP virtual authenticator."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from server.accounts.invitations import create_invitation
from server.accounts.tables import Passkey, User
from server.audit.tables import AuditEvent
from tests.e2e.conftest import ROOT, server_python, run
from tests.support.browser import enrolled_page, sign_in, sign_out, wait_for_passkeys_module

pytestmark = pytest.mark.e2e


def _link(live_server: str, **kwargs) -> str:
    token, _ = run(create_invitation(**kwargs))
    return f"{live_server}/enroll/{token}"


def _new_worker_link(live_server: str, username: str = "chen.fang") -> str:
    return _link(live_server, display_name="陈芳", role="grid_worker", area_code="440106004001", username=username)


def _supervisor_link(live_server: str) -> str:
    supervisor = run(User.select(User.id).where(User.username == "supervisor").first())
    return _link(live_server, display_name="林审核", role="street_supervisor", area_code="440106004", user_id=supervisor["id"])


def _actions() -> list[str]:
    return [r["action"] for r in run(AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id))]


def test_enroll_sign_out_and_sign_in_with_a_passkey_on_a_phone(live_server, browser, demo):
    context, page, authenticator = enrolled_page(browser, _new_worker_link(live_server))
    assert "陈芳" in page.locator("header").inner_text()
    assert len(authenticator.credentials()) == 1
    assert authenticator.credentials()[0]["isResidentCredential"] is True
    session = next(c for c in context.cookies() if c["name"] == "doorstep_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["expires"] > 0

    sign_out(page)
    assert "陈芳" not in page.locator("header").inner_text()
    page.goto(f"{live_server}/account/passkeys")
    assert "请先登录" in page.content()

    sign_in(page, live_server)  # discoverable: no user name typed
    assert "陈芳" in page.locator("header").inner_text()
    assert {"auth.enroll", "auth.signout", "auth.signin"} <= set(_actions())
    context.close()


def test_sign_in_with_the_user_name_fallback(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _new_worker_link(live_server), phone=False)
    sign_out(page)
    sign_in(page, live_server, username="chen.fang")
    assert "陈芳" in page.locator("header").inner_text()
    context.close()


def test_revoked_passkey_cannot_sign_in_again(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _new_worker_link(live_server))
    page.get_by_role("link", name="通行密钥", exact=True).click()
    page.get_by_role("heading", name="我的通行密钥").wait_for()
    page.get_by_label("名称").fill("我的手机")
    page.get_by_role("button", name="重命名").click()
    page.locator(".passkey-name", has_text="我的手机").wait_for()
    assert "本次登录所用" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停用").click()
    page.wait_for_url(re.compile(r"/signin$"))
    assert "陈芳" not in page.locator("header").inner_text()  # the session ended with the passkey

    wait_for_passkeys_module(page)
    page.get_by_role("button", name="使用通行密钥登录", exact=True).click()
    status = page.locator("[data-passkey-status]")
    status.wait_for(state="visible")
    assert "已被停用" in status.inner_text()
    assert "陈芳" not in page.locator("header").inner_text()
    assert "auth.signin_failed" in _actions()
    context.close()


def test_supervisor_revokes_a_workers_passkeys_and_reinvites_them(live_server, browser, demo):
    supervisor, desk, _ = enrolled_page(browser, _supervisor_link(live_server), phone=False)
    phone, worker_page, _ = enrolled_page(browser, _new_worker_link(live_server))

    desk.get_by_role("navigation", name="主导航").get_by_role("link", name="人员管理").click()
    row = desk.locator("tr[data-username='chen.fang']")
    assert row.locator(".passkey-count").inner_text() == "1"
    desk.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="停用通行密钥").click()
    desk.get_by_text("已停用 陈芳 的全部通行密钥").wait_for()
    assert desk.locator("tr[data-username='chen.fang'] .passkey-count").inner_text() == "0"

    worker_page.reload()
    assert "陈芳" not in worker_page.locator("header").inner_text()  # signed out everywhere

    desk.locator("tr[data-username='chen.fang']").get_by_role("button", name="重新邀请").click()
    link = desk.locator("input.invitation-link").input_value()
    assert desk.locator(".qr svg").count() == 1
    new_phone, new_page, _ = enrolled_page(browser, link)
    assert "陈芳" in new_page.locator("header").inner_text()
    assert run(User.count().where(User.username == "chen.fang")) == 1
    for context in (supervisor, phone, new_phone):
        context.close()


def test_supervisor_invites_a_worker_who_enrolls_by_the_link(live_server, browser, demo):
    supervisor, desk, _ = enrolled_page(browser, _supervisor_link(live_server), phone=False)
    desk.goto(f"{live_server}/invitations/new")
    assert desk.locator("#area option[value='440106012001']").count() == 0  # another street: not offered
    desk.get_by_label("姓名").fill("周婷")
    desk.locator("#role").select_option("grid_worker")
    desk.locator("#area").select_option("440106004002")
    desk.get_by_label("用户名（可选").fill("zhou.ting")
    desk.get_by_role("button", name="生成邀请链接").click()
    link = desk.locator("input.invitation-link").input_value()
    assert link.startswith(f"{live_server}/enroll/")

    phone, page, _ = enrolled_page(browser, link)
    assert "周婷" in page.locator("header").inner_text()
    assert "南方社区" in page.content()
    page.goto(link)
    assert "已被使用" in page.content()
    supervisor.close()
    phone.close()


def test_demo_enrollment_link_enrolls_the_demo_user(live_server, browser, demo):
    printed = subprocess.run(
        [server_python(), "-m", "server.cli", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DOORSTEP_ORIGIN": live_server},
    )
    assert printed.returncode == 0, printed.stderr
    line = next(line for line in printed.stdout.splitlines() if re.search(r"\sworker\s", line) and "/enroll/" in line)
    link = re.search(r"https?://\S+/enroll/\S+", line).group(0)
    context, page, _ = enrolled_page(browser, link)
    assert "王网格" in page.locator("header").inner_text()
    worker = run(User.select(User.id).where(User.username == "worker").first())
    assert run(Passkey.count().where(Passkey.user == worker["id"])) == 1
    context.close()
