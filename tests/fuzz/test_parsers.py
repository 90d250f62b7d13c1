"""Property-based fuzzing of every parser that reads outside input: whatever it is given, it answers with
its own clear error type or a result — never another exception (which would be a 500 or a crashed task),
and an import that fails writes nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# Cells that look like what people paste into spreadsheets: Japanese, full-width, formulas, blanks.
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "正社員",
            "パート",
            "営業部",
            "2026/4/1",
            "令和8年",
            "=1+1",
            "@SUM(A1)",
            "ｔｅｓｔ＠example.com",
            "a@b.c",
        ]
    ),
)
HEADINGS = [
    "氏名",
    "メールアドレス",
    "部署",
    "雇用形態",
    "社員番号",
    "上司",
    "入社日",
    "Name",
    "E-mail",
    "junk",
]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


@pytest.mark.django_db
@FUZZ
@given(
    header=st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELL, max_size=9), max_size=8),
)
def test_the_employee_import_answers_with_problems_or_a_preview(personas, header, rows):
    from django_scopes import scope

    from ippo.people.exchange import ImportProblems, Preview, employees_check
    from ippo.people.models import Employee

    with scope(organization=personas.org):
        try:
            result = employees_check(org=personas.org, name="staff.csv", data=_csv([header, *rows]))
        except ImportProblems as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        else:
            assert isinstance(result, Preview) and result.rows
        assert not Employee.objects.filter(organization=personas.org).exists()


@pytest.mark.django_db
@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx"]))
def test_the_employee_import_survives_arbitrary_bytes(personas, data, name):
    from django_scopes import scope

    from ippo.people.exchange import ImportProblems, employees_check

    with scope(organization=personas.org):
        try:
            employees_check(org=personas.org, name=name, data=data)
        except ImportProblems:
            pass


@pytest.mark.django_db
@FUZZ
@given(rows=st.lists(st.lists(CELL, max_size=9), max_size=8))
def test_the_asset_import_answers_with_problems_or_rows(personas, rows):
    from django_scopes import scope

    from ippo.registers.exchange import ImportProblems, check_rows

    header = ["名称", "種類", "保管場所", "管理者", "個人情報", "機密性", "完全性", "可用性", "メモ"]
    with scope(organization=personas.org):
        try:
            out = check_rows(personas.org, [header, *rows])
        except ImportProblems as exc:
            assert exc.problems
        else:
            assert all(fields["name"] for fields in out)


TXT = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda parts: "v=spf1 " + " ".join(parts),
        st.lists(
            st.sampled_from(
                [
                    "ip4:192.0.2.1",
                    "include:a.example",
                    "-all",
                    "~all",
                    "+all",
                    "a",
                    "mx",
                    "redirect=b.example",
                    "ptr",
                    "exists:%{i}.x",
                    "ip6:::1",
                    "bogus",
                    "?all",
                ]
            ),
            max_size=12,
        ),
    ),
    st.builds(
        lambda parts: "v=DMARC1; " + "; ".join(parts),
        st.lists(
            st.sampled_from(
                [
                    "p=none",
                    "p=reject",
                    "p=quarantine",
                    "rua=mailto:a@b.example",
                    "pct=50",
                    "sp=none",
                    "p=",
                    "adkim=s",
                    "junk",
                ]
            ),
            max_size=6,
        ),
    ),
)


@FUZZ
@given(records=st.lists(TXT, max_size=3), other=st.lists(TXT, max_size=2))
def test_mail_evaluators_answer_with_a_status_for_any_record(records, other):
    from ippo.checks.dnsclient import OK, Answer, RecordedDns
    from ippo.checks.evaluate.mailauth import dkim_evaluate, dmarc_evaluate
    from ippo.checks.evaluate.spf import spf_evaluate

    dns = RecordedDns(
        {
            ("example.jp", "TXT"): Answer(OK, tuple(records)),
            ("_dmarc.example.jp", "TXT"): Answer(OK, tuple(records)),
            ("a.example", "TXT"): Answer(OK, tuple(other)),
            ("b.example", "TXT"): Answer(OK, tuple(other)),
            ("selector1._domainkey.example.jp", "TXT"): Answer(OK, tuple(other)),
        }
    )
    for result in (
        spf_evaluate("example.jp", dns),
        dmarc_evaluate("example.jp", dns),
        dkim_evaluate("example.jp", dns, selectors=["selector1"]),
    ):
        assert result.status in ("pass", "warn", "fail", "unknown", "na")


@FUZZ
@given(body=st.text(max_size=300))
def test_the_mta_sts_policy_parser_never_raises(body):
    from ippo.checks.evaluate.mailauth import mta_sts_policy_parse

    parsed = mta_sts_policy_parse(body)
    assert parsed is None or isinstance(parsed, dict)


EVIDENCE = st.dictionaries(
    st.sampled_from(
        [
            "os",
            "disk",
            "updates",
            "firewall",
            "screen_lock",
            "protection",
            "bitlocker",
            "manage_bde",
            "mpstatus",
            "netsh",
            "fdesetup",
            "lsblk",
            "ufw",
            "os_release",
        ]
    ),
    st.one_of(
        st.text(max_size=120),
        st.dictionaries(
            st.sampled_from(["out", "err", "rc", "status"]),
            st.one_of(st.text(max_size=60), st.integers(-2, 2), st.none()),
        ),
        st.none(),
        st.integers(),
    ),
    max_size=8,
)


@FUZZ
@given(platform=st.sampled_from(["windows", "macos", "linux", "plan9"]), evidence=EVIDENCE)
def test_device_reports_are_judged_whatever_the_agent_sends(platform, evidence):
    from ippo.devices.evaluators import evaluate_report

    results, _summary = evaluate_report(platform, evidence, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert all(r.status in ("pass", "warn", "fail", "unknown", "na") for r in results)


YAML_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "id: x\n",
            "- a\n- b\n",
            "{a: [1, 2}",
            "ja: こんにちは\nen: hello\n",
            "id: [\n",
            "&a [*a]",
            "!!python/object:os.system {}",
            "? a\n: b\n",
            "id: x\nid: y\n",
        ]
    ),
)


@pytest.mark.parametrize("loader", ["training", "tabletop", "playbooks", "phishing"])
@FUZZ
@given(text=YAML_TEXT)
def test_content_loaders_answer_with_a_content_error(tmp_path_factory, loader, text):
    directory = tmp_path_factory.mktemp(loader)
    (directory / "fuzz.yaml").write_text(text, encoding="utf-8")
    if loader == "training":
        from ippo.training.content import ContentError, modules_load

        call = lambda: modules_load(directory, control_ids=set())  # noqa: E731
    elif loader == "tabletop":
        from ippo.tabletop.content import ContentError, scenarios_load

        call = lambda: scenarios_load(directory, control_ids=set())  # noqa: E731
    elif loader == "playbooks":
        from ippo.incidents.playbooks import PlaybookError as ContentError
        from ippo.incidents.playbooks import playbooks_load

        call = lambda: playbooks_load(directory)  # noqa: E731
    else:
        from ippo.phishing.templates_content import ContentError, templates_load

        call = lambda: templates_load(directory)  # noqa: E731
    try:
        call()
    except ContentError as exc:
        assert str(exc)


@FUZZ
@given(typed=st.text(max_size=60))
def test_receipt_codes_normalise_to_digits_only(typed):
    from ippo.reporting.receipts import code_normalise

    digits = code_normalise(typed)
    assert all(ch.isdigit() for ch in digits)
    assert code_normalise(digits) == digits


@pytest.mark.django_db
@FUZZ
@given(typed=st.text(max_size=40))
def test_receipt_code_guessing_counters_accept_anything(personas, typed):
    from django.utils import timezone
    from django_scopes import scope

    from ippo.reporting.receipts import attempt_failed, attempts_locked

    with scope(organization=personas.org):
        now = timezone.now()
        attempt_failed(org=personas.org, typed=typed, now=now)
        assert attempts_locked(org=personas.org, typed=typed, now=now) in (True, False)


@FUZZ
@given(text=YAML_TEXT, target=st.sampled_from(["frameworks", "controls", "questions"]))
def test_the_catalog_loader_answers_with_a_catalog_error(tmp_path_factory, text, target):
    import shutil

    from ippo.catalog.entities import CatalogError
    from ippo.catalog.loader import DATA_DIR, catalog_load

    directory = tmp_path_factory.mktemp("catalog") / "data"
    shutil.copytree(DATA_DIR, directory)
    victim = sorted((directory / target).glob("*.yaml"))[0]
    victim.write_text(text, encoding="utf-8")
    try:
        catalog_load(directory)
    except CatalogError as exc:
        assert str(exc)


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.django_db
@FUZZ
@given(
    body=st.one_of(
        JSON_VALUE,
        st.dictionaries(
            st.sampled_from(["platform", "evidence", "hostname", "agent_version", "os"]),
            JSON_VALUE,
            max_size=5,
        ),
    )
)
def test_the_device_agent_endpoint_never_fails_on_a_bad_report(client, personas, body):
    import json

    from django.core.cache import cache
    from django_scopes import scope

    from ippo.devices import services

    cache.clear()  # the endpoint's rate limit would otherwise answer 429 after a few examples
    with scope(organization=personas.org):
        _row, code = services.enrolment_code_create(org=personas.org, actor=personas.manager)
        _device, token = services.device_enrol(code=code, hostname="pc-01", platform="windows")
    response = client.post(
        "/agent/report",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code < 500, response.content[:200]
