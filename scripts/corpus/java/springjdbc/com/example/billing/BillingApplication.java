package com.example.billing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * `billing`: a Spring Boot 3.3 worker (default logging: logback, Spring Boot's pattern) that records an
 * invoice in MariaDB every 500 ms through HikariCP and JdbcTemplate for RUN_SECONDS, logging each failure
 * with its exception. Used by scripts/corpus/scenario-mariadb-spring.sh.
 */
@SpringBootApplication
public class BillingApplication implements CommandLineRunner {
  private static final Logger log = LoggerFactory.getLogger(BillingApplication.class);
  private final JdbcTemplate jdbc;

  public BillingApplication(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public static void main(String[] args) {
    SpringApplication.run(BillingApplication.class, args);
  }

  @Override
  public void run(String... args) throws InterruptedException {
    jdbc.execute("CREATE TABLE IF NOT EXISTS invoices (id INT AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(10,2))");
    long deadline = System.currentTimeMillis() + Long.parseLong(System.getenv("RUN_SECONDS")) * 1000;
    int n = 0;
    int failures = 0;
    while (System.currentTimeMillis() < deadline) {
      n++;
      try {
        jdbc.update("INSERT INTO invoices (amount) VALUES (?)", 10 + n % 90);
        if (failures > 0) log.info("database reachable again after {} failed invoices", failures);
        failures = 0;
        if (n % 10 == 0) log.info("invoices recorded: {}", n);
      } catch (DataAccessException e) {
        failures++;
        log.error("invoice {} not recorded", n, e);
      }
      Thread.sleep(500);
    }
    log.info("billing run finished after {} invoices", n);
  }
}
