#!/bin/sh
# Throughput of the shopper's pages under gunicorn (2 workers, production settings) with wrk,
# before (PERF_BEFORE=1: oscar's basket lines and view counter, no page cache) and after.
#   DATABASE_URL=postgres://…/chophien_perf REDIS_URL=redis://127.0.0.1:6379/8 sh benchmarks/perf_wrk.sh
set -eu
cd "$(dirname "$0")/.."
PORT=${PERF_PORT:-8708}
SECONDS_PER_URL=${PERF_SECONDS:-5}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-perf-only} SECURE_SSL_REDIRECT=false \
    ALLOWED_HOSTS=127.0.0.1 DJANGO_SETTINGS_MODULE=benchmarks.perf_settings LOG_LEVEL=WARNING \
    REQUEST_LOG_LEVEL=WARNING RATELIMIT_ENABLE=false
URLS=$(.venv/bin/python benchmarks/perf_pages.py --print-urls 2>/dev/null)
BASKET_COOKIE=$(.venv/bin/python benchmarks/perf_pages.py --basket-cookie --basket-lines 8 2>/dev/null)
for mode in before after; do
    [ "$mode" = before ] && export PERF_BEFORE=1 || export PERF_BEFORE=0
    .venv/bin/gunicorn benchmarks.perf_wsgi:application -w 2 -b 127.0.0.1:$PORT \
        --log-level warning >/tmp/perf-gunicorn.log 2>&1 &
    PID=$!
    sleep 4
    echo "== $mode"
    for url in $URLS /shop/basket/; do
        cookie=""
        [ "$url" = /shop/basket/ ] && cookie="$BASKET_COOKIE"  # 8 lines, 2 cooperatives
        curl -s -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url"  # render once
        printf '%-60s ' "$url"
        wrk -t2 -c16 -d${SECONDS_PER_URL}s --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$url" \
            | awk '/Requests\/sec/ {rps=$2} /50%/ {p50=$2} /99%/ {p99=$2} /Non-2xx/ {bad=$4} \
                   END {printf "%8s req/s  p50 %8s  p99 %8s  %s\n", rps, p50, p99, bad ? "non-2xx " bad : ""}'
    done
    kill $PID
    wait $PID 2>/dev/null || true
done
