"""The API docs page: Swagger UI served from the installed ``swagger_ui_bundle`` package.

FastAPI's own /docs loads Swagger UI from a CDN and starts it with an inline script; the
lecture room has no internet and the Content-Security-Policy forbids both. This page loads
the same files from this server and starts Swagger UI from a separate script. URLs are
relative so that the page also works under a reverse proxy's path prefix. The strings live
here rather than in .html/.js files so that they are part of the installed package.
"""

from __future__ import annotations

from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Descent Lab API</title>
<link rel="icon" href="docs/favicon-32x32.png">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
"""

INIT_JS = """window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def asset_path(name: str) -> Path:
    """The file behind /docs/<name>, from the swagger_ui_bundle package."""
    return Path(str(swagger_ui_path)) / name
