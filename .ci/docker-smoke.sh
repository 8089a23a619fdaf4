#!/usr/bin/env bash
# Build the real Docker image and check that it serves: start a container,
# wait for /healthz, run the image's own HEALTHCHECK, fetch the page, POST
# one race and check that it ran from the Numba cache warmed at build time.
#
# Usage: bash .ci/docker-smoke.sh
# Needs root, curl, debootstrap and Debian's docker.io. If no Docker engine
# answers, this starts dockerd in the background and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

base_image=descentlab-base:bookworm
image=descentlab:ci
container=descentlab-smoke-$$
healthy_timeout=120
race_body='{"surface": {"id": "rosenbrock"}, "start": [-1.5, 2.0], "steps": 200,
  "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.001}}, {"id": "adam"}]}'

workdir=$(mktemp -d)
dockerd_pid=""
engine_ready=false

cleanup() {
  local rc=$?
  if docker container inspect "$container" >/dev/null 2>&1; then
    if ((rc != 0)); then
      echo "---- container logs ----" >&2
      docker logs "$container" >&2 || true
      echo "------------------------" >&2
    fi
    docker rm -f "$container" >/dev/null || true
  fi
  if [[ -n $dockerd_pid ]]; then
    if ((rc != 0)) && [[ $engine_ready == false ]]; then
      echo "---- end of dockerd log ----" >&2
      tail -n 30 "$workdir/dockerd.log" >&2 || true
    fi
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

# --- Docker engine -----------------------------------------------------------
# No service manager runs here, so start dockerd by hand. Its defaults work on
# these machines (overlay2 storage, docker0 bridge with iptables NAT), so it
# takes no flags.
if timeout 20 docker info >/dev/null 2>&1; then
  echo "Docker engine already running."
else
  echo "Starting dockerd (log: $workdir/dockerd.log)."
  dockerd >"$workdir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for ((i = 0; i < 60; i++)); do
    if timeout 5 docker info >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      echo "dockerd exited while starting." >&2
      exit 1
    fi
    sleep 1
  done
  timeout 5 docker info >/dev/null 2>&1 || {
    echo "dockerd did not answer within 60 s." >&2
    exit 1
  }
  echo "dockerd answers after ${i} s."
fi
engine_ready=true

# --- Base image (debootstrap, cached between runs) ----------------------------
bash .ci/build-base.sh "$base_image"

# --- Project image -------------------------------------------------------------
previous_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
start=$SECONDS
docker build --build-arg BASE="$base_image" -t "$image" .
echo "docker build took $((SECONDS - start)) s"
# Drop the image this build replaced, so repeated runs do not fill the disk.
current_id=$(docker image inspect --format '{{.Id}}' "$image")
if [[ -n $previous_id && $previous_id != "$current_id" ]]; then
  docker rmi "$previous_id" >/dev/null 2>&1 || true
fi

# --- Run it ---------------------------------------------------------------------
# Publish port 8000 on a free loopback port chosen by Docker.
docker run -d --name "$container" -p 127.0.0.1::8000 "$image" >/dev/null
base_url="http://$(docker port "$container" 8000/tcp | head -n 1)"
echo "Container $container serves on $base_url"

start=$SECONDS
until curl -fsS --max-time 3 -o /dev/null "$base_url/healthz" 2>/dev/null; do
  if [[ $(docker container inspect --format '{{.State.Running}}' "$container") != true ]]; then
    echo "The container stopped before answering /healthz." >&2
    exit 1
  fi
  if ((SECONDS - start >= healthy_timeout)); then
    echo "/healthz did not answer within $healthy_timeout s." >&2
    exit 1
  fi
  sleep 1
done
echo "/healthz answered $((SECONDS - start)) s after start."

# The image's HEALTHCHECK command, run inside the container as Docker would.
mapfile -t healthcheck < <(docker image inspect \
  --format '{{range slice .Config.Healthcheck.Test 1}}{{println .}}{{end}}' "$image")
docker exec "$container" "${healthcheck[@]}"
echo "The image's HEALTHCHECK passes."

# The web page: the frontend ships outside the Python packages.
page_type=$(curl -fsS --max-time 10 -o /dev/null -w '%{content_type}' "$base_url/")
if [[ $page_type != text/html* ]]; then
  echo "GET / answered $page_type, not an HTML page." >&2
  exit 1
fi
echo "GET / serves the web page."

uid=$(docker exec "$container" id -u)
if [[ $uid != 10001 ]]; then
  echo "The server runs as uid $uid, not 10001." >&2
  exit 1
fi

# --- One race -------------------------------------------------------------------
start=$SECONDS
status=$(curl -sS --max-time 120 -o "$workdir/race.json" -w '%{http_code}' \
  -H 'Content-Type: application/json' -d "$race_body" "$base_url/api/v1/races")
if [[ $status != 200 ]]; then
  echo "POST /api/v1/races answered HTTP $status:" >&2
  head -c 2000 "$workdir/race.json" >&2
  exit 1
fi
python3 - "$workdir/race.json" <<'EOF'
import json
import sys

with open(sys.argv[1], "rb") as f:
    body = json.load(f)
if not isinstance(body, dict):
    sys.exit(f"POST /api/v1/races answered a JSON {type(body).__name__}, not an object")
print(f"POST /api/v1/races: 200, JSON object with keys {sorted(body)}")
EOF
echo "The race took $((SECONDS - start)) s."

# Numba writes to its cache only when it compiles, so a race served from the
# cache warmed at build time leaves the container's copy of it unchanged.
numba_cache=$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" |
  sed -n 's/^NUMBA_CACHE_DIR=//p')
if [[ -z $numba_cache ]]; then
  echo "The image sets no NUMBA_CACHE_DIR." >&2
  exit 1
fi
compiled=$(docker diff "$container" | grep " $numba_cache/" || true)
if [[ -n $compiled ]]; then
  echo "The race compiled Numba code: the cache warmed at build time was not used." >&2
  head -n 20 <<<"$compiled" >&2
  exit 1
fi
echo "The race ran from the warm Numba cache in $numba_cache."
echo "Docker smoke test passed."
