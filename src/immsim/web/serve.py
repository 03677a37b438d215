"""Run the web app with uvicorn: what ``immsim serve`` calls."""

from __future__ import annotations

from pathlib import Path

from immsim.errors import ImmsimError
from immsim.web.api import Limits


def serve(
    host: str = "127.0.0.1", port: int = 8000, data_dir: Path | None = None, limits: Limits | None = None
) -> None:
    """Serve the app until interrupted; runs in progress are stopped and leave no partial result."""
    import socket

    import uvicorn

    from immsim.web.app import create_app, default_data_dir

    data = data_dir or default_data_dir()
    try:  # a clear message instead of uvicorn's traceback when the port is taken
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        raise ImmsimError(f"cannot listen on {host}:{port} ({e.strerror or e})") from None
    app = create_app(data, limits, host=host)
    shown = f"[{host}]" if ":" in host else host
    print(f"immsim web app on http://{shown}:{port}/ (data in {data}); press Ctrl-C to stop", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
