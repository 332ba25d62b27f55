package com.example.inventory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with Spring Boot's default logging (logback, its default console pattern and,
 * with logging.file.name, the same pattern in a file). It logs the usual start-up lines, then a retry
 * warning and an error whose exception has a cause ("Caused by:" in the stack trace).
 */
@SpringBootApplication
public class InventoryApplication implements CommandLineRunner {
  private static final Logger log = LoggerFactory.getLogger(InventoryApplication.class);

  public static void main(String[] args) {
    SpringApplication.run(InventoryApplication.class, args);
  }

  static void loadItem(String id) {
    try {
      throw new java.net.ConnectException("Connection refused");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot load item " + id + " from the catalog service", e);
    }
  }

  @Override
  public void run(String... args) {
    log.info("request handled method=GET path=/items/42 status=200");
    log.warn("catalog service unavailable, retrying attempt=2");
    try {
      loadItem("42");
    } catch (IllegalStateException e) {
      log.error("request failed path=/items/42", e);
    }
    log.info("shutting down");
  }
}
