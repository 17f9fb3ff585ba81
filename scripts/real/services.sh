#!/usr/bin/env bash
# The real-engine tier's services, on loopback and one private bridge only, with their state in .tools/run:
#   - dockerd on its own unix socket and data root (no TCP, no iptables, no default bridge);
#   - s3rver over TLS on 127.0.0.1 (its certificate is .tools/certs/cert.pem);
#   - a bridge network of that dockerd (REAL_NETWORK, subnet 172.30.<S3 port mod 256>.0/24, so that
#     every worktree's tier has its own), for containers that need their own network namespace
#     (stack-back finds its own container by hostname == container id), and a relay on the bridge's
#     gateway to s3rver: containers reach S3 as https://$REAL_S3_HOSTNAME:<port> (REAL_S3_BRIDGE_ENDPOINT),
#     the name added to their /etc/hosts (--add-host $REAL_S3_HOSTNAME:$REAL_S3_GATEWAY) and in the certificate.
# Source it, set a trap that calls `real_services_stop` on exit (so that a failure stops them too),
# then `real_services_start`, and use REAL_DOCKER_HOST, REAL_S3_ENDPOINT, REAL_S3_CACERT, and for
# bridged containers REAL_NETWORK, REAL_S3_GATEWAY, REAL_S3_HOSTNAME, REAL_S3_BRIDGE_ENDPOINT.
# shellcheck shell=bash

real_tools_dir() { echo "${TOOLS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools}"; }

# PATH and the docker CLI's config (for the Compose plugin) that the tools need.
real_tools_env() {
    local tools
    tools=$(real_tools_dir)
    export PATH="$tools/bin:$PATH"
    export DOCKER_CONFIG="$tools/docker-config"
}

real_services_stop() {
    local run pid
    run="$(real_tools_dir)/run"
    # The bridge network goes first, while dockerd runs: a dockerd that is killed leaves its bridge
    # behind, and a left bridge holding the same subnet takes the replies of the next run's
    # containers (seen in CI: every connection from a container to the relay timed out).
    if [[ -f "$run/dockerd.pid" ]] && kill -0 "$(cat "$run/dockerd.pid")" 2>/dev/null; then
        DOCKER_HOST="unix://$run/docker.sock" docker network rm "$REAL_NETWORK_NAME" >/dev/null 2>&1 || true
    fi
    for pid_file in "$run/relay.pid" "$run/s3rver.pid" "$run/dockerd.pid"; do
        [[ -f "$pid_file" ]] || continue
        pid=$(cat "$pid_file")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pid_file"
    done
    # dockerd leaves its default network namespace bind-mounted after it exits; a left mount
    # makes the tools folder (and a CI clone) impossible to delete.
    if mountpoint -q "$run/docker-exec/netns/default" 2>/dev/null; then
        umount "$run/docker-exec/netns/default" 2>/dev/null || true
    fi
    real_remove_bridges "$(real_subnet)"
    echo "real services stopped"
}

REAL_NETWORK_NAME="platform-backups-real"

# The tier's /24 (first three octets): 172.30.<S3 port mod 256>, so that every worktree's tier has its own.
real_subnet() { echo "172.30.$((${REAL_S3_PORT:-18443} % 256))"; }

# Deletes every network interface that holds the gateway address of subnet $1 (left bridges of a
# dockerd that did not stop cleanly). Only the tier's own 172.30.x.1 addresses are ever touched.
real_remove_bridges() {
    command -v ip >/dev/null || return 0
    local link
    for link in $(ip -o -4 addr show | awk -v a="$1.1/24" '$4 == a { print $2 }' | sort -u); do
        ip link delete "$link" 2>/dev/null && echo "removed a left bridge $link that held $1.1"
    done
    return 0
}

# Waits up to $2 seconds for command $1 (a string run by bash) to succeed.
real_wait() {
    local deadline=$((SECONDS + $2))
    until bash -c "$1" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

real_services_start() {
    local tools run port
    tools=$(real_tools_dir)
    run="$tools/run"
    real_tools_env
    real_services_stop >/dev/null
    mkdir -p "$run/docker-data" "$run/docker-exec" "$run/s3"

    export REAL_DOCKER_HOST="unix://$run/docker.sock"
    dockerd --data-root "$run/docker-data" --exec-root "$run/docker-exec" --pidfile "$run/dockerd.pid.own" \
        -H "$REAL_DOCKER_HOST" --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
        --storage-driver=vfs >"$run/dockerd.log" 2>&1 &
    echo $! >"$run/dockerd.pid"
    if ! real_wait "DOCKER_HOST=$REAL_DOCKER_HOST docker version" 60; then
        echo "dockerd did not start; its log:" >&2
        tail -n 30 "$run/dockerd.log" >&2
        return 1
    fi

    port=${REAL_S3_PORT:-18443}
    # Path-style only: a Host that is a name (the bridge name) would otherwise be taken for a bucket.
    node "$tools/s3rver/start.js" --directory "$run/s3" --address 127.0.0.1 --port "$port" \
        --key "$tools/certs/key.pem" --cert "$tools/certs/cert.pem" --no-vhost-buckets --silent >"$run/s3rver.log" 2>&1 &
    echo $! >"$run/s3rver.pid"
    export REAL_S3_ENDPOINT="127.0.0.1:$port"
    export REAL_S3_CACERT="$tools/certs/cert.pem"
    if ! real_wait "curl -fsS --cacert '$REAL_S3_CACERT' https://$REAL_S3_ENDPOINT/ -o /dev/null" 30; then
        echo "s3rver did not start; its log:" >&2
        tail -n 30 "$run/s3rver.log" >&2
        return 1
    fi

    # The bridge and the relay to s3rver on its gateway.
    local subnet net_name bridge route_dev
    subnet=$(real_subnet)
    net_name=$REAL_NETWORK_NAME
    bridge="pbr-real-$((port % 256))"
    export REAL_NETWORK=$net_name REAL_S3_GATEWAY="$subnet.1"
    REAL_S3_HOSTNAME=$(sed -n 's/^REAL_S3_HOSTNAME="\(.*\)"$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/versions.env")
    export REAL_S3_HOSTNAME REAL_S3_BRIDGE_ENDPOINT="$REAL_S3_HOSTNAME:$port"
    # A fresh network every start, on a bridge with a fixed name, after removing whatever still
    # holds the gateway address: its containers are the tier's own and are thrown away.
    local left
    left=$(DOCKER_HOST=$REAL_DOCKER_HOST docker ps -aq --filter "network=$net_name" 2>/dev/null || true)
    # shellcheck disable=SC2086 # one id per word
    [[ -z "$left" ]] || DOCKER_HOST=$REAL_DOCKER_HOST docker rm -f -v $left >/dev/null 2>&1 || true
    DOCKER_HOST=$REAL_DOCKER_HOST docker network rm "$net_name" >/dev/null 2>&1 || true
    real_remove_bridges "$subnet"
    DOCKER_HOST=$REAL_DOCKER_HOST docker network create --driver bridge --subnet "$subnet.0/24" --gateway "$REAL_S3_GATEWAY" \
        -o com.docker.network.bridge.enable_ip_masquerade=false -o com.docker.network.bridge.name="$bridge" "$net_name" >/dev/null || return 1
    # The host must route the subnet through this bridge, or the containers' connections time out.
    if command -v ip >/dev/null; then
        route_dev=$(ip -o route get "$subnet.2" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
        if [[ "$route_dev" != "$bridge" ]]; then
            echo "the host routes $subnet.0/24 through '${route_dev:-nothing}', not the tier's bridge $bridge; its routes:" >&2
            ip route >&2
            return 1
        fi
    fi
    node "$(dirname "${BASH_SOURCE[0]}")/relay.js" "$REAL_S3_GATEWAY" "$port" "$port" >"$run/relay.log" 2>&1 &
    echo $! >"$run/relay.pid"
    if ! real_wait "grep -q '^relay ' '$run/relay.log'" 10; then
        echo "the relay to s3rver did not start; its log:" >&2
        cat "$run/relay.log" >&2
        return 1
    fi
    echo "real services up: dockerd at $REAL_DOCKER_HOST, s3rver at https://$REAL_S3_ENDPOINT, bridge $net_name ($subnet.0/24) with s3rver at https://$REAL_S3_BRIDGE_ENDPOINT"
}
