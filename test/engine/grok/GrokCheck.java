// Elasticsearch's own grok engine (libs/grok from the distribution under test: org.elasticsearch.grok.Grok over
// Joni), driven line by line from test/helpers/grok-engine.ts. The ingest grok processor does exactly this:
// PatternBank = built-in patterns (ecs_compatibility disabled or v1) extended with pattern_definitions, one Grok
// over Grok.combinePatterns(patterns), captures(fieldValue) — null when nothing matches.
//
// Input, one request per line: id TAB base64(patterns, one per line) TAB base64(definitions, NAME=regex per line)
// TAB ecs ("disabled" | "v1") TAB base64(text). Output, one JSON object per line:
//   {"id":…,"match":true,"captures":{"field":"value",…}} | {"id":…,"match":false} | {"id":…,"error":"…"}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticsearch.grok.Grok;
import org.elasticsearch.grok.GrokBuiltinPatterns;
import org.elasticsearch.grok.MatcherWatchdog;
import org.elasticsearch.grok.PatternBank;

public final class GrokCheck {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Map<String, Grok> cache = new LinkedHashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            String id = f.length > 0 ? f[0] : "";
            StringBuilder json = new StringBuilder("{\"id\":").append(quote(id));
            try {
                if (f.length != 5) throw new IllegalArgumentException("expected 5 tab-separated fields, got " + f.length);
                String key = f[1] + "\t" + f[2] + "\t" + f[3];
                Grok grok = cache.get(key);
                if (grok == null) {
                    List<String> patterns = new ArrayList<>(List.of(decode(f[1]).split("\n")));
                    Map<String, String> defs = new LinkedHashMap<>();
                    for (String d : decode(f[2]).split("\n")) {
                        if (d.isEmpty()) continue;
                        int eq = d.indexOf('=');
                        defs.put(d.substring(0, eq), d.substring(eq + 1));
                    }
                    PatternBank bank = GrokBuiltinPatterns.get(f[3]).extendWith(defs);
                    grok = new Grok(bank, Grok.combinePatterns(patterns), MatcherWatchdog.noop(), msg -> {});
                    cache.put(key, grok);
                }
                Map<String, Object> captures = grok.captures(decode(f[4]));
                if (captures == null) json.append(",\"match\":false");
                else {
                    json.append(",\"match\":true,\"captures\":{");
                    boolean first = true;
                    for (Map.Entry<String, Object> e : captures.entrySet()) {
                        if (!first) json.append(',');
                        first = false;
                        json.append(quote(e.getKey())).append(':').append(value(e.getValue()));
                    }
                    json.append('}');
                }
            } catch (Exception e) {
                json.append(",\"error\":").append(quote(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            out.println(json.append('}'));
            out.flush();
        }
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    private static String value(Object v) {
        if (v == null) return "null";
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) b.append(i > 0 ? "," : "").append(value(l.get(i)));
            return b.append(']').toString();
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
