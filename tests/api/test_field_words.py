"""The words of the phone's JavaScript in one language, as the service worker fetches them."""

from __future__ import annotations


async def test_modules_words_answer_in_english_without_session(client):
    """The phone's JavaScript words (web/static/js/i18n.js), keyed by the Chinese, from the catalogue."""
    response = await client.get("/i18n/en.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    words = response.json()
    assert words["在线"] == "Online" and words["待同步"] == "Waiting to sync"
    assert words["服务器错误 ({status})"] == "Server error ({status})"
    assert words["金额不能为负数"] == "The amount cannot be negative"  # the server's own validation words
    # The reasons the server answers a sync push with (server/i18n.py N_), and their templates.
    assert words["两名调查人员不能是同一人"] == "The two investigators cannot be the same person"
    assert words["该机构已停用，请选择其他机构"] == "This organisation is no longer active: choose another one"
    assert words["不能从“{current}”变为“{wanted}”"] == "Cannot go from “{current}” to “{wanted}”"
    # The sync engine's own reasons (sync/messages.py N_): a conflict settled meanwhile, an out-of-order push.
    assert words["该冲突已处理，未按这次的选择更改；请查看处理结果。"].startswith("This conflict has already been settled")
    assert words["操作编号不连续：服务器已确认到 {last}，下一个应为 {expected}，收到 {received}；请从 {expected} 起按顺序重发"] == (
        "Operation numbers out of order: the server confirmed up to {last}, the next should be {expected}, received {received}; send again in order from {expected}")
    assert (await client.get("/i18n/zh_CN.json")).json() == {}  # the modules are written in Chinese
    for name in ("fr.json", "en", "en.js"):
        assert (await client.get(f"/i18n/{name}")).status_code == 404, name
