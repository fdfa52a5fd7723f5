#!/usr/bin/env bash
# make deploy-check: installs what the check needs from Debian (nginx, openssl, the PostgreSQL
# client), then deploy/check.py with a time limit. Needs root for apt-get when nginx is missing,
# and PostgreSQL on 127.0.0.1:5432 (user postgres, as for the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null || missing+=(openssl)
command -v pg_dump >/dev/null || missing+=(postgresql-client)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts nginx on port 80 after installing it; the check runs its own.
  if [ -d /run/systemd/system ]; then systemctl disable --now nginx >/dev/null 2>&1 || true
  elif [ -f /run/nginx.pid ]; then kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
fi
export PATH="$PATH:/usr/sbin:/sbin"
exec timeout --foreground --kill-after=20 300 "${PYTHON:-.venv/bin/python}" deploy/check.py
