#!/usr/bin/env bash
# Install Buurtkamer on a Debian 12/13 server, or upgrade it: run it again with the new code.
#
#   apt-get install python3-venv postgresql nginx gettext certbot
#   sudo SERVER_NAME=buurtkamer.example.org deploy/install.sh
#
# Idempotent. Each run copies this checkout into a new release folder, installs the
# dependencies into the venv, writes the systemd units and the nginx site, migrates,
# collects static files, compiles the translations, runs `check --deploy`, points `current` at
# the new release and reloads the app servers gracefully (gunicorn's SIGHUP: new workers on the
# new code, the old ones finish their requests), one after the other. /etc/buurtkamer/env is
# written once (with fresh keys) and never overwritten.
#
# Settings (environment variables; the defaults are for a real server):
#   SERVER_NAME     host name of the site (default: first of DJANGO_ALLOWED_HOSTS in the env file)
#   APP_PORTS       local ports of the gunicorn instances (default "8001 8002")
#   UPSTREAM_EXTRA  more app servers for nginx, e.g. "10.0.0.12:8001 10.0.0.12:8002"
#   TLS_CERT, TLS_KEY  (default: certbot's files for SERVER_NAME)
#   PREFIX          install under this folder instead of / (the deploy check uses it; no user,
#                   no systemctl, no PostgreSQL role then)
#   VENV            an existing virtualenv to use instead of $APP_DIR/venv
#   PIP_INSTALL=0   do not install dependencies (the venv has them)
set -euo pipefail

SOURCE=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-}
APP_DIR=${APP_DIR:-$PREFIX/opt/buurtkamer}
VENV=${VENV:-$APP_DIR/venv}
ETC_DIR=${ETC_DIR:-$PREFIX/etc/buurtkamer}
ENV_FILE=$ETC_DIR/env
STATE_DIR=${STATE_DIR:-$PREFIX/var/lib/buurtkamer}
UNIT_DIR=${UNIT_DIR:-$PREFIX/etc/systemd/system}
NGINX_DIR=${NGINX_DIR:-$PREFIX/etc/nginx}
LOG_DIR=${LOG_DIR:-$PREFIX/var/log/nginx}
APP_USER=${APP_USER:-buurtkamer}
APP_PORTS=${APP_PORTS:-8001 8002}
UPSTREAM_EXTRA=${UPSTREAM_EXTRA:-}
HTTP_PORT=${HTTP_PORT:-80}
HTTPS_PORT=${HTTPS_PORT:-443}
PIP_INSTALL=${PIP_INSTALL:-1}
PYTHON=${PYTHON:-$(command -v python3.13 || command -v python3)}
KEEP_RELEASES=3

say() { echo "== $*"; }
# systemctl only on a real install on a machine that runs systemd.
if [ -z "$PREFIX" ] && [ -d /run/systemd/system ]; then USE_SYSTEMD=1; else USE_SYSTEMD=0; fi

say "user and folders"
if [ -z "$PREFIX" ] && ! id "$APP_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$STATE_DIR" --shell /usr/sbin/nologin "$APP_USER"
fi
mkdir -p "$APP_DIR/releases" "$ETC_DIR" "$STATE_DIR/static" "$STATE_DIR/backups" "$UNIT_DIR" \
  "$NGINX_DIR/sites-available" "$NGINX_DIR/sites-enabled" "$LOG_DIR"
if [ -z "$PREFIX" ]; then
  chown "$APP_USER:$APP_USER" "$STATE_DIR" "$STATE_DIR/backups"
  chmod 750 "$STATE_DIR/backups"
fi

say "environment ($ENV_FILE)"
if [ ! -f "$ENV_FILE" ]; then
  secret=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
  mfa=$("$PYTHON" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
  sed -e "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$secret|" \
      -e "s|^MFA_ENCRYPTION_KEY=.*|MFA_ENCRYPTION_KEY=$mfa|" \
      -e "s|/var/lib/buurtkamer|$STATE_DIR|g" \
      "$SOURCE/deploy/env.example" >"$ENV_FILE.new"
  if [ -n "${SERVER_NAME:-}" ]; then
    sed -i -e "s|buurtkamer.example.org|$SERVER_NAME|g" "$ENV_FILE.new"
  fi
  chmod 640 "$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
  echo "wrote $ENV_FILE: check DATABASE_URL, the host names and EMAIL_* (and keep a copy of MFA_ENCRYPTION_KEY)"
fi
[ -z "$PREFIX" ] && chown "root:$APP_USER" "$ENV_FILE"
set -a; . "$ENV_FILE"; set +a
SERVER_NAME=${SERVER_NAME:-${DJANGO_ALLOWED_HOSTS%%,*}}
TLS_CERT=${TLS_CERT:-/etc/letsencrypt/live/$SERVER_NAME/fullchain.pem}
TLS_KEY=${TLS_KEY:-/etc/letsencrypt/live/$SERVER_NAME/privkey.pem}

if [ -z "$PREFIX" ] && [[ "${DATABASE_URL:-}" == postgres://buurtkamer@/* ]] \
   && runuser -u postgres -- psql -Atqc 'select 1' >/dev/null 2>&1; then
  say "PostgreSQL role and database (peer authentication as $APP_USER)"
  runuser -u postgres -- psql -Atqc "select 1 from pg_roles where rolname='$APP_USER'" | grep -q 1 \
    || runuser -u postgres -- createuser "$APP_USER"
  db=${DATABASE_URL##*/}
  runuser -u postgres -- psql -Atqc "select 1 from pg_database where datname='$db'" | grep -q 1 \
    || runuser -u postgres -- createdb --owner="$APP_USER" "$db"
fi

release=$APP_DIR/releases/$(date -u +%Y%m%d-%H%M%S)
say "code into $release"
mkdir -p "$release"
tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude='./db.sqlite3*' \
  --exclude=./staticfiles --exclude=./backups --exclude='__pycache__' --exclude=./tests/.axe \
  --exclude=./tests/screenshots -cf - . | tar -C "$release" --no-same-owner -xf -

say "virtualenv ($VENV)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
if [ "$PIP_INSTALL" = 1 ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "$release"
fi

# manage.py of the new release with the app's environment: as root for what writes the code's
# translations and the static files (the app's user may not change either), as the app's user
# for the rest (PostgreSQL's peer authentication knows that user).
manage_as_root() { (cd "$release" && "$VENV/bin/python" manage.py "$@"); }
manage() {
  if [ -z "$PREFIX" ] && [ "$(id -un)" != "$APP_USER" ]; then
    (cd "$release" && runuser -u "$APP_USER" -- "$VENV/bin/python" manage.py "$@")
  else
    (cd "$release" && "$VENV/bin/python" manage.py "$@")
  fi
}

say "migrate, static files, translations, check --deploy"
manage migrate --noinput
manage_as_root collectstatic --noinput --verbosity 0
if command -v msgfmt >/dev/null; then
  manage_as_root compilemessages --verbosity 0
else
  echo "msgfmt not found (apt-get install gettext): using the committed translations"
fi
manage check --deploy --fail-level WARNING

say "systemd units and nginx site"
render() {  # template -> file, with this installation's paths
  local upstreams="" port extra
  for port in $APP_PORTS; do upstreams+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
  for extra in $UPSTREAM_EXTRA; do upstreams+="    server $extra max_fails=1 fail_timeout=5s;"$'\n'; done
  local suffix=""; [ "$HTTPS_PORT" = 443 ] || suffix=":$HTTPS_PORT"
  UPSTREAMS="${upstreams%$'\n'}" "$PYTHON" - "$1" "$2" <<PY
import os, sys
text = open(sys.argv[1]).read()
for key, value in {
    "@USER@": "$APP_USER", "@ENV_FILE@": "$ENV_FILE", "@APP_DIR@": "$APP_DIR",
    "@VENV@": "$VENV", "@STATE_DIR@": "$STATE_DIR", "@SERVER_NAME@": "$SERVER_NAME",
    "@HTTP_PORT@": "$HTTP_PORT", "@HTTPS_PORT@": "$HTTPS_PORT", "@HTTPS_PORT_SUFFIX@": "$suffix",
    "@TLS_CERT@": "$TLS_CERT", "@TLS_KEY@": "$TLS_KEY", "@LOG_DIR@": "$LOG_DIR",
    "@STATIC_ROOT@": "${DJANGO_STATIC_ROOT:-$STATE_DIR/static}",
    "@UPSTREAM_SERVERS@": os.environ["UPSTREAMS"],
}.items():
    text = text.replace(key, value)
open(sys.argv[2] + ".new", "w").write(text)
os.replace(sys.argv[2] + ".new", sys.argv[2])
PY
}
for unit in "$release"/deploy/systemd/*; do
  render "$unit" "$UNIT_DIR/$(basename "$unit")"
done
render "$release/deploy/nginx/buurtkamer.conf" "$NGINX_DIR/sites-available/buurtkamer"
ln -sfn ../sites-available/buurtkamer "$NGINX_DIR/sites-enabled/buurtkamer"

say "switch to the new release"
ln -sfn "$release" "$APP_DIR/current.new"
mv -T "$APP_DIR/current.new" "$APP_DIR/current"

timers=$(cd "$release/deploy/systemd" && ls ./*.timer | xargs -n1 basename)
if [ "$USE_SYSTEMD" = 1 ]; then
  say "app servers: start, or reload gracefully one after the other"
  systemctl daemon-reload
  for port in $APP_PORTS; do
    if systemctl is-active --quiet "buurtkamer@$port"; then
      systemctl reload "buurtkamer@$port"
      # The next one only when this one answers again on the new code.
      for _ in $(seq 1 30); do
        [ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$port/healthz")" != 000 ] && break
        sleep 1
      done
    else
      systemctl enable --now "buurtkamer@$port"
    fi
  done
  say "timers"
  # shellcheck disable=SC2086
  systemctl enable --now $timers
  if [ ! -f "$TLS_CERT" ]; then
    echo "no certificate at $TLS_CERT: nginx not reloaded (get one with certbot, run this again)"
  elif command -v nginx >/dev/null; then
    nginx -t && systemctl reload nginx
  fi
else
  echo "(no systemd here: start the units' commands yourself; see deploy/check.py)"
fi

say "scheduled jobs that never ran here: once now (each is safe to run again)"
manage run_job --never-run

say "old releases"
ls -1d "$APP_DIR"/releases/* | head -n -"$KEEP_RELEASES" | while read -r old; do
  [ "$old" = "$release" ] || rm -rf "$old"
done
say "done: $release"
