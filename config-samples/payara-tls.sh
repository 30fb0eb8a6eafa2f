#!/bin/sh
# Payara: TLS on http-listener-2 (port 8181) with your own certificate. Payara keeps its certificates in
# glassfish/domains/<domain>/config/keystore.p12 (password changeit unless you changed the master password).
set -e
DOMAIN_CONFIG="${PAYARA_HOME:?set PAYARA_HOME}/glassfish/domains/${DOMAIN:-domain1}/config"

# 1. Import your certificate and key under the alias "tokenrouter":
#    openssl pkcs12 -export -in cert.pem -inkey key.pem -out tokenrouter.p12 -name tokenrouter -passout pass:changeit
keytool -importkeystore -srckeystore tokenrouter.p12 -srcstoretype PKCS12 -srcstorepass changeit \
        -destkeystore "$DOMAIN_CONFIG/keystore.p12" -deststoretype PKCS12 -deststorepass changeit -noprompt

# 2. Serve it on the TLS listener, TLS 1.2 and 1.3 only:
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.ssl.cert-nickname=tokenrouter
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.ssl.tls-enabled=false
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.ssl.tls11-enabled=false
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.ssl.tls12-enabled=true
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.ssl.tls13-enabled=true

# 3. `provider/model` ids arrive as /v1/models/provider%2Fmodel: let the listener decode %2F.
asadmin set configs.config.server-config.network-config.protocols.protocol.http-listener-2.http.encoded-slash-enabled=true
asadmin restart-domain "${DOMAIN:-domain1}"
