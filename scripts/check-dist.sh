#!/usr/bin/env bash
# The production entry point as the image runs it: `npm run build`, then
# `node dist/main.js` (embedded default) must answer /readyz and serve the playground.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npm run build --silent
test -f dist/main.js || { echo "dist/main.js missing after npm run build"; exit 1; }
test -f dist/sandbox/sandbox.main.js || { echo "dist/sandbox/sandbox.main.js missing after npm run build"; exit 1; }
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log=$(mktemp)
PORT=$port LOG_FORMAT=json node dist/main.js >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 50); do
  if node -e "fetch('http://127.0.0.1:$port/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    node -e "fetch('http://127.0.0.1:$port/').then(r => r.text()).then(t => process.exit(t.includes('/playground/graphiql.min.js') ? 0 : 1))" \
      || { echo "dist/main.js: GET / has no playground"; exit 1; }
    kill -TERM $pid; wait $pid || true
    echo "dist/main.js: built, ready on /readyz, playground on /"
    exit 0
  fi
  kill -0 $pid 2>/dev/null || { echo "dist/main.js exited:"; cat "$log"; exit 1; }
  sleep 0.2
done
echo "dist/main.js not ready within 10 s:"; cat "$log"; exit 1
