#!/bin/sh
# agent-installer wrapper (drop-in for onboard_agent.sh; the full option set arrives with the install issue).
#   ./install.sh --dry-run     prerequisite report of this host (nothing is changed)
# Uses the agent-installer binary next to this script (release layout); in a source checkout without one it
# installs the build dependencies with apt-get when missing and builds it.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

usage() {
    cat <<USAGE
usage: install.sh [--dry-run] [--root DIR] [-w WORKSPACE_ID] [-d DOMAIN] [-p PROXY] [--format text|json] [-h|--help]
  --dry-run   print the prerequisite report of this host (or of the tree DIR) and change nothing
USAGE
}

dry_run=0
# Options passed through to `agent-installer preflight`, kept as positional parameters of a function call.
pf_root="" pf_ws="" pf_domain="" pf_proxy="" pf_format=""
need_value() {
    if [ "$2" -lt 2 ]; then echo "install.sh: option $1 needs a value" >&2; usage >&2; exit 2; fi
}
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --root) need_value "$1" $#; pf_root=$2; shift ;;
        -w) need_value "$1" $#; pf_ws=$2; shift ;;
        -d) need_value "$1" $#; pf_domain=$2; shift ;;
        -p) need_value "$1" $#; pf_proxy=$2; shift ;;
        --format) need_value "$1" $#; pf_format=$2; shift ;;
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
    set -- preflight
    [ -n "$pf_root" ] && set -- "$@" --root "$pf_root"
    [ -n "$pf_ws" ] && set -- "$@" -w "$pf_ws"
    [ -n "$pf_domain" ] && set -- "$@" -d "$pf_domain"
    # A proxy with credentials is not put on a child's argv (the password would show in ps); the report's
    # proxy test reads it from the configuration once the install issue provides that path.
    case "$pf_proxy" in
        "") ;;
        *@*) echo "install.sh: proxy credentials are not passed to the dry run; testing without the proxy" >&2 ;;
        *) set -- "$@" -p "$pf_proxy" ;;
    esac
    [ -n "$pf_format" ] && set -- "$@" --format "$pf_format"
    exec "$bin" "$@"
fi
usage >&2
exit 2
