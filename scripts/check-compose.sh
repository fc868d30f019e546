#!/usr/bin/env bash
# Validates docker-compose.yml with whichever Compose client exists (no engine needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet && echo "docker compose config: docker-compose.yml is valid"
elif command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config --quiet && echo "docker-compose config: docker-compose.yml is valid"
else
  echo "SKIPPED compose config check: no docker compose / docker-compose client on this machine"
fi
