from tests.factories import factory


@factory("api.apitoken")
def _apitoken(org, make_user):
    from ippo.api.services import apitoken_create

    token, _text = apitoken_create(actor=None, name="月次レポート", scope="read", days=30, org=org)
    return token
