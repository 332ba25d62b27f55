#!/usr/bin/env bash
# Java logging: a Spring Boot 3.3.5 application with Spring Boot's default logging (logback, its default
# pattern, console and logging.file.name), and log4j2 2.24.3 with its default configuration, a PatternLayout,
# JsonTemplateLayout (default ECS template) and JsonLayout. Each logs a warning and an exception with a
# cause (multi-line stack trace with "Caused by:").
# Writes test/fixtures/real/java/*.log. Needs a JDK 17 and the jars in $CORPUS_JAVA (see README.md).
source "$(dirname "$0")/lib.sh"
: "${CORPUS_JAVA:=/tmp/corpus-deps/java}"
src="$REPO_ROOT/scripts/corpus/java"
work="$(mktemp -d /tmp/corpus-java.XXXXXX)"
out="$REAL_DIR/java"
mkdir -p "$out" "$work/spring" "$work/log4j2"

javac -d "$work/spring" -cp "$CORPUS_JAVA/spring/lib/*" "$src/spring/com/example/inventory/InventoryApplication.java"
(cd "$work" && java -cp "$CORPUS_JAVA/spring/lib/*:$work/spring" com.example.inventory.InventoryApplication \
  --spring.application.name=inventory --logging.file.name="$work/spring.log" >"$work/spring-console.log" 2>&1)
trim_log "$work/spring-console.log" "$out/spring-boot-console.log"
trim_log "$work/spring.log" "$out/spring-boot-file.log"

javac -d "$work/log4j2" -cp "$CORPUS_JAVA/log4j2/lib/*" "$src/log4j2/Inventory.java"
run_log4j2() { java -cp "$CORPUS_JAVA/log4j2/lib/*:$work/log4j2" "$@" Inventory; }
run_log4j2 >"$work/default.log" 2>&1
trim_log "$work/default.log" "$out/log4j2-default-config.log"
for conf in pattern jsontemplate jsonlayout; do
  run_log4j2 -Dlog4j2.configurationFile="$src/log4j2/$conf.xml" >"$work/$conf.log" 2>&1
  trim_log "$work/$conf.log" "$out/log4j2-$conf.log"
done
wc -l "$out"/*.log
rm -rf "$work"
