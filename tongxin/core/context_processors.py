from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tongxin.core.scope import capabilities


def tongxin(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "caps": capabilities(user) if user is not None else set(),
        "tile_url": settings.TONGXIN_TILE_URL,
        "tile_attribution": settings.TONGXIN_TILE_ATTRIBUTION,
        "tile_max_zoom": settings.TONGXIN_TILE_MAX_ZOOM,
    }
