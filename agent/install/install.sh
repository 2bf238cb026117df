#!/bin/sh
# Kidtime agent installer. The Kidtime hub serves this file at /install.sh?code=CODE with its own address, the
# one-time enrollment code and the systemd unit filled in, for a parent to run on a child's PC:
#
#   curl -fsSL 'http://HUB:8080/install.sh?code=CODE' | sudo sh
#
# It checks the PC (Linux, root, Node.js 18 or newer, Timekpr-nExT), installs the agent under /usr/local, enrolls
# the PC with the hub, writes the kidtime-agent systemd unit, then enables and starts it. Every step is printed,
# and running it again upgrades the agent in place. Remove everything with: sudo kidtime-agent uninstall
#
# Options, as environment variables given to sudo (`... | sudo KIDTIME_INSTALL_NODE=1 sh`):
#   KIDTIME_INSTALL_NODE=1  install Debian's nodejs with apt-get when Node.js 18 or newer is missing
#   KIDTIME_REENROLL=1      enroll again with this code although the PC is already enrolled
#   KIDTIME_TIMEKPRA=PATH   where timekpra is, when not /usr/bin/timekpra (the agent is configured to run it)
#   KIDTIME_TRANSPORT=mqtt  talk to the hub over its MQTT broker instead of socket.io (default: ws)
#   KIDTIME_ROOT=DIR        install into DIR instead of / and leave systemd alone (for tests: the files keep the
#                           real paths such as /usr/local/bin/kidtime-agent inside them)
#
# POSIX sh (it runs under dash as `sh`). Everything happens in kidtime_install, called on the very last line, so
# a download cut short runs nothing.
set -eu

LIB_DIR=/usr/local/lib/kidtime
BUNDLE=$LIB_DIR/kidtime-agent.cjs
WRAPPER=/usr/local/bin/kidtime-agent
CONFIG_DIR=/etc/kidtime
CONFIG=$CONFIG_DIR/agent.json
STATE_DIR=/var/lib/kidtime
UNIT_NAME=kidtime-agent.service
UNIT=/etc/systemd/system/$UNIT_NAME
STEP='starting'
FAILED=

say() { printf 'kidtime: %s\n' "$*"; }
step() {
  STEP=$*
  printf '\n==> %s\n' "$*"
}
# Prints a command, then runs it.
run() {
  printf '  $ %s\n' "$*"
  "$@"
}
# fail MESSAGE [WHAT TO DO...]: says what went wrong and exactly what to do, then stops.
fail() {
  FAILED=1
  printf '\nkidtime: ERROR: %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}
on_exit() {
  status=$?
  if [ "$status" -ne 0 ] && [ -z "$FAILED" ]; then
    printf '\nkidtime: ERROR: the installation stopped while %s (exit status %s); the messages above say why.\n' \
      "$STEP" "$status" >&2
    printf '  Fix that and run the same command again: it is safe to repeat.\n' >&2
  fi
}

# The unit file, filled in by the hub from agent/systemd/kidtime-agent.service.
write_unit() {
  cat <<'KIDTIME_UNIT_END'
__KIDTIME_UNIT__
KIDTIME_UNIT_END
}

# Sets NODE to the first node (or nodejs) of version 18 or newer on PATH; NODE_SEEN describes a rejected one.
find_node() {
  NODE=
  NODE_SEEN=
  for name in node nodejs; do
    candidate=$(command -v "$name" 2>/dev/null || true)
    case $candidate in
      '') continue ;;
      /home/* | /root/*)
        NODE_SEEN="$candidate (in a home directory, which the service is not allowed to read)"
        continue
        ;;
      /*[!A-Za-z0-9/._+-]* | [!/]*)
        NODE_SEEN="$candidate (an unusual path)"
        continue
        ;;
    esac
    major=$("$candidate" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)
    case $major in '' | *[!0-9]*) major=0 ;; esac
    if [ "$major" -ge 18 ]; then
      NODE=$candidate
      return 0
    fi
    NODE_SEEN="$candidate, version $("$candidate" --version 2>/dev/null || echo unknown)"
  done
  return 1
}

kidtime_install() {
  HUB=__KIDTIME_HUB__
  CODE=__KIDTIME_CODE__
  if [ "${HUB#__KIDTIME}" != "$HUB" ]; then
    fail 'This is the installer template, not a script from a hub.' \
      "Get the install command from Kidtime (Devices, Add a PC): curl -fsSL 'http://HUB:8080/install.sh?code=CODE' | sudo sh"
  fi
  INSTALL_URL="$HUB/install.sh?code=$CODE"
  ROOT=${KIDTIME_ROOT:-}
  ROOT=${ROOT%/}
  case $ROOT in
    '' | /*) ;;
    *) fail "KIDTIME_ROOT must be an absolute path (it is \"$ROOT\")." ;;
  esac
  trap on_exit EXIT
  say "installing the Kidtime agent from $HUB${ROOT:+ into $ROOT}"

  step 'checking this PC'
  system=$(uname -s)
  [ "$system" = Linux ] || fail "The Kidtime agent runs on Linux only; this is $system."
  say "system: Linux $(uname -r) ($(uname -m))"
  [ "$(id -u)" -eq 0 ] || fail 'The installer must run as root.' "Run:  curl -fsSL '$INSTALL_URL' | sudo sh"
  say 'running as root'

  if ! find_node; then
    seen=${NODE_SEEN:-none}
    if ! command -v apt-get >/dev/null 2>&1; then
      fail "Node.js 18 or newer is needed (found: $seen)." \
        "Install it with your distribution's package manager (package nodejs) or from https://nodejs.org," \
        'then run the installer again.'
    elif [ "${KIDTIME_INSTALL_NODE:-}" != 1 ]; then
      fail "Node.js 18 or newer is needed (found: $seen)." \
        'Install it with:  sudo apt-get install -y nodejs' \
        'then run the installer again, or let the installer do it:' \
        "  curl -fsSL '$INSTALL_URL' | sudo KIDTIME_INSTALL_NODE=1 sh"
    elif [ -n "$ROOT" ]; then
      fail "Node.js 18 or newer is needed (found: $seen); not installing packages into the real system while KIDTIME_ROOT is set."
    fi
    step "installing Debian's nodejs (KIDTIME_INSTALL_NODE=1)"
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs
    find_node || fail "The nodejs package of this system is older than Node.js 18 (found: ${NODE_SEEN:-none})." \
      'Install Node.js 18 or newer from https://nodejs.org (or NodeSource), then run the installer again.'
  fi
  say "Node.js: $NODE ($("$NODE" --version))"

  TRANSPORT=${KIDTIME_TRANSPORT:-ws}
  case $TRANSPORT in
    ws | mqtt) ;;
    *) fail "KIDTIME_TRANSPORT must be ws or mqtt (it is \"$TRANSPORT\")." ;;
  esac

  TIMEKPRA=${KIDTIME_TIMEKPRA:-/usr/bin/timekpra}
  case $TIMEKPRA in
    /*) ;;
    *) fail "KIDTIME_TIMEKPRA must be an absolute path (it is \"$TIMEKPRA\")." ;;
  esac
  if [ ! -x "$TIMEKPRA" ]; then
    if command -v apt-get >/dev/null 2>&1; then
      fail "Timekpr-nExT is not installed ($TIMEKPRA is missing); Kidtime needs it to enforce the limits." \
        'Install it with:  sudo apt-get install -y timekpr-next' \
        'then run the installer again.'
    fi
    fail "Timekpr-nExT is not installed ($TIMEKPRA is missing); Kidtime needs it to enforce the limits." \
      'Install it from https://launchpad.net/timekpr-next, then run the installer again.'
  fi
  say "Timekpr-nExT: $TIMEKPRA"

  if command -v curl >/dev/null 2>&1; then
    download() { curl -fsSL --retry 2 -o "$2" "$1"; }
  elif command -v wget >/dev/null 2>&1; then
    download() { wget -q -O "$2" "$1"; }
  else
    fail 'Neither curl nor wget is installed.' 'Install one with:  sudo apt-get install -y curl' \
      'then run the installer again.'
  fi

  step "installing the agent to $ROOT$BUNDLE"
  umask 022
  run mkdir -p "$ROOT$LIB_DIR" "$ROOT/usr/local/bin"
  chown root:root "$ROOT$LIB_DIR"
  chmod 0755 "$ROOT$LIB_DIR"
  download_to="$ROOT$BUNDLE.new"
  say "downloading $HUB/downloads/kidtime-agent.cjs"
  if ! download "$HUB/downloads/kidtime-agent.cjs" "$download_to"; then
    rm -f "$download_to"
    fail "Could not download the agent from $HUB/downloads/kidtime-agent.cjs." \
      "Check that this PC reaches the hub (curl -I '$HUB/api/health') and run the installer again."
  fi
  if ! version=$("$NODE" "$download_to" --version 2>&1); then
    rm -f "$download_to"
    fail "The downloaded agent does not run with $NODE: $version" \
      'Make sure Node.js 18 or newer is installed, then run the installer again.'
  fi
  chmod 0644 "$download_to"
  mv -f "$download_to" "$ROOT$BUNDLE"
  say "kidtime-agent $version installed"
  printf '#!/bin/sh\n# Installed by the Kidtime installer; remove with: kidtime-agent uninstall\nexec %s %s "$@"\n' \
    "$NODE" "$BUNDLE" >"$ROOT$WRAPPER.new"
  chmod 0755 "$ROOT$WRAPPER.new"
  mv -f "$ROOT$WRAPPER.new" "$ROOT$WRAPPER"
  say "command installed: $ROOT$WRAPPER"

  step 'enrolling this PC with the hub'
  run mkdir -p "$ROOT$CONFIG_DIR" "$ROOT$STATE_DIR"
  chown root:root "$ROOT$CONFIG_DIR" "$ROOT$STATE_DIR"
  chmod 0700 "$ROOT$CONFIG_DIR" "$ROOT$STATE_DIR"
  if [ -e "$ROOT$CONFIG" ] && [ "${KIDTIME_REENROLL:-}" != 1 ]; then
    say "this PC is already enrolled ($ROOT$CONFIG exists): keeping it; the code was not used."
    say "To enroll it again with this code:  curl -fsSL '$INSTALL_URL' | sudo KIDTIME_REENROLL=1 sh"
  else
    # The code goes in the environment, not on the command line: other users on this PC can read any
    # process's command line (/proc/PID/cmdline), but not root's environment.
    KIDTIME_ENROLL_CODE=$CODE
    export KIDTIME_ENROLL_CODE
    set -- "$NODE" "$ROOT$BUNDLE" enroll --hub "$HUB" --config "$ROOT$CONFIG" --transport "$TRANSPORT"
    [ "${KIDTIME_REENROLL:-}" != 1 ] || set -- "$@" --force
    if ! run "$@"; then
      fail 'The hub did not enroll this PC (the reason is printed above).' \
        'If the code was used or has expired, create a new one in Kidtime (Devices, Add a PC) and run its command.'
    fi
  fi
  if [ "$TIMEKPRA" != /usr/bin/timekpra ]; then
    say "configuring the agent to run $TIMEKPRA"
    "$NODE" -e 'const fs = require("fs"); const [file, timekpra] = process.argv.slice(1);
      const config = JSON.parse(fs.readFileSync(file, "utf8")); config.timekpraPath = timekpra;
      fs.writeFileSync(file + ".new", JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
      fs.renameSync(file + ".new", file);' "$ROOT$CONFIG" "$TIMEKPRA"
  fi
  chown root:root "$ROOT$CONFIG"
  chmod 0600 "$ROOT$CONFIG"

  step "writing the systemd unit $ROOT$UNIT"
  run mkdir -p "$ROOT/etc/systemd/system"
  write_unit >"$ROOT$UNIT.new"
  chmod 0644 "$ROOT$UNIT.new"
  mv -f "$ROOT$UNIT.new" "$ROOT$UNIT"

  if [ -n "$ROOT" ]; then
    step "not starting anything (KIDTIME_ROOT=$ROOT)"
    say "run the agent from these files with:  $NODE $ROOT$BUNDLE run --config $ROOT$CONFIG"
  elif [ -d /run/systemd/system ]; then
    step "starting the $UNIT_NAME service"
    run systemctl daemon-reload
    run systemctl enable "$UNIT_NAME"
    # restart, not start: when the installer runs again it upgrades a running agent.
    run systemctl restart "$UNIT_NAME"
    sleep 3
    systemctl --no-pager --lines=5 status "$UNIT_NAME" || true
    if ! systemctl is-active --quiet "$UNIT_NAME"; then
      fail "The $UNIT_NAME service did not stay up." 'See why with:  sudo journalctl -u kidtime-agent -n 50'
    fi
  else
    step 'systemd is not running on this PC'
    say "start the agent as root yourself (and at every boot):  $WRAPPER run"
  fi

  step 'checking the agent'
  if ! "$NODE" "$ROOT$BUNDLE" status --config "$ROOT$CONFIG"; then
    say 'warning: the agent cannot reach Timekpr-nExT or the hub yet (see above).'
    say 'If timekpr is not running: sudo systemctl restart timekpr. Check again with: sudo kidtime-agent status'
  fi

  step 'done'
  say 'This PC shows up in Kidtime as online within a few seconds.'
  say "Status: sudo kidtime-agent status    Logs: sudo journalctl -u kidtime-agent    Remove: sudo kidtime-agent uninstall"
}

kidtime_install "$@"
