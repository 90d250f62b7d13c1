import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ippo.core.audit import audit_record, audit_verify
from ippo.core.models import AuditEvent


@pytest.fixture
def chain(db, make_user):
    user = make_user("auditor@example.com")
    return [audit_record(action="user.logged_in", actor=user, data={"n": i}) for i in range(5)]


def test_an_intact_chain_verifies(chain):
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_each_entry_links_to_the_previous_one(chain):
    for previous, current in zip(chain, chain[1:], strict=False):
        assert current.prev_hash == previous.hash
        assert current.seq == previous.seq + 1


def test_an_altered_row_is_named(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).update(data={"n": 99})
    result = audit_verify()
    assert not result.ok and result.bad_seq == chain[2].seq
    assert "altered" in result.message


def test_a_removed_row_is_named(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[1].pk])
    result = audit_verify()
    assert not result.ok and result.bad_seq == chain[1].seq
    assert "missing" in result.message


def test_removing_the_newest_rows_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].pk])
    result = audit_verify()
    assert not result.ok and result.bad_seq == chain[-1].seq


def test_rows_cannot_be_changed_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.action = "user.logged_out"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_unknown_actions_are_refused(db):
    with pytest.raises(KeyError):
        audit_record(action="something.made_up")


def test_verify_command_exits_non_zero_and_names_the_entry(chain, capsys):
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out
    AuditEvent.objects.filter(pk=chain[3].pk).update(action="user.logged_out")
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    assert f"entry {chain[3].seq}" in str(excinfo.value)


def test_owner_reads_the_audit_log_of_the_organisation_only(personas, as_user):
    from ippo.core.models import Organization

    audit_record(action="org.created", actor=personas.owner, org=personas.org, data={"slug": "mine"})
    audit_record(action="org.created", actor=personas.outsider, org=Organization.objects.get(slug="org-b"), data={"slug": "theirs"})
    audit_record(action="user.logged_in", actor=personas.member)
    audit_record(action="user.logged_in", actor=personas.outsider)
    response = as_user(personas.owner).get("/o/org-a/audit/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "mine" in body and "theirs" not in body
    assert personas.member.email in body and personas.outsider.email not in body
