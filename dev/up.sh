#!/usr/bin/env bash
# Local development: start MinIO, Vault (dev mode) and a demo Postgres with dev/compose.yaml, then
# `pulumi up` the "dev" stack (Pulumi.dev.yaml) against them, with the policy pack.
#
#   npm run dev                 # compose up, then pulumi up (asks before changing anything)
#   npm run dev -- --yes        # extra arguments go to `pulumi up`
#   bash dev/up.sh down         # pulumi destroy, then compose down -v (drops all dev data)
#
# State lives in ./.pulumi (a local file backend, git-ignored): no Pulumi Cloud login is needed and
# your global `pulumi login` is left alone (PULUMI_BACKEND_URL applies to this script only).
# The work tree stays clean: Pulumi.dev.yaml carries the encryptionsalt of the fixed dev passphrase
# below, so `pulumi stack select --create dev` has nothing to write there. docs/dev.md has the caveats.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every prerequisite is checked before anything starts; each missing one is named with its fix.
missing=()
command -v pulumi >/dev/null || missing+=("the Pulumi CLI (pulumi): install it with 'curl -fsSL https://get.pulumi.com | sh' (https://www.pulumi.com/docs/install/)")
# pulumi up runs the program on this Node: @pulumi/pulumi requires 22 or newer (its engines field).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=("Node.js 22 or newer with npm (node, npm): install it from https://nodejs.org/")
elif (($(node -p 'process.versions.node.split(".")[0]') < 22)); then
    missing+=("Node.js 22 or newer (node): found $(node --version), but pulumi up runs the program on it and @pulumi/pulumi requires 22+; install it from https://nodejs.org/ or with nvm")
fi
if ! command -v docker >/dev/null; then
    missing+=("Docker (docker): install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop")
elif ! docker compose version >/dev/null 2>&1; then
    # Without the v2 plugin, `docker compose -f ...` fails with "unknown shorthand flag: 'f' in -f".
    missing+=("Docker Compose v2 (the 'docker compose' plugin; docker-compose v1 does not do): install the docker-compose-plugin package (https://docs.docker.com/compose/install/linux/)")
fi
if ((${#missing[@]} > 0)); then
    echo "dev/up.sh: missing prerequisites:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi

[[ -d node_modules ]] || { echo "dev/up.sh: run 'npm ci' in $PWD first" >&2; exit 1; }

COMPOSE=(docker compose -f dev/compose.yaml)

# The fixed dev credentials of dev/compose.yaml (tests/devCompose.test.ts keeps them in sync).
export MINIO_USER=minioadmin
export MINIO_PASSWORD=minioadmin-dev-only
export VAULT_TOKEN=dev-root-token
export VAULT_ADDR=http://127.0.0.1:8200

mkdir -p .pulumi
export PULUMI_BACKEND_URL="file://$PWD/.pulumi" # same as `pulumi login file://./.pulumi`, for this shell only
# Fixed: the encryptionsalt committed in Pulumi.dev.yaml belongs to this passphrase and no other.
export PULUMI_CONFIG_PASSPHRASE=dev-only-passphrase
unset PULUMI_CONFIG_PASSPHRASE_FILE

if [[ "${1:-}" == "down" ]]; then
    pulumi destroy --stack dev --yes || true # buckets are retainOnDelete; the volume removal below drops them
    "${COMPOSE[@]}" down -v
    exit 0
fi

# MinIO is published on the default bridge's gateway only (dev/compose.yaml), and Pulumi.dev.yaml
# reaches it there; on an engine with another gateway, compose would fail to bind: say so first.
endpoint_host=$(sed -n 's/^ *endpoint: *\([^: #]*\).*/\1/p' Pulumi.dev.yaml | head -n 1)
gateway=$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}' 2>/dev/null || true)
if [[ -n "$gateway" && "$gateway" != "$endpoint_host" ]]; then
    echo "dev/up.sh: the default bridge gateway here is $gateway; dev/compose.yaml and Pulumi.dev.yaml use $endpoint_host." >&2
    echo "  Replace $endpoint_host with $gateway in both files (see docs/dev.md, \"Another bridge address\")." >&2
    exit 1
fi

"${COMPOSE[@]}" up -d --wait

[[ -d policy/node_modules ]] || npm ci --no-audit --no-fund --prefix policy

pulumi stack select --create dev
pulumi up --stack dev --policy-pack policy "$@"
