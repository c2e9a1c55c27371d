# shellcheck shell=bash
# Stand-in workspace (onboarding) service: a private nginx terminating TLS (test CA server certificate,
# ssl_verify_client optional_no_ca) in front of workspace_service.py, which verifies the signed request.
#   AGENT_TEST_WORKSPACE_URL            https://127.0.0.1:PORT (pass as --endpoint; --cacert $AGENT_TEST_CA)
#   AGENT_TEST_WORKSPACE_ID/_KEY        a workspace and its key (64 random bytes, Base64)
#   AGENT_TEST_WORKSPACE_ID2/_KEY2      a second workspace
#   AGENT_TEST_WORKSPACE_ID_500/_KEY_500  a workspace whose valid requests are answered with HTTP 500
#   AGENT_TEST_WORKSPACE_ID_BADXML/_KEY_BADXML  a workspace answered with 200 and a body that is not XML
#   AGENT_TEST_WORKSPACE_ID_SKEW/_KEY_SKEW  a workspace whose service clock runs 20 minutes ahead (its Date header
#                                           says so): a correctly signed request is refused with 403 ClockSkew
#   AGENT_TEST_WORKSPACE_LOG            one JSON line per request received
#   AGENT_TEST_PROXY_ONBOARD_USER/_PASSWORD  squid credentials proxy.conf can represent (no '@'; ':' and '%'; no
#                                            %XX escape, since squid's helper would decode it)

start_workspace() {
  local dir="$STATE/workspace" port app ws
  mkdir -p "$dir/tmp"
  port=$(free_port)
  app=$(free_port)
  : >"$dir/keys"
  chmod 600 "$dir/keys"
  for suffix in "" 2 _500 _BADXML _SKEW; do
    ws=$(python3 -c 'import uuid; print(str(uuid.uuid4()).upper())')
    key=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(64)).decode())')
    case "$suffix" in
      _500) echo "$ws $key 500" >>"$dir/keys" ;;
      _BADXML) echo "$ws $key garbage" >>"$dir/keys" ;;
      _SKEW) echo "$ws $key skew" >>"$dir/keys" ;;
      *) echo "$ws $key" >>"$dir/keys" ;;
    esac
    env_set "AGENT_TEST_WORKSPACE_ID$suffix" "$ws"
    env_set "AGENT_TEST_WORKSPACE_KEY$suffix" "$key"
  done
  : >"$dir/requests.log"
  python3 "$HERE/workspace_service.py" "$app" "$dir/keys" "$dir/requests.log" </dev/null >"$dir/app.log" 2>&1 &
  echo $! >"$dir/app.pid"
  {
    nginx_preamble "$dir"
    cat <<CONF
  underscores_in_headers on;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$port ssl;
    server_name localhost;
    ssl_certificate $AGENT_TEST_SERVER_CERT;
    ssl_certificate_key $AGENT_TEST_SERVER_KEY;
    ssl_verify_client optional_no_ca;
    location / {
      proxy_pass http://127.0.0.1:$app;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header X-Client-Cert \$ssl_client_escaped_cert;
      proxy_set_header X-Client-Verify \$ssl_client_verify;
      proxy_set_header X-Server-Protocol \$server_protocol;
      proxy_pass_header Date;  # the service's own clock (nginx would send its own Date instead)
    }
  }
}
CONF
  } >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" </dev/null >"$dir/stdout.log" 2>&1
  wait_for_port "$app"
  wait_for_port "$port"
  env_set AGENT_TEST_WORKSPACE_URL "https://127.0.0.1:$port"
  env_set AGENT_TEST_WORKSPACE_LOG "$dir/requests.log"
  if [ -n "${AGENT_TEST_PROXY_PORT:-}" ] && [ -f "$STATE/squid/passwd" ]; then
    htpasswd -b -m "$STATE/squid/passwd" onboard 'on:bo%rd:1' >/dev/null 2>&1
    # basic_ncsa_auth reloads the file when its mtime changes; squid may have read it within this same second.
    touch -d '2000-01-01 00:00:00' "$STATE/squid/passwd"
    env_set AGENT_TEST_PROXY_ONBOARD_USER onboard
    env_set AGENT_TEST_PROXY_ONBOARD_PASSWORD 'on:bo%rd:1'
  fi
}

stop_workspace() {
  kill_pidfile "$STATE/workspace/nginx.pid" QUIT
  kill_pidfile "$STATE/workspace/app.pid" TERM
}
