"""The action plan export: Excel and CSV, the list page's filters, this organisation only, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from ippo.core.models import AuditEvent
from ippo.program.models import ActionItem, Evidence
from tests.helpers import query_count

pytestmark = pytest.mark.django_db
URL = "/o/org-a/plan/export/"
EVIL = '=HYPERLINK("http://attacker.example","click")'


def _item(org, title, **fields):
    return ActionItem.objects.create(organization=org, title=title, **fields)


def _evidence(item, n):
    Evidence.objects.bulk_create(
        Evidence(
            organization=item.organization,
            action_item=item,
            kind="note",
            title=f"Note {i}",
            note="done",
            performed_on=timezone.localdate(),
        )
        for i in range(n)
    )


@pytest.fixture
def plan(personas):
    today = timezone.localdate()
    with scopes_disabled():
        mfa = _item(
            personas.org,
            "",
            control_id="pr-mfa-email",
            source="gap",
            priority=2.345678,
            owner=personas.manager,
            due_date=today + timedelta(days=10),
        )
        _evidence(mfa, 2)
        late = _item(personas.org, "Replace the old router", owner=None, due_date=today - timedelta(days=3))
        evil = _item(personas.org, EVIL, priority=1)
        done = _item(personas.org, "Write the policy", status="done", completed_at=timezone.now())
        _item(personas.other_org, "Org B's secret item")
    return {"mfa": mfa, "late": late, "evil": evil, "done": done}


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_excel_export_holds_the_open_items_of_this_organisation_with_their_details(
    owner_client, plan, personas
):
    response = owner_client.get(URL)
    assert 'filename="ippo-org-a-action-plan-' in response["Content-Disposition"]
    ws = _xlsx(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Item",
        "Measure ID",
        "Source",
        "Status",
        "Responsible",
        "Due date",
        "Priority",
        "Created",
        "Completed",
        "Number of evidence items",
    )
    by_id = {row[1]: row for row in rows[1:] if row[1]}
    titles = [row[0] for row in rows[1:]]
    assert "Org B's secret item" not in titles and "Write the policy" not in titles  # other org; done
    assert len(rows) == 4
    mfa = by_id["pr-mfa-email"]
    assert mfa[0] and mfa[0] != "pr-mfa-email"  # the measure's title from the catalog
    personas.manager.refresh_from_db()
    assert mfa[2:5] == ("Self-assessment gap", "To do", personas.manager.get_short_name())
    assert mfa[5].date() == plan["mfa"].due_date and ws.cell(2, 6).is_date
    assert mfa[6] == 2.35 and mfa[9] == 2
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="actionitem.exported")
    assert event.data == {"format": "xlsx", "count": 3} and event.actor == personas.owner


def test_csv_export_has_a_byte_order_mark_crlf_and_neutralised_formulas(owner_client, plan):
    rows = _csv(owner_client.get(URL + "?format=csv&status=all"))
    assert rows[0][0] == "Item" and len(rows) == 5
    titles = [row[0] for row in rows[1:]]
    assert "'" + EVIL in titles and EVIL not in titles
    assert "Org B's secret item" not in titles
    done = next(row for row in rows if row[0] == "Write the policy")
    assert done[3] == "Done" and done[8]  # completed, as a local date and time


def test_formulas_are_text_in_excel(owner_client, plan):
    ws = _xlsx(owner_client.get(URL + "?format=xlsx"))
    cell = next(row[0] for row in ws.iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value))
    assert cell.value == "'" + EVIL and cell.data_type == "s"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=done", {"Write the policy"}),
        ("status=all&owner=none", {"Replace the old router", EVIL, "Write the policy"}),
        ("overdue=1", {"Replace the old router"}),
        ("source=gap", {"mfa"}),
    ],
)
def test_export_respects_the_list_filters(owner_client, plan, query, expected):
    rows = _csv(owner_client.get(f"{URL}?format=csv&{query}"))[1:]
    found = {"mfa" if row[1] == "pr-mfa-email" else row[0].removeprefix("'") for row in rows}
    assert found == expected


def test_owner_me_is_the_person_downloading(as_user, plan, personas):
    rows = _csv(as_user(personas.manager).get(URL + "?format=csv&owner=me"))[1:]
    assert [row[1] for row in rows] == ["pr-mfa-email"]


def test_a_viewer_may_download_and_an_employee_may_not(as_user, plan, personas):
    assert as_user(personas.viewer).get(URL + "?format=csv").status_code == 200
    assert as_user(personas.member).get(URL + "?format=csv").status_code == 403


def test_an_unknown_format_is_404_and_post_is_refused(owner_client, plan):
    assert owner_client.get(URL + "?format=pdf").status_code == 404
    assert owner_client.post(URL).status_code == 405


def test_headers_follow_the_language_of_the_person(owner_client, plan):
    owner_client.cookies["ippo_language"] = "ja"
    ja = _csv(owner_client.get(URL + "?format=csv"))
    owner_client.cookies["ippo_language"] = "en"
    en = _csv(owner_client.get(URL + "?format=csv"))
    assert en[0][:3] == ["Item", "Measure ID", "Source"] and en[0][5:7] == ["Due date", "Priority"]
    assert ja[0][0] == "項目" and ja[0][5] == "期限" and ja[0][6] == "優先度" and ja[0][4] == "担当する人"
    with translation.override("ja"):
        to_do = str(ActionItem.Status.TODO.label)
    assert to_do != "To do" and {row[3] for row in ja[1:]} == {to_do}
    mfa_ja = next(row for row in ja if row[1] == "pr-mfa-email")
    mfa_en = next(row for row in en if row[1] == "pr-mfa-email")
    assert mfa_ja[0] != mfa_en[0]  # the measure's title in each language


def test_the_list_page_links_to_the_export_with_its_filters(owner_client, plan):
    page = owner_client.get("/o/org-a/plan/?status=all&owner=none&page=1").content.decode()
    assert "/o/org-a/plan/export/?status=all&amp;owner=none&amp;format=xlsx" in page
    assert "/o/org-a/plan/export/?status=all&amp;owner=none&amp;format=csv" in page
    page = owner_client.get("/o/org-a/plan/").content.decode()
    assert "/o/org-a/plan/export/?format=xlsx" in page


def _fill(personas, start, stop):
    with scopes_disabled():
        items = ActionItem.objects.bulk_create(
            ActionItem(
                organization=personas.org,
                title=f"Item {i}",
                owner=personas.owner if i % 2 else None,
                due_date=timezone.localdate() + timedelta(days=i % 30),
            )
            for i in range(start, stop)
        )
        for item in items[::10]:
            _evidence(item, 2)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_number_of_queries_does_not_grow_with_the_plan(owner_client, personas, fmt):
    _fill(personas, 0, 5)
    small = query_count(owner_client, f"{URL}?format={fmt}")
    _fill(personas, 5, 200)
    large = query_count(owner_client, f"{URL}?format={fmt}")
    assert small == large and large <= 16
    with scopes_disabled():
        assert ActionItem.objects.filter(organization=personas.org).count() == 200
