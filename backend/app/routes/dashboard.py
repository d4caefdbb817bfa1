"""The browser dashboard: the page at `/` and its static files under `/dashboard/`.

Plain HTML, CSS and ES modules shipped inside the package (app/dashboard/static); the page
reads the same JSON API as any other client, so this router only hands out files.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

# A real directory (setuptools installs package data as files), so StaticFiles can serve it.
STATIC_DIR = Path(str(files("app.dashboard") / "static"))

router = APIRouter(tags=["dashboard"])
router.mount("/dashboard", StaticFiles(directory=STATIC_DIR), name="dashboard")


@router.get("/", include_in_schema=False)
async def dashboard_page() -> FileResponse:
    """The live dashboard: KPIs, sales trend, forecasts with their 95% band, ABC/XYZ, stock tables,
    reorder advice and a live feed of orders and alerts."""
    # no-cache: the browser revalidates (ETag), so a new release's page is picked up at once.
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})
