"""The cases part of the REST API (/api/v1), calling the same services as the pages."""

from ninja import Router

from safeguard.api.auth import signed_in

router = Router(auth=signed_in, tags=["cases"])
