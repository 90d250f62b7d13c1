from __future__ import annotations

from ninja import NinjaAPI

from ippo.api.access import TokenAuth

api = NinjaAPI(
    title="ippo API",
    version="1",
    description=(
        "The JSON API of ippo. Authenticate with `Authorization: Bearer <token>`: a personal token acts as "
        "you (your role in each organisation), an organisation token acts for one organisation (read = viewer "
        "rights, write = manager rights). Make tokens in ippo under API tokens. Another organisation's data "
        "is always 404."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", "ippo.api.endpoints.router")
api.add_router("/", "ippo.api.endpoints_more.router")
