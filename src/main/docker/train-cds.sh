#!/usr/bin/env bash
# The JVM image's AppCDS training run (Dockerfile.jvm runs it at build time; ContainerCdsIT runs it on
# the packaged jar): starts the service with the runtime's options ($JAVA_OPTS, less any
# -XX:SharedArchiveFile), sends it the requests of a start-up and a first page, stops it, and keeps the
# classes it loaded as a class-data archive. No database is needed: migrations are off and the
# requests answer 503, which loads the HTTP, JSON, problem and driver classes all the same.
#
#   train-cds.sh JAR ARCHIVE        (CDS_TRAINING_PORT: the port it listens on meanwhile, 8080)
set -euo pipefail
jar=$1
archive=$2
port=${CDS_TRAINING_PORT:-8080}
opts=()
for opt in ${JAVA_OPTS:-}; do
  [[ $opt == -XX:SharedArchiveFile=* ]] || opts+=("$opt")
done

MLJOBS_DB_URL=postgresql://127.0.0.1:1/none MLJOBS_ADMIN_PASSWORD=cds-training-run-only-0 \
  java "${opts[@]}" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -Dquarkus.flyway.migrate-at-start=false \
  -Dquarkus.shutdown.delay=PT0S -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -jar "$jar" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT

# One HTTP/1.1 request through bash's /dev/tcp (the runtime image need not have curl).
send() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3" >&3
  cat <&3 >/dev/null
  exec 3<&-
}

for _ in $(seq 1 600); do
  send GET /q/health/live '' 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "train-cds: the service exited before it listened" >&2; exit 1; }
  sleep 0.1
done
for _ in 1 2 3; do
  send GET '/jobs?limit=50' ''
  send GET /q/health/ready ''
  send GET /jobs/stats ''
  send POST /jobs '{"input_text": "cds"}'
  send POST /jobs/batch '{"jobs": [{"input_text": "cds"}]}'
  send POST /jobs/claim '{"worker_id": "cds", "limit": 1}'
  send GET /q/metrics ''
done
kill -TERM $pid
wait $pid || true
trap - EXIT
test -s "$archive" || { echo "train-cds: no archive written to $archive" >&2; exit 1; }
echo "train-cds: $(stat -c %s "$archive") bytes in $archive" >&2
