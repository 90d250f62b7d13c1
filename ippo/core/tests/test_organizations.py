import pytest
from django.urls import reverse

from ippo.core.models import AuditEvent, Membership, Organization


@pytest.fixture
def newcomer(make_user):
    return make_user("new@example.com")


def test_a_new_user_is_sent_to_create_an_organisation(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("core:org_create")


def test_creating_an_organisation_makes_you_its_owner_and_is_audited(client, newcomer, unscoped):
    client.force_login(newcomer)
    response = client.post(reverse("core:org_create"), {"name": "株式会社テスト", "slug": "test-co"})
    assert response.status_code == 302
    org = Organization.objects.get(slug="test-co")
    with unscoped():
        assert Membership.objects.get(organization=org).role == "owner"
    assert AuditEvent.objects.filter(action="org.created", organization=org, actor=newcomer).exists()


def test_after_creating_an_organisation_the_owner_must_set_up_mfa(client, newcomer):
    client.force_login(newcomer)
    client.post(reverse("core:org_create"), {"name": "Test", "slug": "test-co"})
    response = client.get("/o/test-co/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


@pytest.mark.parametrize(
    ("slug", "message_ja"),
    [
        ("org-b", "このURL名はすでに使われています"),
        ("admin", "このURL名は予約されています"),
        ("Bad Slug!", "英小文字・数字・ハイフン"),
        ("ab", "英小文字・数字・ハイフン"),
    ],
)
def test_bad_slugs_get_a_clear_message_and_nothing_is_saved(client, personas, newcomer, slug, message_ja, unscoped):
    client.force_login(newcomer)
    before = Organization.objects.count()
    response = client.post(reverse("core:org_create"), {"name": "Test", "slug": slug})
    assert response.status_code == 400
    assert message_ja in response.content.decode()
    assert Organization.objects.count() == before
    with unscoped():
        assert not Membership.objects.filter(user=newcomer).exists()


def test_the_slug_message_is_in_english_for_english_users(client, personas, make_user):
    user = make_user("en@example.com", language="en")
    client.force_login(user)
    response = client.post(reverse("core:org_create"), {"name": "Test", "slug": "org-b"})
    assert "This URL name is already taken" in response.content.decode()


def test_an_advisor_switches_between_client_organisations(client, personas, unscoped):
    advisor = personas.advisor
    Membership.objects.create(organization=personas.other_org, user=advisor, role="advisor")
    client.force_login(advisor)
    assert client.get("/")["Location"] == reverse("core:org_list")
    page = client.get(reverse("core:org_list")).content.decode()
    assert "Org A" in page and "Org B" in page
    assert client.get("/o/org-a/").status_code == 200
    assert client.get("/o/org-b/").status_code == 200


def test_home_shows_the_five_pillars_with_first_steps(client, personas):
    client.force_login(personas.users["manager"])  # the owner's home is the dashboard (ippo/reports)
    body = client.get("/o/org-a/").content.decode()
    for title in ("自社診断", "経営者への報告", "教育・訓練", "基本対策", "報告・相談とインシデント"):
        assert title in body
    assert body.count('class="first-step"') == 5


def test_members_see_only_the_pillars_their_role_allows(client, personas):
    client.force_login(personas.member)
    body = client.get("/o/org-a/").content.decode()
    assert "教育・訓練" in body and "報告・相談とインシデント" in body
    assert "経営者への報告" not in body


def test_home_page_query_count_is_constant(client, personas, make_user, django_assert_num_queries):
    client.force_login(personas.users["manager"])
    client.get("/o/org-a/")
    # session, user, membership, MFA, messages, then one query per app with "for you to do" entries:
    # assessments, program, policies, training, phishing, reporting, incidents, tabletop, checks, devices.
    with django_assert_num_queries(15) as ctx:
        client.get("/o/org-a/")
    for _ in range(20):
        Membership.objects.create(organization=personas.org, user=make_user(), role="member")
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/o/org-a/")


def test_member_list_query_count_is_constant_in_the_number_of_members(
    client, personas, make_user, django_assert_num_queries
):
    client.force_login(personas.owner)
    client.get("/o/org-a/members/")
    with django_assert_num_queries(7) as ctx:
        response = client.get("/o/org-a/members/")
    assert response.status_code == 200
    for _ in range(30):
        Membership.objects.create(organization=personas.org, user=make_user(), role="member")
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get("/o/org-a/members/")
    assert response.content.decode().count("<tr>") >= 35


def test_owner_changes_a_role_and_it_is_audited(client, personas, unscoped):
    client.force_login(personas.owner)
    with unscoped():
        membership = Membership.objects.get(user=personas.member)
    response = client.post(f"/o/org-a/members/{membership.pk}/role/", {"role": "manager"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "manager"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {"user": personas.member.email, "from": "member", "to": "manager"}


def test_the_last_owner_cannot_be_demoted_or_removed(client, personas, unscoped):
    client.force_login(personas.owner)
    with unscoped():
        membership = Membership.objects.get(user=personas.owner)
    response = client.post(f"/o/org-a/members/{membership.pk}/role/", {"role": "member"}, follow=True)
    assert "少なくとも1人の経営者" in response.content.decode()
    client.post(f"/o/org-a/members/{membership.pk}/remove/")
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_removing_a_member_is_audited(client, personas, unscoped):
    client.force_login(personas.owner)
    with unscoped():
        membership = Membership.objects.get(user=personas.viewer)
    client.post(f"/o/org-a/members/{membership.pk}/remove/")
    with unscoped():
        assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed", organization=personas.org).exists()


def test_role_change_endpoints_reject_get(client, personas, unscoped):
    client.force_login(personas.owner)
    with unscoped():
        membership = Membership.objects.get(user=personas.member)
    assert client.get(f"/o/org-a/members/{membership.pk}/role/").status_code == 405
