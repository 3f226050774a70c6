#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the cold-start
# demo on the embedded default (our httpd image): a short vmm-coldstart run that prints
# the summary and the path of the plot.
# Usage: tools/demo.sh [vmm-coldstart args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" all
"$root/tools/build.sh"
exec "$root/build/benchmarks/coldstart/vmm-coldstart" --count 300 --out "$root/build/coldstart-demo" "$@"
