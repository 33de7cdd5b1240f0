#!/bin/sh
# server.sh — twowayd under load: seeds inboxes of 10,000 and 100,000
# conversations, runs wrk against them and prints the table of
# bench/README.md. Needs wrk (apt-get install wrk) and a build of twowayd.
#
#   bench/server.sh [--build DIR] [--sizes 10000,100000] [--duration SECS]
exec python3 "$(dirname "$0")/server_bench.py" "$@"
