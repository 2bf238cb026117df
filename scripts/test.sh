#!/usr/bin/env bash
# Runs every test: installs what the tests need when missing (Debian packages, npm dependencies), builds,
# lints, type-checks, then runs Jest (unit, medium and end-to-end). Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(timekpr-next python3-dbusmock dbus openssh-server mosquitto slapd ldap-utils docker-compose systemd curl chromium)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Run as root (the end-to-end tests need root anyway)." >&2
    exit 1
  fi
  echo "Installing ${missing[*]}…"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  [ -f /usr/include/node/node.h ] && export npm_config_nodedir="${npm_config_nodedir:-/usr}"
  npm ci --no-audit --no-fund
fi

npm run build
npm run lint
npm run typecheck
if command -v docker-compose >/dev/null; then docker-compose -f docker-compose.yml config -q; fi
exec npx jest --runInBand "$@"
