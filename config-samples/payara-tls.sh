#!/bin/sh
# Payara: HTTPS with your certificate on http-listener-2 (8181), TLS 1.2 and 1.3 only, and plain HTTP
# (http-listener-1, 8080) switched off. Run with the domain running:
#   ASADMIN="asadmin --port 4848" DOMAIN_DIR=glassfish/domains/domain1 sh payara-tls.sh fullchain.pem privkey.pem
# PEM files: certbot's fullchain.pem and privkey.pem, or a self-signed pair for trying it out:
#   openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=gateway.example.com" \
#     -addext "subjectAltName=DNS:gateway.example.com" -keyout privkey.pem -out fullchain.pem
# Let's Encrypt renewals: run this again from certbot's --deploy-hook (it replaces the alias and restarts the
# domain). Payara keeps certificates in the domain's keystore.p12 (password: the master password, changeit
# unless you changed it).
set -e
ASADMIN=${ASADMIN:-asadmin}
DOMAIN_DIR=${DOMAIN_DIR:?set DOMAIN_DIR, e.g. glassfish/domains/domain1}
STOREPASS=${MASTER_PASSWORD:-changeit}
CERT=${1:?fullchain.pem}; KEY=${2:?privkey.pem}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# 1. The certificate and key under the alias "tokenrouter" in the domain's key store
openssl pkcs12 -export -in "$CERT" -inkey "$KEY" -name tokenrouter -passout "pass:$STOREPASS" -out "$TMP/tokenrouter.p12"
keytool -delete -alias tokenrouter -keystore "$DOMAIN_DIR/config/keystore.p12" -storepass "$STOREPASS" >/dev/null 2>&1 || true
keytool -importkeystore -srckeystore "$TMP/tokenrouter.p12" -srcstoretype PKCS12 -srcstorepass "$STOREPASS" \
        -destkeystore "$DOMAIN_DIR/config/keystore.p12" -deststoretype PKCS12 -deststorepass "$STOREPASS" -noprompt

# 2. Served on the TLS listener, TLS 1.2 and 1.3 only (Payara 6 offers nothing older)
P=configs.config.server-config.network-config.protocols.protocol
$ASADMIN set $P.http-listener-2.ssl.cert-nickname=tokenrouter
$ASADMIN set $P.http-listener-2.ssl.tls12-enabled=true
$ASADMIN set $P.http-listener-2.ssl.tls13-enabled=true

# 3. `provider/model` ids arrive as /v1/models/provider%2Fmodel: decode %2F
$ASADMIN set $P.http-listener-2.http.encoded-slash-enabled=true

# 4. No plain HTTP: http-listener-1 (8080) is switched off. (Payara's http-redirect protocol would answer it
#    with a redirect instead, but a listener on it, directly or through a port-unification finder, stopped
#    Payara 6.2025.9's web container from starting when this was tested.)
$ASADMIN set configs.config.server-config.network-config.network-listeners.network-listener.http-listener-1.enabled=false
$ASADMIN restart-domain "$(basename "$DOMAIN_DIR")"
