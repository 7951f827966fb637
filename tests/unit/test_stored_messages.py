"""Stored Chinese text in the reader's language: `translate_stored()` on the server's pages answers
what the phone's `t()` answers (web/static/js/i18n.js), for literal reasons, filled-in templates,
a template named inside another, and a person's own words (left as they are).

The phone's side runs the real module in Chromium, with the words the server serves it at
/i18n/en.json; nothing is reached over the network."""

from __future__ import annotations

import asyncio
import json

import pytest
from playwright.sync_api import sync_playwright

from server import i18n
from server.field.messages import js_messages
from server.templating import STATIC_DIR
from server.uploads.completion import ALLOWED_TYPES
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

DIGEST, DECLARED = "a" * 64, "b" * 64
# As the server stored them: sync answers, refusals, reasons built from values, and text of a person.
STORED = [
    "找不到该案件，或不在您的管辖范围内。",
    "该操作早已处理（服务器已从备份恢复，原结果不可用）",
    "王秀英：65岁（60岁以上）",
    "王伟 已在每日关注名单中",
    "第 1 份证据已被服务器拒绝（文件内容是视频（video/mp4），与声明的照片不符。），不会再到达；请重新拍摄证据后再答复。",
    "操作编号不连续：服务器已确认到 3，下一个应为 4，收到 7；请从 4 起按顺序重发",
    f"文件校验失败：收到的内容的 SHA-256 为 {DIGEST}，与设备声明的 {DECLARED} 不一致。已丢弃，请重新上传。",
    "文件过大：此类文件上限为 200 MB。",
    f"不支持的文件类型（按文件内容判断）。只接受 {ALLOWED_TYPES}。",
    "记录状态已变更（当前为“已批准”），操作未执行",
    "案件在您查看后已有变化：您看到的是第 1 版（待审核），现在是第 2 版（退回补充）。决定未执行，请查看最新情况后再决定。",
    "答复等待证据上传：还有 2 份证据未到达服务器，稍后自动重试。",
    "1.5 × 1,120.00；低于低收入家庭认定标准：可认定为低收入家庭，或转介其他帮扶",
    "邻居说他常去菜市场",
]


def in_english(texts: list[str]) -> list[str]:
    token = i18n.current_locale.set("en")
    try:
        return [i18n.translate_stored(text) for text in texts]
    finally:
        i18n.current_locale.reset(token)


def phone_t(texts: list[str], lang: str = "en") -> list[str]:
    """t() of web/static/js/i18n.js on a page in `lang`, with the words of /i18n/en.json."""
    files = {
        "/": ("text/html", f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head><body></body></html>'),
        "/static/js/i18n.js": ("text/javascript", (STATIC_DIR / "js" / "i18n.js").read_text(encoding="utf-8")),
        "/i18n/en.json": ("application/json", json.dumps(js_messages("en"), ensure_ascii=False)),
    }
    manager = sync_playwright()
    playwright = manager.start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()

        def serve(route) -> None:
            content_type, body = files[route.request.url.removeprefix("http://localhost")]
            route.fulfill(status=200, content_type=content_type, body=body)

        page.route("http://localhost/**", serve)
        page.goto("http://localhost/")
        answer = page.evaluate("async (texts) => { const { t } = await import('/static/js/i18n.js'); return texts.map((text) => t(text)); }", texts)
        browser.close()
        return answer
    finally:
        manager.__exit__(None, None, None)
        asyncio._set_running_loop(None)  # Playwright leaves its (closed) loop marked as running


def test_stored_text_reads_the_same_on_the_servers_pages_as_on_the_phone():
    server = in_english(STORED)
    assert server == phone_t(STORED)
    shown = dict(zip(STORED, server))
    assert shown["找不到该案件，或不在您的管辖范围内。"] == "Case not found, or outside your jurisdiction."
    assert shown["王秀英：65岁（60岁以上）"] == "王秀英: 65 years old (60 or over)"
    assert shown[STORED[4]].startswith("Evidence no. 1 was refused by the server (The file's content is Video (video/mp4), not the Photo that was declared.)")
    assert shown[STORED[5]].endswith("send again in order from 4")
    assert DIGEST in shown[STORED[6]] and DECLARED in shown[STORED[6]] and "校验" not in shown[STORED[6]]
    assert "“Approved”" in shown["记录状态已变更（当前为“已批准”），操作未执行"]
    assert shown[STORED[8]].endswith("Only accepted: JPEG, PNG, WebP, HEIC photos; MP4, WebM, QuickTime videos; Ogg, WebM, M4A/AAC, WAV, MP3 audio; PDF documents.")
    assert shown["邻居说他常去菜市场"] == "邻居说他常去菜市场"  # a person's words: no entry, no pattern


def test_stored_text_stays_chinese_on_a_chinese_page():
    token = i18n.current_locale.set("zh_CN")
    try:
        assert [i18n.translate_stored(text) for text in STORED] == STORED
    finally:
        i18n.current_locale.reset(token)


def test_a_reasons_stored_value_is_translated_by_its_pattern_too():
    """A reason put together now may name stored text (an attach's refusal read back): its value is
    found by its pattern as well, as t() does with each value."""
    refusal = i18n.N_("第 {number} 份证据已被服务器拒绝（{why}），不会再到达；请重新拍摄证据后再答复。", number=2, why="文件过大：此类文件上限为 200 MB。")
    token = i18n.current_locale.set("en")
    try:
        assert i18n.gettext(refusal) == in_english([str(refusal)])[0]
        assert "(File too large: the limit for this kind of file is 200 MB.)" in i18n.gettext(refusal)
    finally:
        i18n.current_locale.reset(token)
