#!/bin/sh
# Payara: the PostgreSQL connection pool and the JDBC resource jdbc/tokenrouter that TokenRouter uses instead
# of its own pool (jdbc/tokenrouter is one of the names it looks for; any other works with database_jndi).
# First put the driver (org.postgresql:postgresql from Maven Central) into
# glassfish/domains/<domain>/lib/ and start (or restart) the domain; then run this with the domain running.
set -e
ASADMIN=${ASADMIN:-asadmin}
$ASADMIN create-jdbc-connection-pool \
  --datasourceclassname org.postgresql.ds.PGSimpleDataSource --restype javax.sql.DataSource \
  --steadypoolsize 2 --maxpoolsize 32 --isconnectvalidatereq=true --validationmethod auto-commit \
  --nontransactionalconnections=true \
  --property "serverName=${PG_HOST:-db.internal}:portNumber=${PG_PORT:-5432}:databaseName=${PG_DATABASE:-tokenrouter}:user=${PG_USER:-tokenrouter}:password=${PG_PASSWORD:?set PG_PASSWORD}" \
  tokenrouter-pool
$ASADMIN create-jdbc-resource --connectionpoolid tokenrouter-pool jdbc/tokenrouter
$ASADMIN ping-connection-pool tokenrouter-pool
