# shellcheck shell=bash
# Test certificates (openssl CLI): a trusted test CA with a server certificate for localhost/127.0.0.1 and a
# client certificate, and a second, untrusted CA with its own server certificate.
#   AGENT_TEST_CA, AGENT_TEST_CA_KEY                     trusted CA (certificate, key: other modules may sign with it)
#   AGENT_TEST_SERVER_CERT, AGENT_TEST_SERVER_KEY        server certificate signed by the trusted CA
#   AGENT_TEST_SERVER_NAME                               an extra DNS name in its SAN that resolves nowhere
#   AGENT_TEST_CLIENT_CERT, AGENT_TEST_CLIENT_KEY        client certificate signed by the trusted CA
#   AGENT_TEST_UNTRUSTED_CA, AGENT_TEST_UNTRUSTED_CERT, AGENT_TEST_UNTRUSTED_KEY

certs_issue() { # dir name subject-cn ca-name extensions
  local dir=$1 name=$2 cn=$3 ca=$4 ext=$5
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr" 2>/dev/null
  printf '%b' "$ext" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
}

certs_ca() { # dir name cn
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$3" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$1/$2.key" -out "$1/$2.crt" 2>/dev/null
}

start_certs() {
  local dir="$STATE/certs"
  # A name no resolver knows: tests map it to 127.0.0.1 in a root's etc/hosts (scripts/test-release).
  local name=agent-installer-test.invalid
  local server_ext="basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,DNS:$name,IP:127.0.0.1\n"
  local client_ext='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
  mkdir -p "$dir"
  chmod 755 "$dir"
  certs_ca "$dir" ca "agent-installer test CA"
  certs_issue "$dir" server localhost ca "$server_ext"
  certs_issue "$dir" client agent-installer-test-client ca "$client_ext"
  certs_ca "$dir" untrusted-ca "agent-installer untrusted CA"
  certs_issue "$dir" untrusted localhost untrusted-ca "$server_ext"
  env_set AGENT_TEST_SERVER_NAME "$name"
  env_set AGENT_TEST_CA "$dir/ca.crt"
  env_set AGENT_TEST_CA_KEY "$dir/ca.key"
  env_set AGENT_TEST_SERVER_CERT "$dir/server.crt"
  env_set AGENT_TEST_SERVER_KEY "$dir/server.key"
  env_set AGENT_TEST_CLIENT_CERT "$dir/client.crt"
  env_set AGENT_TEST_CLIENT_KEY "$dir/client.key"
  env_set AGENT_TEST_UNTRUSTED_CA "$dir/untrusted-ca.crt"
  env_set AGENT_TEST_UNTRUSTED_CERT "$dir/untrusted.crt"
  env_set AGENT_TEST_UNTRUSTED_KEY "$dir/untrusted.key"
}

stop_certs() { :; }
