#!/bin/sh
# agent-installer wrapper: a drop-in for the vendor's onboard_agent.sh (agent-contract §3, download wrapper).
#   ./install.sh --bundle FILE|URL -w WORKSPACE_ID --key-file FILE [--yes]   install or upgrade, then onboard
#   ./install.sh --purge [--root DIR] [--yes]                                remove the agent and its data
#   ./install.sh --dry-run [--root DIR]                                      prerequisite report, nothing changes
# Uses the agent-installer binary next to this script (release layout); in a source checkout without one it
# installs the build dependencies with apt-get when missing and builds it. The exit status is the binary's.
#
# Secrets: the workspace key and the proxy reach the binary through a pipe (the shell's builtin printf; the
# binary's --key-stdin/--proxy-stdin, key on line 1 and proxy on line 2 when both) or as file paths (--key-file,
# --proxy-file), never on a child's argv or environment. -s and -p themselves are on install.sh's own command
# line, which local users can read: prefer --key-file and --proxy-file (mode 600).
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

usage() {
    cat <<USAGE
usage: install.sh [-w|--id WORKSPACE_ID] [-s|--shared KEY | --key-file FILE] [-d|--domain DOMAIN]
                  [-p|--proxy PROXY | --proxy-file FILE] [--bundle FILE|URL] [--skip-docker-provider-install] [--noDigest]
                  [--root DIR] [--yes] [--endpoint URL] [--cacert FILE] [--format text|json]
       install.sh --purge [--root DIR] [--yes]
       install.sh --dry-run [--root DIR] [-w WORKSPACE_ID] [-d DOMAIN] [-p PROXY | --proxy-file FILE]
                  [--format text|json]
  -w, --id ID            workspace id; onboard after installing (needs a key)
  -s, --shared KEY       workspace key (visible to local users on this command line; prefer --key-file)
      --key-file FILE    read the workspace key from FILE
  -d, --domain DOMAIN    service domain (default opinsights.azure.com)
  -p, --proxy PROXY      [http://][user:password@]host[:port], for the download and the agent (a password
                         here is visible to local users on this command line; prefer --proxy-file)
      --proxy-file FILE  read the proxy from the first line of FILE (mode 600)
      --bundle FILE|URL  the agent bundle; a URL is downloaded and checked against <URL>.sha256sums
      --purge            remove the agent with its configuration and data (other options are ignored)
      --skip-docker-provider-install, --noDigest   as the vendor's bundle
      --root DIR         host root to act on (default /, the live host)
      --yes              do not ask before changing the live host (required when not interactive)
      --endpoint URL, --cacert FILE   service endpoint and extra CA (private endpoints, tests)
      --dry-run          print the prerequisite report of this host (or of DIR) and change nothing
  -?, -h, --help         this help
USAGE
}

die_usage() { echo "install.sh: $1" >&2; usage >&2; exit 2; }
need_value() { [ "$2" -ge 2 ] || die_usage "option $1 needs a value"; }

dry_run=0 purge=0 yes=0
root="" ws="" key="" key_set=0 key_file="" domain="" proxy="" proxy_file="" bundle="" format="" endpoint="" cacert=""
skip_docker=0 no_digest=0
while [ $# -gt 0 ]; do
    case "$1" in
        -w|--id) need_value "$1" $#; ws=$2; shift ;;
        -s|--shared) need_value "$1" $#; key=$2; key_set=1; shift ;;
        --key-file) need_value "$1" $#; key_file=$2; shift ;;
        -d|--domain) need_value "$1" $#; domain=$2; shift ;;
        -p|--proxy) need_value "$1" $#; proxy=$2; shift ;;
        --proxy-file) need_value "$1" $#; proxy_file=$2; shift ;;
        --bundle) need_value "$1" $#; bundle=$2; shift ;;
        --root) need_value "$1" $#; root=$2; shift ;;
        --format) need_value "$1" $#; format=$2; shift ;;
        --endpoint) need_value "$1" $#; endpoint=$2; shift ;;
        --cacert) need_value "$1" $#; cacert=$2; shift ;;
        --skip-docker-provider-install) skip_docker=1 ;;
        --noDigest) no_digest=1 ;;
        --dry-run) dry_run=1 ;;
        --yes) yes=1 ;;
        --purge)
            # As upstream: --purge replaces the whole list and stops parsing. install.sh's own --root and
            # --yes still count (so that a purge of a test tree never falls back to the live host).
            purge=1
            shift
            while [ $# -gt 0 ]; do
                case "$1" in
                    --root) need_value "$1" $#; root=$2; shift ;;
                    --yes) yes=1 ;;
                esac
                shift
            done
            break ;;
        -h|--help|-\?) usage; exit 0 ;;
        *) die_usage "unknown option: $1" ;;
    esac
    shift
done

if [ "$purge" -eq 0 ] && [ "$dry_run" -eq 0 ]; then
    [ -n "$bundle" ] || die_usage "no bundle: give --bundle FILE|URL"
    if [ "$key_set" -eq 1 ] && [ -n "$key_file" ]; then die_usage "give the key once: -s or --key-file"; fi
    if [ "$key_set" -eq 1 ]; then
        echo "install.sh: warning: a key given with -s is visible to every local user; prefer --key-file" >&2
    fi
fi
if [ "$purge" -eq 0 ]; then
    if [ -n "$proxy" ] && [ -n "$proxy_file" ]; then die_usage "give the proxy once: -p or --proxy-file"; fi
    # The proxy travels as one line of a pipe: a line break inside it would split it.
    case "$proxy" in
        *"
"*) echo "install.sh: invalid proxy: it contains a line break" >&2; exit 4 ;;
        *@*) echo "install.sh: warning: a proxy password given with -p is visible to every local user; prefer --proxy-file" >&2 ;;
    esac
fi

# Changing the live host asks first, like apt: interactive y/N, otherwise --yes is required.
if [ "$dry_run" -eq 0 ] && [ "$yes" -eq 0 ] && { [ -z "$root" ] || [ "$root" = / ]; }; then
    if [ "$purge" -eq 1 ]; then what="remove the agent and delete its configuration and data"; else what="install or upgrade the agent"; fi
    if [ -t 0 ]; then
        printf 'install.sh: this will %s on this host. Continue? [y/N] ' "$what" >&2
        answer=""
        read -r answer || answer=""
        case "$answer" in
            [yY]|[yY][eE][sS]) ;;
            *) echo "install.sh: aborted; nothing was changed" >&2; exit 2 ;;
        esac
    else
        echo "install.sh: this would $what on this host; standard input is not a terminal, so give --yes to proceed" >&2
        exit 2
    fi
fi

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
    [ -n "$root" ] && set -- "$@" --root "$root"
    [ -n "$ws" ] && set -- "$@" -w "$ws"
    [ -n "$domain" ] && set -- "$@" -d "$domain"
    [ -n "$proxy_file" ] && set -- "$@" --proxy-file "$proxy_file"
    [ -n "$format" ] && set -- "$@" --format "$format"
    [ -z "$proxy" ] && exec "$bin" "$@"
    status=0
    printf '%s\n' "$proxy" | "$bin" "$@" --proxy-stdin || status=$?
    exit "$status"
fi

if [ "$purge" -eq 1 ]; then
    set -- uninstall --purge
    [ -n "$root" ] && set -- "$@" --root "$root"
    exec "$bin" "$@"
fi

# A URL goes to `install` as it is: the binary downloads it into a private directory under $TMPDIR, checks it
# against <URL>.sha256sums when the server publishes one (as `bundle fetch` does), and removes it once extracted.
set -- install --upgrade --bundle "$bundle"
[ -n "$root" ] && set -- "$@" --root "$root"
[ -n "$ws" ] && set -- "$@" -w "$ws"
[ -n "$key_file" ] && set -- "$@" --key-file "$key_file"
[ "$key_set" -eq 1 ] && set -- "$@" --key-stdin
[ -n "$domain" ] && set -- "$@" -d "$domain"
[ -n "$proxy" ] && set -- "$@" --proxy-stdin
[ -n "$proxy_file" ] && set -- "$@" --proxy-file "$proxy_file"
[ "$skip_docker" -eq 1 ] && set -- "$@" --skip-docker-provider-install
[ "$no_digest" -eq 1 ] && set -- "$@" --no-digest
[ -n "$endpoint" ] && set -- "$@" --endpoint "$endpoint"
[ -n "$cacert" ] && set -- "$@" --cacert "$cacert"
[ -n "$format" ] && set -- "$@" --format "$format"

status=0
# printf is a shell builtin: key and proxy go through the pipe without appearing on any argv. With both, the
# binary reads the key from line 1 and the proxy from line 2.
if [ "$key_set" -eq 1 ] && [ -n "$proxy" ]; then
    printf '%s\n%s\n' "$key" "$proxy" | "$bin" "$@" || status=$?
elif [ "$key_set" -eq 1 ]; then
    printf '%s' "$key" | "$bin" "$@" || status=$?
elif [ -n "$proxy" ]; then
    printf '%s\n' "$proxy" | "$bin" "$@" || status=$?
else
    "$bin" "$@" </dev/null || status=$?
fi
exit "$status"
