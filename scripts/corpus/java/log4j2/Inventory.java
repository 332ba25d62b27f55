import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The same events through log4j2 with whatever configuration -Dlog4j2.configurationFile names (or none:
 * log4j2's default configuration, ERROR and above to the console). The exception has a cause.
 */
public class Inventory {
  private static final Logger log = LogManager.getLogger("com.example.inventory.Inventory");

  static void loadItem(String id) {
    try {
      throw new java.net.ConnectException("Connection refused");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot load item " + id + " from the catalog service", e);
    }
  }

  public static void main(String[] args) throws Exception {
    log.info("starting inventory version=2.1.0");
    log.info("request handled method=GET path=/items/42 status=200");
    log.warn("catalog service unavailable, retrying attempt=2");
    try {
      loadItem("42");
    } catch (IllegalStateException e) {
      log.error("request failed path=/items/42", e);
    }
    log.fatal("inventory count negative count=-3");
    log.info("shutting down");
  }
}
