"""A market inspector's home (role ``inspector``, a province's market surveillance): what the
role will do (inspections arrive with issue 15) and, meanwhile, the public directory of its
province's OCOP holders and their certified products (registration ``GET
/directory/exhibitors``, public fields only). Nothing here is pretended: no inspection,
no report, no action exists yet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.pages.authority import require_role, same_province
from ocop_web.pages.exhibitor_common import EXHIBITOR_KINDS
from ocop_web.session import SignedIn
from ocop_web.templating import render

router = APIRouter()


@router.get("/inspector")
async def inspector_home(request: Request, viewer: SignedIn, q: str = "") -> Response:
    require_role(viewer, "inspector")
    q = q.strip()[:100]
    province = viewer.organization.province
    listing = await viewer.api.registration.get(
        "/directory/exhibitors", params={"q": q, "limit": 200}
    )
    holders = [h for h in listing if same_province(h.get("province"), province)]
    return render(
        request,
        "inspector/home.html",
        {
            "q": q,
            "holders": holders,
            "province": province,
            "EXHIBITOR_KINDS": EXHIBITOR_KINDS,
            "limited": len(listing) == 200,
        },
    )
