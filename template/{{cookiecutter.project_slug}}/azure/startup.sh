#!/bin/sh
# The startup command of the app on Azure App Service for Linux, set by
# siteconfig.json beside it (see "A platform: Azure App Service" in
# docs/deployment.md). App Service runs it from the deployed folder, with the
# packages it installed from requirements.txt importable, and sends requests
# to the port in $PORT. The app's `serve` takes its port from --port.
set -eu
exec python -m {{ cookiecutter.package_name }} serve --host 0.0.0.0 --port "${PORT:-8000}"
