#!/usr/bin/env bash
# Runs the fake OpenAI-compatible provider of the scripts (io.tokenrouter.testing.FakeProvider, the same
# upstream the integration tests script) on 127.0.0.1:PORT until it is killed. Compiles the test classes and
# writes their classpath the first time.
#
#   bash src/test/fake-provider.sh --prepare        # build once, in the foreground
#   bash src/test/fake-provider.sh 18191 &          # then run it (the process is the JVM itself)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLASSPATH_FILE="$ROOT/target/fake-provider.classpath"
if [ ! -f "$CLASSPATH_FILE" ] || [ ! -f "$ROOT/target/test-classes/io/tokenrouter/testing/FakeProvider.class" ]; then
  (cd "$ROOT" && mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$CLASSPATH_FILE" >&2)
fi
[ "$1" = --prepare ] && exit 0
exec java -Xss512k -cp "$ROOT/target/test-classes:$(cat "$CLASSPATH_FILE")" io.tokenrouter.testing.FakeProvider "$1"
