# shellcheck shell=bash
# nginx (private instance, own config and logs under STATE/nginx):
#   AGENT_TEST_HTTPS_PORT      HTTPS (TLS 1.2+, test CA) serving the docroot AGENT_TEST_WWW (tests drop files there)
#   AGENT_TEST_UNTRUSTED_PORT  the same docroot behind the untrusted certificate
#   AGENT_TEST_NGINX_ACCESS_LOG

start_nginx() {
  local dir="$STATE/nginx" https untrusted
  mkdir -p "$dir/tmp" "$STATE/www"
  chmod 755 "$STATE/www"
  local try
  for try in 1 2 3; do  # a port picked as free can be taken by someone else before nginx binds it
    https=$(free_port)
    untrusted=$(free_port)
    nginx_config "$dir" "$https" "$untrusted"
    if nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" </dev/null >"$dir/stdout.log" 2>&1; then break; fi
    [ "$try" -lt 3 ] || { cat "$dir/stdout.log" >&2; return 1; }
  done
  wait_for_port "$https"
  wait_for_port "$untrusted"
  env_set AGENT_TEST_WWW "$STATE/www"
  env_set AGENT_TEST_HTTPS_PORT "$https"
  env_set AGENT_TEST_UNTRUSTED_PORT "$untrusted"
  env_set AGENT_TEST_NGINX_ACCESS_LOG "$dir/access.log"
}

nginx_config() { # dir https-port untrusted-port
  local dir=$1 https=$2 untrusted=$3
  {
    nginx_preamble "$dir"
    cat <<CONF
  default_type application/octet-stream;
  underscores_in_headers on;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$https ssl;
    server_name localhost;
    ssl_certificate $AGENT_TEST_SERVER_CERT;
    ssl_certificate_key $AGENT_TEST_SERVER_KEY;
    root $STATE/www;
  }
  server {
    listen 127.0.0.1:$untrusted ssl;
    server_name localhost;
    ssl_certificate $AGENT_TEST_UNTRUSTED_CERT;
    ssl_certificate_key $AGENT_TEST_UNTRUSTED_KEY;
    root $STATE/www;
  }
}
CONF
  } >"$dir/nginx.conf"
}

stop_nginx() {
  kill_pidfile "$STATE/nginx/nginx.pid" QUIT
}
