"""The web app: FastAPI over the public Python API, the run queue and the catalog.

``create_app(data_dir)`` builds it; ``immsim serve`` runs it with uvicorn on
127.0.0.1. Everything the pages need is served from the package: the app
works with no internet connection.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from immsim.web import api, pages
from immsim.web.api import Limits
from immsim.web.jobs import Runner
from immsim.web.library import Library

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def default_data_dir() -> Path:
    """Where the app keeps uploads, results and the run catalog: ``$XDG_DATA_HOME/immsim`` by default."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "immsim"


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with a 413, whether or not they declare their length.

    A declared length over the limit is refused before reading; a body sent in
    chunks is counted as it arrives and refused as soon as it passes the limit,
    so an upload can never fill the disk.
    """

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    def _refusal(self) -> dict:
        return {"message": f"the request is larger than the {self.limit:,}-byte limit", "field": "file"}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await JSONResponse({"detail": self._refusal()}, status_code=413)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, self._refusal())  # answered by the app's exception handling
            return message

        return await self.app(scope, counted, send)


def create_app(data_dir: str | Path | None = None, limits: Limits | None = None, host: str = "127.0.0.1") -> FastAPI:
    """The app, keeping its files in ``data_dir``; ``host`` is where it listens (loopback: Host headers checked)."""
    limits = limits or Limits()
    data = Path(data_dir) if data_dir else default_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    library = Library(data / "scenarios")
    runner = Runner(data, workers=limits.workers, max_waiting=limits.max_waiting)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        runner.start()  # a no-op unless the app was stopped and is started again
        yield
        runner.close()

    app = FastAPI(
        title="immsim",
        summary="Simulate U.S. interior immigration enforcement: scenarios, reforms, runs and their results.",
        version=__import__("immsim").__version__,
        lifespan=lifespan,
    )
    app.state.runner, app.state.library, app.state.limits = runner, library, limits
    app.state.results = pages.ResultCache()
    if host in LOOPBACK:
        # a page on another site must not reach this server through a name that resolves to 127.0.0.1
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])

    app.add_middleware(BodyLimit, limit=limits.max_upload_bytes + 65_536)  # room for the multipart envelope

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        field = _field(tuple(err.get("loc", ())))
        message = f"{field}: {err.get('msg', 'invalid value')}" if field else err.get("msg", "invalid request")
        return JSONResponse({"detail": {"message": message, "field": field}}, status_code=422)

    static = resources.files("immsim.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript")

    app.include_router(api.router(library, runner, limits))
    app.include_router(pages.router(library, runner, limits, pages.templates()))
    return app
