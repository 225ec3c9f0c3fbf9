#!/bin/sh
# Installs (or upgrades) Anju's anjud and anjuctl on Raspberry Pi OS (arm64) or Debian 12, from a
# prebuilt tree. Run as root:   sh packaging/install.sh
# Into a staging root instead (no users, no systemctl, nothing on this machine changes):
#   sh packaging/install.sh --root /tmp/rootfs        (or DESTDIR=/tmp/rootfs sh packaging/install.sh)
# Idempotent: run it again for an upgrade. It keeps /etc/anju/anju.yaml and /var/lib/anju (the
# database migrates itself when the new anjud starts) and restarts anjud if it was running.
# Details, and how to build the tree it expects: packaging/README.md.
set -eu

usage() {
  cat <<'EOF'
usage: install.sh [--root DIR] [--source DIR] [--no-enable]
  --root DIR     install below DIR (also: DESTDIR=DIR); skips users, groups, systemctl and udevadm
  --source DIR   the prebuilt tree (default: the checkout this script is in)
  --no-enable    do not enable anjud.service (live installs only)
EOF
}

ROOT="${DESTDIR:-}"
SOURCE=""
ENABLE=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || { usage >&2; exit 2; }; ROOT="$2"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --source) [ $# -ge 2 ] || { usage >&2; exit 2; }; SOURCE="$2"; shift 2 ;;
    --source=*) SOURCE="${1#--source=}"; shift ;;
    --no-enable) ENABLE=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

if [ -z "$SOURCE" ]; then SOURCE="$(cd "$(dirname "$0")/.." && pwd)"; fi
SOURCE="$(cd "$SOURCE" && pwd)" || die "no such source directory: $SOURCE"
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT="$(cd "$ROOT" && pwd)"
  [ "$ROOT" != "/" ] || ROOT=""
fi
LIVE=yes
[ -z "$ROOT" ] || LIVE=no

# Paths on the target (the unit and the config's defaults name these; keep them in step).
APP=/usr/lib/anju
UNIT_DIR=/usr/lib/systemd/system
UDEV_DIR=/usr/lib/udev/rules.d
CONF_DIR=/etc/anju
STATE_DIR=/var/lib/anju

if [ "$LIVE" = yes ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo sh $0), or give --root DIR to install into a staging directory"
fi

# --- The tree to install: built, with its production dependencies --------------------------------
for f in package.json dist/src/daemon/anjud.js dist/src/cli/anjuctl.js node_modules/better-sqlite3/package.json \
         systemd/anjud.service systemd/99-anju-serial.rules config/anju.example.yaml; do
  [ -e "$SOURCE/$f" ] || die "$SOURCE/$f is missing: install.sh needs a built tree with its dependencies (npm ci && npm run build && npm prune --omit=dev; see packaging/README.md)"
done
if [ -d "$SOURCE/node_modules/typescript" ]; then
  say "note: $SOURCE/node_modules holds development dependencies too; 'npm prune --omit=dev' first makes the install smaller"
fi

# Live installs need Node.js 24 or newer on PATH as 'node' (anjud.js starts with #!/usr/bin/env node;
# better-sqlite3 13 needs Node-API 10, which Node 20 lacks). The tree carries the Node 24 that npm ci
# installed for its architecture (node_modules/.bin/node); docs/operations.md, "Runtime".
check_node() {
  command -v node >/dev/null 2>&1 || { echo "no 'node' on PATH"; return 1; }
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 24 ] 2>/dev/null || { echo "node $(node --version 2>/dev/null) is older than 24"; return 1; }
}
if [ "$LIVE" = yes ]; then
  hint="install Node.js 24 first"
  [ ! -x "$SOURCE/node_modules/.bin/node" ] || hint="install the tree's own Node.js 24 first: install -m 0755 $SOURCE/node_modules/.bin/node /usr/local/bin/node"
  problem="$(check_node)" || die "$problem: $hint"
fi

# --- User and groups ---------------------------------------------------------------------------
if [ "$LIVE" = yes ]; then
  getent group anju >/dev/null || { groupadd --system anju; say "created group anju"; }
  if ! getent passwd anju >/dev/null; then
    useradd --system --gid anju --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
      --comment "Anju gateway daemon" anju
    say "created system user anju (no login)"
  fi
  # The unit's SupplementaryGroups=dialout bluetooth fails the start if a group is missing; bluez
  # creates "bluetooth", but a hub without BLE may not have bluez installed.
  getent group dialout >/dev/null || groupadd --system dialout
  getent group bluetooth >/dev/null || { groupadd --system bluetooth; say "created group bluetooth (bluez is not installed)"; }
  # Also in /etc/group, for tools that look there rather than at the process (older dbus-daemon
  # policies, a technician running anjud by hand as anju).
  usermod -a -G dialout,bluetooth anju
else
  say "skipping users and groups (--root): on the target create group and user anju (system, no login) and add anju to dialout and bluetooth"
fi

# chown only where the owner exists: a staging root has no anju user.
own() { # own OWNER:GROUP PATH...
  if [ "$LIVE" = yes ]; then chown "$@"; fi
}

# --- The application: copied whole, then swapped in (a half-copied tree never runs) -------------
mkdir -p "$ROOT/usr/lib" "$ROOT/usr/bin"
NEW="$ROOT$APP.new"
rm -rf "$NEW"
mkdir -p "$NEW/docs" "$NEW/systemd"
cp -R "$SOURCE/package.json" "$SOURCE/dist" "$SOURCE/node_modules" "$SOURCE/config" "$NEW/"
[ ! -f "$SOURCE/package-lock.json" ] || cp "$SOURCE/package-lock.json" "$NEW/"
[ ! -f "$SOURCE/docs/operations.md" ] || cp "$SOURCE/docs/operations.md" "$NEW/docs/"
cp "$SOURCE/systemd/anjud.service" "$SOURCE/systemd/99-anju-serial.rules" "$NEW/systemd/"
chmod 0755 "$NEW/dist/src/daemon/anjud.js" "$NEW/dist/src/cli/anjuctl.js"
# Code is root's and read-only to the daemon: a compromised anjud cannot rewrite itself.
chmod -R u+rwX,go+rX,go-w "$NEW"
if [ "$(id -u)" -eq 0 ]; then chown -R 0:0 "$NEW"; fi

# The native modules (better-sqlite3, serialport) must match this machine's CPU and Node.js: a tree
# built on x86_64 or for another Node major fails here, before it replaces a working install.
if [ "$LIVE" = yes ]; then
  if ! (cd "$NEW" && node -e "new (require('better-sqlite3'))(':memory:').close(); require('@serialport/bindings-cpp')" 2>&1); then
    rm -rf "$NEW"
    die "the native modules in $SOURCE/node_modules do not load here ($(uname -m), node $(node --version)); build the tree on an $(uname -m) machine with the same Node.js major (packaging/README.md)"
  fi
fi

if [ -d "$ROOT$APP" ]; then
  rm -rf "$ROOT$APP.old"
  mv "$ROOT$APP" "$ROOT$APP.old"
  mv "$NEW" "$ROOT$APP"
  rm -rf "$ROOT$APP.old"
  say "upgraded $APP"
else
  mv "$NEW" "$ROOT$APP"
  say "installed $APP"
fi
# Relative links, so they also resolve inside a staging root.
ln -sfn ../lib/anju/dist/src/daemon/anjud.js "$ROOT/usr/bin/anjud"
ln -sfn ../lib/anju/dist/src/cli/anjuctl.js "$ROOT/usr/bin/anjuctl"

# --- Unit and udev rules (vendor locations: local changes go to /etc and survive upgrades) ------
mkdir -p "$ROOT$UNIT_DIR" "$ROOT$UDEV_DIR"
cp "$SOURCE/systemd/anjud.service" "$ROOT$UNIT_DIR/anjud.service"
chmod 0644 "$ROOT$UNIT_DIR/anjud.service"
cp "$SOURCE/systemd/99-anju-serial.rules" "$ROOT$UDEV_DIR/99-anju-serial.rules"
chmod 0644 "$ROOT$UDEV_DIR/99-anju-serial.rules"
# An older install copied the unit to /etc/systemd/system, which would hide this one.
if [ -f "$ROOT/etc/systemd/system/anjud.service" ]; then
  say "warning: $ROOT/etc/systemd/system/anjud.service overrides $UNIT_DIR/anjud.service; remove it unless you mean to (use 'systemctl edit anjud' for local changes)"
fi

# --- Config and state ---------------------------------------------------------------------------
# /etc/anju: root-owned, group anju may write (the cloud's set-config replaces anju.yaml there).
mkdir -p "$ROOT$CONF_DIR"
chmod 0770 "$ROOT$CONF_DIR"
own root:anju "$ROOT$CONF_DIR"
FRESH_CONFIG=no
if [ -e "$ROOT$CONF_DIR/anju.yaml" ]; then
  say "kept $CONF_DIR/anju.yaml"
else
  cp "$SOURCE/config/anju.example.yaml" "$ROOT$CONF_DIR/anju.yaml"
  chmod 0640 "$ROOT$CONF_DIR/anju.yaml"
  own root:anju "$ROOT$CONF_DIR/anju.yaml"
  FRESH_CONFIG=yes
  say "installed the example config as $CONF_DIR/anju.yaml: edit it (hub.id, uplink, devices) before starting anjud"
fi
# systemd creates /var/lib/anju itself (StateDirectory=); creating it here lets `anjud` also run by hand.
mkdir -p "$ROOT$STATE_DIR"
chmod 0750 "$ROOT$STATE_DIR"
own anju:anju "$ROOT$STATE_DIR"

# --- systemd and udev ---------------------------------------------------------------------------
if [ "$LIVE" = no ]; then
  say "skipping systemctl daemon-reload/enable and udevadm (--root): on the target run 'systemctl daemon-reload && systemctl enable anjud'"
  say "done: installed into $ROOT"
  exit 0
fi

if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
  udevadm control --reload || say "warning: udevadm control --reload failed"
  udevadm trigger --action=add --subsystem-match=tty || say "warning: udevadm trigger failed"
else
  say "skipping udevadm (udev is not running here); the rules apply from the next boot"
fi

# /run/systemd/system exists only when systemd is PID 1 (sd_booted(3)): not in a chroot or container.
if [ ! -d /run/systemd/system ]; then
  say "skipping systemctl (systemd is not running here): 'systemctl enable anjud' on the booted system"
  say "done"
  exit 0
fi
systemctl daemon-reload
if [ "$ENABLE" = yes ]; then systemctl enable anjud.service; fi

if [ "$FRESH_CONFIG" = yes ]; then
  say "done. Next: edit $CONF_DIR/anju.yaml, check it with 'anjud --check-config $CONF_DIR/anju.yaml', then 'systemctl start anjud'"
  exit 0
fi
# Upgrade: the new version must accept the config in force before it replaces the running one.
if ! /usr/bin/anjud --check-config "$CONF_DIR/anju.yaml"; then
  say "warning: the new version rejects $CONF_DIR/anju.yaml (above); anjud was not restarted. Fix the config, then 'systemctl restart anjud'"
  exit 1
fi
if systemctl is-active --quiet anjud.service; then
  systemctl restart anjud.service
  say "restarted anjud (it migrates the database on start)"
else
  say "anjud is not running; start it with 'systemctl start anjud'"
fi
say "done"
