#!/usr/bin/env bash
# Runs the five benchmarks (and the burst profile) one after another, ours beside the Flask peer.
#   bench/all.sh            full sizes; output also saved to bench/results/<UTC date>-full.txt
#   bench/all.sh --quick    small sizes and short runs, to check the suite works (nothing saved)
# Other options (--no-peer, --keep) are passed to every benchmark. Needs: npm run build (dist/),
# Debian's wrk and hyperfine, and for the peer python3-flask gunicorn python3-apscheduler apprise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quick=false
for a in "$@"; do [ "$a" = --quick ] && quick=true; done

run_all() {
  echo "# sync-webhook benchmark suite, bench/all.sh $*"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname)"
  echo "# NOTE: a shared 2-core machine: other work (test suites, builds) may have been running during this run,"
  echo "# so absolute figures are noisy; ours and the peer ran back to back in the same run."
  for b in burst copy start-delay history memory profile-burst; do
    node "bench/$b.mjs" "$@" || echo "!! bench/$b.mjs failed (exit $?)"
    export BENCH_HEADER_PRINTED=1
  done
  echo
  echo "# finished $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# One snapshot of dist/ for every benchmark, so a rebuild by someone else mid-run changes nothing;
# package.json beside it, as in the repository (the service reads its version from it).
[ -f dist/main.js ] || { echo "dist/main.js missing: run npm run build" >&2; exit 1; }
mkdir -p bench/.work
snap=$(mktemp -d bench/.work/build-all.XXXXXX)
trap 'rm -rf "$snap"' EXIT
cp -rp dist "$snap/dist"
cp -p package.json "$snap/"
export BENCH_MAIN_JS="$PWD/$snap/dist/main.js"

if $quick; then
  run_all "$@"
else
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-full.txt"
  run_all "$@" 2>&1 | tee "$out"
  echo "saved to $out"
fi
