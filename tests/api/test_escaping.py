"""HTML and JavaScript typed into any text field is shown as text on every page, in every PDF and
in every export; text that a spreadsheet would run as a formula is exported as text."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from server.areas.tables import Area
from server.cases.tables import Case
from server.dailycheck.tables import DailyCheck
from server.declarations.tables import Declaration
from server.households.tables import Person
from server.paperwork.tables import Obligation
from server.referrals.tables import Organisation, Referral, ReferralEvent
from server.watch.tables import WatchEntry
from tests.api.test_paperwork_support import add_visit, approve, declare_emergency
from tests.support.auth import sign_in
from tests.support.review_cases import make_case

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
RAW_FRAGMENTS = ("<script>alert(1)", "<img src=x onerror")
FORMULA = "=cmd|' /C calc'!A0"

ROLES = {"worker": "field", "supervisor": "desktop", "district": "desktop", "admin": "desktop"}


async def fill_every_text_field(client, text: str) -> dict:
    """Put `text` into every free-text field a person can fill: household address, member name, case
    notes, visit situation, rejection reason, referral reason and notes, organisation, daily check,
    watch-list note, declaration. Answers the ids of the cases and documents that show it."""
    await declare_emergency(client)
    community = (await Area.select(Area.id).where(Area.code == "440106004001").first())["id"]
    approved = await make_case(name=text, address=text, serial=301)
    await Case.update({Case.notes: text}).where(Case.id == uuid.UUID(approved["case_id"]))
    await add_visit(approved["case_id"], community, situation=text)
    await approve(client, approved["case_id"])
    rejected = await make_case(name=text, address=text, serial=302)
    response = await client.post(f"/api/review/cases/{rejected['case_id']}/decisions", json={
        "action": "reject", "expected_status": "submitted", "expected_version": 1, "reason_code": "other", "reason_text": text})
    assert response.status_code == 200, response.text
    await Referral.update({Referral.reason: text, Referral.contact_name: text[:100]}, force=True)
    await ReferralEvent.update({ReferralEvent.note: text}, force=True)
    await Organisation.update({Organisation.name: text, Organisation.services: text}, force=True)
    await DailyCheck.update({DailyCheck.needs_other: text, DailyCheck.service: text, DailyCheck.handled_note: text}, force=True)
    await WatchEntry.update({WatchEntry.note: text}, force=True)
    await Declaration.update({Declaration.content: text, Declaration.decision_note: text}, force=True)
    await Person.update({Person.name: text[:100]}).where(Person.household.area == community)
    obligations = await Obligation.select(Obligation.id).where(Obligation.case == uuid.UUID(approved["case_id"]))
    assert obligations, "the emergency approval opened no paperwork"
    return {"approved": approved["case_id"], "rejected": rejected["case_id"], "obligations": [str(r["id"]) for r in obligations]}


def pages(ids: dict) -> list[str]:
    case, rejected, obligation = ids["approved"], ids["rejected"], ids["obligations"][0]
    return [
        "/", "/field", "/field/daily", "/field/paperwork", "/field/tasks", f"/field/cases/{case}", f"/field/cases/{rejected}",
        f"/field/paperwork/{obligation}", "/review", "/review?status=all", "/review?status=rejected", f"/review/cases/{case}",
        f"/review/cases/{rejected}", "/review/audit", "/review/procedures", "/casework/referrals", "/casework/organisations",
        f"/casework/cases/{case}/eligibility", "/dashboards", "/dashboards/report", "/watch", "/paperwork",
        f"/paperwork/cases/{case}", f"/paperwork/{obligation}", "/people",
    ]


async def test_html_in_every_text_field_is_shown_escaped_on_every_page(client, demo):
    ids = await fill_every_text_field(client, PAYLOAD)
    shown_escaped: dict[str, set[str]] = {}
    for username, kind in ROLES.items():
        await sign_in(client, username, kind=kind)
        for url in pages(ids):
            for htmx in (False, True):
                response = await client.get(url, headers={"HX-Request": "true"} if htmx else {})
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                for fragment in RAW_FRAGMENTS:
                    assert fragment not in response.text, f"{username} {url} (htmx={htmx}) shows raw HTML from a text field"
                if ESCAPED in response.text:
                    shown_escaped.setdefault(url, set()).add(username)
    case, rejected, obligation = ids["approved"], ids["rejected"], ids["obligations"][0]
    # The text reaches the pages that show it (the checks above would pass on pages that show nothing).
    for url in (f"/review/cases/{case}", f"/review/cases/{rejected}", "/casework/referrals", "/casework/organisations",
                f"/paperwork/cases/{case}", f"/paperwork/{obligation}", f"/field/cases/{case}", "/field/paperwork", "/dashboards"):
        assert url in shown_escaped, f"{url} never showed the text (shown on: {sorted(shown_escaped)})"


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


async def test_html_in_text_fields_is_printed_as_text_in_the_paperwork_pdf(client, demo):
    ids = await fill_every_text_field(client, PAYLOAD)
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get(f"/paperwork/{ids['obligations'][0]}/document.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert re.sub(r"\s+", "", PAYLOAD) in pdf_text(response.content)


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


EXPORTS = [
    ("supervisor", "/review/export/cases?format=csv"),
    ("supervisor", "/review/export/cases?format=xlsx"),
    ("supervisor", "/review/export/decisions?format=csv"),
    ("supervisor", "/review/export/decisions?format=xlsx"),
    ("supervisor", "/paperwork/export?format=csv"),
    ("supervisor", "/paperwork/export?format=xlsx"),
    ("district", "/review/audit/export.csv"),
    ("supervisor", "/dashboards/report.xlsx"),
]


@pytest.mark.parametrize(("username", "url"), EXPORTS, ids=[url for _, url in EXPORTS])
async def test_exported_text_that_looks_like_a_formula_is_neutralised(client, demo, username, url):
    await fill_every_text_field(client, FORMULA)
    await sign_in(client, username, kind="desktop")
    response = await client.get(url)
    assert response.status_code == 200, response.text
    cells = xlsx_cells(response.content) if "xlsx" in url else csv_cells(response.content)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))], "a cell would run as a formula"
    assert any(FORMULA in cell for cell in cells), "the export does not contain the text at all"


def test_the_phone_scripts_never_build_html_from_data():
    """The phone renders records it pulled with textContent; markup is only ever a fixed string."""
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[2] / "web" / "static" / "js"
    sinks = re.compile(r"(innerHTML|outerHTML)\s*\+?=\s*(.+)|insertAdjacentHTML\(|document\.write\(")
    found = []
    for script in sorted(scripts.rglob("*.js")):
        for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
            match = sinks.search(line)
            if match is None:
                continue
            value = (match.group(2) or "").strip()
            fixed = re.fullmatch(r"""('[^']*'|"[^"]*"|`[^`$]*`);?""", value) is not None
            if not fixed:
                found.append(f"{script.name}:{number}: {line.strip()}")
    assert not found, "HTML built from data:\n" + "\n".join(found)
