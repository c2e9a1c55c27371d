# shellcheck shell=bash
# The faulty HTTP server (faulty.py): misbehaviours chosen by path, and /echo. Serves files from AGENT_TEST_WWW.
#   AGENT_TEST_FAULTY_PORT       plain HTTP
#   AGENT_TEST_FAULTY_TLS_PORT   HTTPS (test CA server certificate; asks for an optional client certificate
#                                signed by the test CA and reports it in /echo)

start_faulty() {
  local dir="$STATE/faulty"
  mkdir -p "$dir"
  rm -f "$dir/port" "$dir/tls-port"
  python3 "$HERE/faulty.py" --root "$STATE/www" --port-file "$dir/port" \
    </dev/null >"$dir/plain.log" 2>&1 &
  echo $! >"$dir/plain.pid"
  python3 "$HERE/faulty.py" --root "$STATE/www" --port-file "$dir/tls-port" \
    --cert "$AGENT_TEST_SERVER_CERT" --key "$AGENT_TEST_SERVER_KEY" --client-ca "$AGENT_TEST_CA" \
    </dev/null >"$dir/tls.log" 2>&1 &
  echo $! >"$dir/tls.pid"
  local i
  for ((i = 0; i < 100; i++)); do
    [ -s "$dir/port" ] && [ -s "$dir/tls-port" ] && break
    sleep 0.1
  done
  wait_for_port "$(cat "$dir/port")"
  wait_for_port "$(cat "$dir/tls-port")"
  env_set AGENT_TEST_FAULTY_PORT "$(cat "$dir/port")"
  env_set AGENT_TEST_FAULTY_TLS_PORT "$(cat "$dir/tls-port")"
}

stop_faulty() {
  kill_pidfile "$STATE/faulty/plain.pid" TERM
  kill_pidfile "$STATE/faulty/tls.pid" TERM
}
