#!/usr/bin/env bash
# Runs the C baseline and the JMH benchmarks in one go; writes benchmarks/results/latest.md (or smoke.md).
# Usage: benchmarks/run.sh [smoke]
#        benchmarks/run.sh startup [ROUNDS [LOCATION]]   (the starter's startup in alternating runs, see README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
./mvnw -B -q -pl benchmarks -am package -DskipTests
if [ "$mode" = startup ]; then
  source tools/jdk.sh
  exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
    dev.wasmerffm.bench.StartupSeries "${2:-11}" "benchmarks/results/$(date +%F)-starter-startup${3:+-plugin}.md" ${3:+"$3"}
fi
version=$(sed -n 's#.*<wasmer.version>\(.*\)</wasmer.version>.*#\1#p' pom.xml)
features=$(sed -n 's#.*<wasmer.features>\(.*\)</wasmer.features>.*#\1#p' pom.xml)
wasmer=$(bash wasmer-native/build-libwasmer.sh "$version" "$features")
gcc -O2 -pthread -I"$wasmer/include" benchmarks/c/baseline.c -L"$wasmer/lib" -lwasmer -Wl,-rpath,"$wasmer/lib" \
  -o benchmarks/target/baseline
source tools/jdk.sh
report=benchmarks/results/latest.md
[ "$mode" = smoke ] && report=benchmarks/target/smoke.md
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.wasmerffm.bench.Main benchmarks/target/baseline benchmarks/target/classes/kernels "$report" "$mode"
