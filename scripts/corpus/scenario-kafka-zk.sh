#!/usr/bin/env bash
# Incident scenario "kafka-zookeeper-lost": a real ZooKeeper 3.8.4 and a real Kafka 3.7.2 broker in ZooKeeper
# mode (jars from Maven Central, run with the JDK on 127.0.0.1), logging through reload4j with the patterns
# of their shipped log4j.properties. ZooKeeper, the broker's coordinator, is killed (kill -9) and comes back
# only after the broker's session timeout: the broker cannot reach it, its session expires, and it
# re-registers and re-elects itself controller.
# Writes test/fixtures/incidents/kafka-zookeeper-lost/{zookeeper.log,server.log}, and the same files to
# test/fixtures/real/kafka/.
# Needs: java 17, the jars in $CORPUS_KAFKA_LIB (default /tmp/corpus-deps/kafka/lib; see README.md).
source "$(dirname "$0")/lib.sh"

: "${CORPUS_KAFKA_LIB:=/tmp/corpus-deps/kafka/lib}"
work="$(mktemp -d /tmp/corpus-kafka.XXXXXX)"
zkp="$(free_port)"; kp="$(free_port)"
cat >"$work/zk.properties" <<EOF
dataDir=$work/zk
clientPort=$zkp
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
tickTime=2000
EOF
cat >"$work/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$kp
log.dirs=$work/kafka-logs
zookeeper.connect=127.0.0.1:$zkp
zookeeper.session.timeout.ms=6000
zookeeper.connection.timeout.ms=6000
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
num.partitions=1
group.initial.rebalance.delay.ms=0
EOF
# ZooKeeper's classic conf/log4j.properties pattern, Kafka's config/log4j.properties pattern.
cat >"$work/zk-log4j.properties" <<EOF
log4j.rootLogger=INFO, F
log4j.appender.F=org.apache.log4j.FileAppender
log4j.appender.F.File=$work/zookeeper.log
log4j.appender.F.layout=org.apache.log4j.PatternLayout
log4j.appender.F.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
EOF
cat >"$work/kafka-log4j.properties" <<EOF
log4j.rootLogger=INFO, F
log4j.appender.F=org.apache.log4j.FileAppender
log4j.appender.F.File=$work/server.log
log4j.appender.F.layout=org.apache.log4j.PatternLayout
log4j.appender.F.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
cp="$CORPUS_KAFKA_LIB/*"
start_zk() {
  nice java -Xmx128m -cp "$cp" -Dlog4j.configuration="file:$work/zk-log4j.properties" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$work/zk.properties" >/dev/null 2>&1 &
  zk=$!
}
start_zk
wait_port "$zkp"
start_kafka() {
  nice java -Xmx384m -cp "$cp" -Dlog4j.configuration="file:$work/kafka-log4j.properties" \
    kafka.Kafka "$work/server.properties" >/dev/null 2>&1 &
  kafka=$!
}
start_kafka
trap 'kill $kafka $zk 2>/dev/null || true' EXIT
wait_for_text "$work/server.log" 'started (kafka.server.KafkaServer)'
sleep 3
kill -9 "$zk"
wait "$zk" 2>/dev/null || true
sleep 15
# The replacement ZooKeeper comes up on an empty data dir (the old node's disk is gone): it refuses the
# broker's session (the broker has seen a newer zxid), so the broker stays cut off.
rm -rf "$work/zk"
start_zk
wait_for_count "$work/zookeeper.log" 'Refusing session request' 4
# The operator restarts the broker to recover; it finds a new cluster id in the empty ZooKeeper and exits.
kill "$kafka"
wait "$kafka" 2>/dev/null || true
start_kafka
wait "$kafka" 2>/dev/null || true
sleep 2
kill "$zk"
wait "$zk" 2>/dev/null || true
trap - EXIT

out="$INCIDENTS_DIR/kafka-zookeeper-lost"
mkdir -p "$out"
for f in zookeeper.log server.log; do
  trim_log "$work/$f" "$out/$f"
  trim_log "$work/$f" "$REAL_DIR/kafka/$f"
done
wc -l "$out"/*.log
rm -rf "$work"
