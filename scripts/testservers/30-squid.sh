# shellcheck shell=bash
# squid forward proxy with Basic authentication (basic_ncsa_auth), no caching, clients from 127.0.0.1 only:
#   AGENT_TEST_PROXY_PORT, AGENT_TEST_PROXY_USER, AGENT_TEST_PROXY_PASSWORD (contains @ : % /),
#   AGENT_TEST_PROXY_ACCESS_LOG (one line per request; a CONNECT appears when its tunnel closes)

start_squid() {
  local dir="$STATE/squid" port user=agent password='p@ss:w%rd/1'
  mkdir -p "$dir"
  port=$(free_port)
  htpasswd -b -c -m "$dir/passwd" "$user" "$password" >/dev/null 2>&1
  : >"$dir/access.log"
  : >"$dir/cache.log"
  chown -R proxy:proxy "$dir"
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
  squid -N -f "$dir/squid.conf" </dev/null >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/squid.run.pid"
  wait_for_port "$port"
  env_set AGENT_TEST_PROXY_PORT "$port"
  env_set AGENT_TEST_PROXY_USER "$user"
  env_set AGENT_TEST_PROXY_PASSWORD "$password"
  env_set AGENT_TEST_PROXY_ACCESS_LOG "$dir/access.log"
}

stop_squid() {
  kill_pidfile "$STATE/squid/squid.run.pid" INT
}
