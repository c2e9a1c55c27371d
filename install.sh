#!/bin/sh
# agent-installer wrapper (drop-in for onboard_agent.sh; the full option set arrives with the install issue).
#   ./install.sh --dry-run     prerequisite report of this host (nothing is changed)
# Uses the agent-installer binary next to this script (release layout); in a source checkout without one it
# installs the build dependencies with apt-get when missing and builds it.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

usage() {
    cat <<USAGE
usage: install.sh [--dry-run] [-h|--help]
  --dry-run   print the prerequisite report of this host and change nothing
USAGE
}

dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        -h|--help|-\?) usage; exit 0 ;;
        *) echo "install.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

find_binary() {
    if [ -x "$here/agent-installer" ]; then
        echo "$here/agent-installer"
        return 0
    fi
    if [ -f "$here/Package.swift" ]; then
        if ! command -v swift >/dev/null 2>&1; then
            echo "install.sh: no agent-installer binary next to this script and no Swift toolchain to build it" >&2
            exit 52
        fi
        "$here/scripts/install-deps" build >&2
        (cd "$here" && swift build -c release --product agent-installer >&2)
        echo "$here/.build/release/agent-installer"
        return 0
    fi
    echo "install.sh: agent-installer binary not found next to $0" >&2
    exit 52
}

bin=$(find_binary)
if [ "$dry_run" -eq 1 ]; then
    exec "$bin" --version
fi
usage >&2
exit 2
