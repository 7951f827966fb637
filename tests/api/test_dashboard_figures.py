"""The dashboards' figures against the hand-counted world of test_watch_support.hand_counted()."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from server.areas.tables import Area
from server.cases.tables import Case
from server.clock import now, today
from server.dashboards.services import dashboard
from server.paperwork.tables import Obligation
from server.referrals.tables import Organisation, Referral
from tests.api.test_watch_support import HUASHI, NANFANG, SANYUANLI, SHIPAI, TIANHE, current_user, hand_counted
from tests.support.auth import sign_in


def section(html: str, marker: str) -> str:
    """The HTML of the element carrying `marker` up to its closing </table> (or </section>)."""
    start = html.index(marker)
    ends = [i for i in (html.find("</table>", start), html.find("</section>", start)) if i != -1]
    return html[start : min(ends)]


def cells(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


async def test_street_dashboard_shows_hand_counted_completion(client):
    world = await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/dashboards/")
    assert response.status_code == 200, response.text
    html = response.text
    assert "广州市天河区石牌街道" in html
    totals = section(html, "data-totals")
    assert re.search(r'data-total="roster">6<', totals) and re.search(r'data-total="checked">4<', totals)
    assert re.search(r'data-total="unchecked">2<', totals) and re.search(r'data-total="rate">67%<', totals)
    assert re.search(r'data-total="needs">1 / 2<', totals)
    rows = section(html, "data-communities")
    huashi = re.search(rf'data-community="{HUASHI}".*?</tr>', rows, re.S).group(0)
    nanfang = re.search(rf'data-community="{NANFANG}".*?</tr>', rows, re.S).group(0)
    assert cells(huashi) == ["华师社区", "4", "3", "1", "75%", "2", "1"]
    assert cells(nanfang) == ["南方社区", "2", "1", "1", "50%", "0", "0"]
    unchecked = section(html, "data-unchecked")
    assert "刘洋" in unchecked and "赵敏" in unchecked
    assert "王小明" not in unchecked and "陈静" not in unchecked  # checked; removed from the roster today
    needs = section(html, "data-needs")
    a2 = re.search(rf'data-check-id="{world["checks"]["A2"]}".*?</tr>', needs, re.S).group(0)
    a3 = re.search(rf'data-check-id="{world["checks"]["A3"]}".*?</tr>', needs, re.S).group(0)
    assert "李芳" in a2 and "药品" in a2 and "未处理" in a2 and "标记已处理" in a2
    assert "张伟" in a3 and "生活物资" in a3 and "data-handled" in a3
    assert "周杰" not in html and "吴磊" not in html  # other street, other district


async def test_fourteen_day_history_is_counted_per_day(client):
    world = await hand_counted()
    user = await current_user("supervisor")
    t = world["today"]
    data = await dashboard(user, SHIPAI, t)
    history = {h["day"]: (h["checked"], h["roster"], h["rate"]) for h in data["history"]}
    assert len(history) == 14 and min(history) == t - timedelta(days=13)
    assert history[t] == (4, 6, 67)
    assert history[t - timedelta(days=1)] == (3, 7, 43)
    assert history[t - timedelta(days=5)] == (6, 6, 100)
    assert history[t - timedelta(days=2)] == (0, 7, 0)  # A4 on the roster since T-3
    assert history[t - timedelta(days=3)] == (0, 7, 0)
    assert history[t - timedelta(days=4)] == (0, 6, 0)
    assert history[t - timedelta(days=13)] == (0, 6, 0)


async def test_chart_is_server_rendered_svg_readable_without_javascript(client):
    world = await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    html = (await client.get("/dashboards/")).text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<script" not in svg
    assert svg.count("<rect") == 14
    t = world["today"]
    assert f"{t.isoformat()} 4/6" in svg and "67%" in svg
    assert f"{(t - timedelta(days=5)).isoformat()} 6/6" in svg and "100%" in svg
    assert (t - timedelta(days=13)).strftime("%m-%d") in svg


async def test_district_dashboard_adds_up_its_streets(client):
    await hand_counted()
    await sign_in(client, "district", kind="desktop")
    html = (await client.get("/dashboards/")).text
    totals = section(html, "data-totals")
    assert re.search(r'data-total="roster">7<', totals) and re.search(r'data-total="checked">5<', totals)
    assert re.search(r'data-total="rate">71%<', totals)
    assert "石牌街道" in html and "棠下街道" in html  # drill down to the streets
    street = await client.get(f"/dashboards/?area={SHIPAI}")
    assert re.search(r'data-total="roster">6<', street.text)


async def test_cases_are_counted_by_type_and_status(client):
    await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    html = (await client.get("/dashboards/")).text
    table = section(html, "data-cases")
    dibao = re.search(r'data-case-type="dibao".*?</tr>', table, re.S).group(0)
    tekun = re.search(r'data-case-type="tekun".*?</tr>', table, re.S).group(0)
    assert re.search(r'data-status="submitted">2<', dibao) and re.search(r'data-status="approved">1<', dibao)
    assert re.search(r'data-status="total">3<', dibao)
    assert re.search(r'data-status="approved">1<', tekun) and re.search(r'data-status="total">1<', tekun)


async def test_past_day_shows_that_days_roster(client):
    world = await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    yesterday = world["today"] - timedelta(days=1)
    html = (await client.get(f"/dashboards/?date={yesterday.isoformat()}")).text
    totals = section(html, "data-totals")
    assert re.search(r'data-total="roster">7<', totals) and re.search(r'data-total="checked">3<', totals)
    assert "陈静" not in section(html, "data-unchecked")  # A5 was checked that day


async def test_dashboard_outside_scope_is_not_found_and_workers_are_refused(client):
    await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    assert (await client.get("/dashboards/?area=440111")).status_code == 404
    assert (await client.get(f"/dashboards/?area={TIANHE}")).status_code == 404  # above the supervisor's street
    await sign_in(client, "worker")
    assert (await client.get("/dashboards/")).status_code == 403


async def open_referrals_and_paperwork() -> None:
    """In 石牌: referrals referred (overdue), received (not due), done; obligations pending, signed.
    In 三元里 (outside): one referral referred, one obligation pending."""
    t = today()
    cases = {r["area"]: r for r in await Case.select(Case.id, Case.area, Case.household)}
    areas = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    inside, outside = cases[areas[HUASHI]], cases[areas[SANYUANLI]]
    org = Organisation(name="石牌街华师社区居委会", kind="committee", area=areas[SHIPAI])
    await org.save()
    for case, status, due in ((inside, "referred", t - timedelta(days=1)), (inside, "received", t + timedelta(days=5)), (inside, "done", t - timedelta(days=3)), (outside, "referred", t - timedelta(days=9))):
        await Referral.insert(Referral(id=uuid.uuid4(), case=case["id"], area=case["area"], organisation=org.id, reason="需要就业援助", status=status, referred_on=t - timedelta(days=10), due_on=due, status_on=t, created_at=now()))
    for case, status in ((inside, "pending"), (inside, "signed"), (outside, "pending")):
        await Obligation.insert(Obligation(id=uuid.uuid4(), case=case["id"], area=case["area"], household=case["household"], kind="application", status=status, document_sha256="0" * 64, created_at=now()))


async def test_open_referrals_and_deferred_paperwork_are_counted(client):
    await hand_counted()
    await open_referrals_and_paperwork()
    await sign_in(client, "supervisor", kind="desktop")
    html = (await client.get("/dashboards/")).text
    assert "未办结的转介 2 件，其中逾期 1 件" in html
    assert "待补齐的签名文书 1 件" in html
    await sign_in(client, "district", kind="desktop")
    html = (await client.get("/dashboards/?area=440111")).text  # the district officer of 天河 cannot see 白云
    assert "未办结的转介" not in html
