# shellcheck shell=bash
# squid forward proxy with Basic authentication (basic_ncsa_auth), no caching, clients from 127.0.0.1 only:
#   AGENT_TEST_PROXY_PORT, AGENT_TEST_PROXY_USER, AGENT_TEST_PROXY_PASSWORD (contains @ : % /),
#   AGENT_TEST_PROXY_ACCESS_LOG (one line per request; a CONNECT appears when its tunnel closes)

start_squid() {
  local dir="$STATE/squid" port user=agent password='p@ss:w%rd/1' service try
  mkdir -p "$dir"
  htpasswd -b -c -m "$dir/passwd" "$user" "$password" >/dev/null 2>&1
  : >"$dir/access.log"
  : >"$dir/cache.log"
  chown -R proxy:proxy "$dir"
  # A service name of our own: squid names its shared-memory segments (/dev/shm/NAME-*.shm) after it, so
  # concurrent instances must not share the default "squid".
  service="agenttest$(basename "$STATE" | tr -dc 'A-Za-z0-9' | tail -c 12)"
  echo "$service" >"$dir/service-name"
  for try in 1 2 3; do  # a port picked as free can be taken by someone else before squid binds it
    port=$(free_port)
    squid_config "$dir" "$port"
    squid -N -n "$service" -f "$dir/squid.conf" </dev/null >"$dir/stdout.log" 2>&1 &
    echo $! >"$dir/squid.run.pid"
    if squid_wait "$dir" "$port"; then break; fi
    kill_pidfile "$dir/squid.run.pid" INT
    [ "$try" -lt 3 ] || { tail -5 "$dir/cache.log" >&2; return 1; }
  done
  env_set AGENT_TEST_PROXY_PORT "$port"
  env_set AGENT_TEST_PROXY_USER "$user"
  env_set AGENT_TEST_PROXY_PASSWORD "$password"
  env_set AGENT_TEST_PROXY_ACCESS_LOG "$dir/access.log"
}

# Waits until this squid says it listens on PORT (a port that accepts could be someone else's server).
squid_wait() { # dir port
  local dir=$1 port=$2 i
  for ((i = 0; i < 200; i++)); do
    if grep -q "Accepting HTTP Socket connections at .* local=127.0.0.1:$port " "$dir/cache.log" 2>/dev/null; then
      wait_for_port "$port" 5 "$dir/squid.run.pid"
      return
    fi
    alive "$(cat "$dir/squid.run.pid")" || return 1
    sleep 0.1
  done
  return 1
}

squid_config() { # dir port
  local dir=$1 port=$2
  cat >"$dir/squid.conf" <<CONF
http_port 127.0.0.1:$port
visible_hostname agent-test-proxy
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log squid
buffered_logs off
cache_store_log none
netdb_filename none
coredump_dir $dir
pinger_enable off
icp_port 0
htcp_port 0
snmp_port 0
shutdown_lifetime 0 seconds
cache_effective_user proxy
cache deny all
cache_mem 8 MB
auth_param basic program /usr/lib/squid/basic_ncsa_auth $dir/passwd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm agent-test-proxy
auth_param basic credentialsttl 1 minute
acl from_localhost src 127.0.0.1/32
acl authenticated proxy_auth REQUIRED
http_access deny !from_localhost
http_access allow authenticated
http_access deny all
CONF
}

stop_squid() {
  kill_pidfile "$STATE/squid/squid.run.pid" INT
  # squid removes its segments when it exits cleanly; a killed one leaves them behind.
  if [ -s "$STATE/squid/service-name" ]; then
    rm -f /dev/shm/"$(cat "$STATE/squid/service-name")"-*.shm
  fi
}
