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
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in docker pulumi npm; do
    command -v "$tool" >/dev/null || { echo "dev/up.sh: $tool is not installed" >&2; exit 1; }
done

COMPOSE=(docker compose -f dev/compose.yaml)

# The fixed dev credentials of dev/compose.yaml (tests/devCompose.test.ts keeps them in sync).
export MINIO_USER=minioadmin
export MINIO_PASSWORD=minioadmin-dev-only
export VAULT_TOKEN=dev-root-token
export VAULT_ADDR=http://127.0.0.1:8200

mkdir -p .pulumi
export PULUMI_BACKEND_URL="file://$PWD/.pulumi" # same as `pulumi login file://./.pulumi`, for this shell only
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-dev-only-passphrase}"

if [[ "${1:-}" == "down" ]]; then
    pulumi destroy --stack dev --yes || true # buckets are retainOnDelete; the volume removal below drops them
    "${COMPOSE[@]}" down -v
    exit 0
fi

"${COMPOSE[@]}" up -d --wait

# Pulumi.dev.yaml reaches MinIO through the default bridge's gateway; warn when this engine differs.
endpoint_host=$(sed -n 's/^ *endpoint: *\([^: #]*\).*/\1/p' Pulumi.dev.yaml | head -n 1)
gateway=$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}' 2>/dev/null || true)
if [[ -n "$gateway" && "$gateway" != "$endpoint_host" ]]; then
    echo "dev/up.sh: the default bridge gateway here is $gateway, Pulumi.dev.yaml uses $endpoint_host." >&2
    echo "  Set it with: pulumi config set --path 'minio.endpoint' $gateway:9000 --stack dev" >&2
    echo "  (Docker Desktop: see docs/environments.md, Local development)" >&2
fi

[[ -d policy/node_modules ]] || npm ci --no-audit --no-fund --prefix policy
[[ -d node_modules ]] || { echo "dev/up.sh: run npm ci first" >&2; exit 1; }

pulumi stack select --create dev
pulumi up --stack dev --policy-pack policy "$@"
